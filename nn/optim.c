/* nn/optim.c: SGD (momentum, Nesterov), Adam and AdamW with torch.optim's update rules (1.13,
 * single-tensor path), gradient-norm clipping (torch.nn.utils.clip_grad_norm_) and per-epoch
 * step and cosine schedules.  The loops run over the whole parameter arena at once; alignment
 * padding has zero gradients and stays zero.
 *
 * State in the optimizer arena: [0, P) the first moment (Adam) or momentum buffer (SGD),
 * [P, 2P) the second moment (Adam). */
#include <math.h>
#include <string.h>

#include "nn/layer.h"
#include "nn/par.h"
#include "util/error.h"

void nn_optim_defaults(nn_optim_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = NN_OPT_ADAM;
    cfg->lr = 1e-3f;
    cfg->momentum = 0.0f;
    cfg->beta1 = 0.9f;
    cfg->beta2 = 0.999f;
    cfg->eps = 1e-8f;
    cfg->schedule = NN_SCHED_CONSTANT;
    cfg->step_size = 1;
    cfg->gamma = 0.1f;
}

int nn_optim_check(const nn_optim_cfg *c)
{
    SC_CHECK(c->kind >= NN_OPT_SGD && c->kind <= NN_OPT_ADAMW, "optimizer: unknown kind %d",
             (int)c->kind);
    SC_CHECK(c->lr > 0.0f && isfinite(c->lr), "optimizer: lr must be positive (got %g)", c->lr);
    SC_CHECK(c->momentum >= 0.0f && c->momentum < 1.0f,
             "optimizer: momentum must be in [0, 1) (got %g)", c->momentum);
    SC_CHECK(!c->nesterov || c->momentum > 0.0f, "optimizer: nesterov needs a momentum > 0");
    SC_CHECK(c->beta1 >= 0.0f && c->beta1 < 1.0f, "optimizer: beta1 must be in [0, 1) (got %g)",
             c->beta1);
    SC_CHECK(c->beta2 >= 0.0f && c->beta2 < 1.0f, "optimizer: beta2 must be in [0, 1) (got %g)",
             c->beta2);
    SC_CHECK(c->eps > 0.0f, "optimizer: eps must be positive (got %g)", c->eps);
    SC_CHECK(c->weight_decay >= 0.0f && isfinite(c->weight_decay),
             "optimizer: weight_decay must be >= 0 (got %g)", c->weight_decay);
    SC_CHECK(c->clip_norm >= 0.0f && isfinite(c->clip_norm),
             "optimizer: clip_norm must be >= 0 (got %g)", c->clip_norm);
    SC_CHECK(c->schedule >= NN_SCHED_CONSTANT && c->schedule <= NN_SCHED_COSINE,
             "optimizer: unknown schedule %d", (int)c->schedule);
    SC_CHECK(c->schedule != NN_SCHED_STEP || (c->step_size >= 1 && c->gamma > 0.0f),
             "optimizer: the step schedule needs step_size >= 1 and gamma > 0");
    return 0;
fail:
    return -1;
}

float nn_optim_lr(const nn_optim_cfg *cfg, int epoch, int epochs)
{
    switch (cfg->schedule) {
    case NN_SCHED_STEP:
        return (float)(cfg->lr * pow(cfg->gamma, epoch / cfg->step_size));
    case NN_SCHED_COSINE:
        return (float)(cfg->lr * (1.0 + cos(M_PI * epoch / (epochs > 0 ? epochs : 1))) / 2.0);
    default:
        return cfg->lr;
    }
}

void nn_optim_reset(nn_net *net)
{
    memset(net->opt, 0, sizeof(float) * net->n_opt);
    net->opt_steps = 0;
}

/* torch: total = ||(||g_1||, ..., ||g_k||)||_2, coefficient max / (total + 1e-6), clamped to 1. */
static double clip(nn_net *net, float max_norm)
{
    float *g = net->grads;
    double ss = 0.0;
    for (size_t i = 0; i < net->n_params; i++) ss += (double)g[i] * g[i];
    const double total = sqrt(ss);
    if (max_norm > 0.0f) {
        const double coef = max_norm / (total + 1e-6);
        if (coef < 1.0) {
            const float cf = (float)coef;
            for (size_t i = 0; i < net->n_params; i++) g[i] *= cf;
        }
    }
    return total;
}

typedef struct {
    nn_net *net;
    const nn_optim_cfg *cfg;
    float lr, step, bc2s;
} step_job;

/* The update of parameters [lo, hi): element-wise, so threads may split them freely. */
static void step_part(void *arg, int t, int nt)
{
    const step_job *j = arg;
    const nn_optim_cfg *cfg = j->cfg;
    nn_net *net = j->net;
    size_t lo, hi;
    nn_par_range(net->n_params, t, nt, &lo, &hi);
    float *p = net->params, *g = net->grads;
    float *m = net->opt, *v = net->opt + net->n_params;
    const float wd = cfg->weight_decay, lr = j->lr;
    if (cfg->kind == NN_OPT_SGD) {
        const float mu = cfg->momentum;
        const int first = net->opt_steps == 1;
        for (size_t i = lo; i < hi; i++) {
            float d = g[i] + wd * p[i];
            if (mu > 0.0f) {
                m[i] = first ? d : mu * m[i] + d;
                d = cfg->nesterov ? d + mu * m[i] : m[i];
            }
            p[i] -= lr * d;
        }
        return;
    }
    const float b1 = cfg->beta1, b2 = cfg->beta2, eps = cfg->eps, step = j->step, bc2s = j->bc2s;
    const int adamw = cfg->kind == NN_OPT_ADAMW;
    const float decay = adamw ? 1.0f - lr * wd : 1.0f;
    for (size_t i = lo; i < hi; i++) {
        float gi = g[i];
        if (adamw) p[i] *= decay;
        else gi += wd * p[i];
        m[i] = m[i] * b1 + gi * (1.0f - b1);
        v[i] = v[i] * b2 + (1.0f - b2) * gi * gi;
        const float denom = sqrtf(v[i]) / bc2s + eps;
        p[i] += -step * (m[i] / denom);
    }
}

double nn_optim_step(nn_net *net, const nn_optim_cfg *cfg, float lr)
{
    nn_net_grads(net); /* materialize a pending zero_grad */
    const double norm = clip(net, cfg->clip_norm);
    net->opt_steps++;
    /* Adam: the bias corrections in double as torch's Python scalars, then float. */
    const double t = (double)net->opt_steps;
    step_job j = {net, cfg, lr, (float)(lr / (1.0 - pow(cfg->beta1, t))),
                  (float)sqrt(1.0 - pow(cfg->beta2, t))};
    nn_par_run(nn_par_threads(), step_part, &j);
    return norm;
}
