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

/* torch: total = ||(||g_1||, ..., ||g_k||)||_2, coefficient max / (total + 1e-6), clamped to 1.
 * Without clipping the norm is not needed and not computed (a pass over every gradient). */
static double clip(nn_net *net, float max_norm)
{
    if (!(max_norm > 0.0f)) return NAN;
    float *g = net->grads;
    double ss = 0.0;
    for (size_t i = 0; i < net->n_params; i++) ss += (double)g[i] * g[i];
    const double total = sqrt(ss);
    const double coef = max_norm / (total + 1e-6);
    if (coef < 1.0) {
        const float cf = (float)coef;
        NN_LOOP16(i, net->n_params, g[i] *= cf);
    }
    return total;
}

typedef struct {
    nn_net *net;
    const nn_optim_cfg *cfg;
    float lr, step, bc2s;
} step_job;

/* The update loops, one per optimizer and without branches inside, on restrict pointers, so
 * that GCC vectorizes them at -O2 (with per-element branches and possible aliasing they ran
 * scalar: the Adam step of AlexNet's 57 M parameters was a third of a training step).  Each
 * element sees the same IEEE operations in the same order as torch's (sqrt and division are
 * correctly rounded in vector lanes too), so the results do not change. */
static void sgd_loop(size_t n, float *restrict p, const float *restrict g, float *restrict m,
                     float lr, float wd, float mu, int first, int nesterov)
{
    if (!(mu > 0.0f)) {
        NN_LOOP16(i, n, p[i] -= lr * (g[i] + wd * p[i]));
    } else if (first) { /* torch: the buffer starts as the first gradient */
        if (nesterov)
            NN_LOOP16(i, n, { float d = g[i] + wd * p[i]; m[i] = d; p[i] -= lr * (d + mu * d); });
        else
            NN_LOOP16(i, n, { float d = g[i] + wd * p[i]; m[i] = d; p[i] -= lr * d; });
    } else if (nesterov) {
        NN_LOOP16(i, n, {
            float d = g[i] + wd * p[i];
            float b = mu * m[i] + d;
            m[i] = b;
            p[i] -= lr * (d + mu * b);
        });
    } else {
        NN_LOOP16(i, n, {
            float b = mu * m[i] + (g[i] + wd * p[i]);
            m[i] = b;
            p[i] -= lr * b;
        });
    }
}

static void adam_loop(size_t n, float *restrict p, const float *restrict g, float *restrict m,
                      float *restrict v, float b1, float b2, float eps, float step, float bc2s,
                      float wd, float decay, int adamw)
{
    if (adamw)
        NN_LOOP16(i, n, {
            float gi = g[i];
            p[i] *= decay;
            float mi = m[i] * b1 + gi * (1.0f - b1);
            float vi = v[i] * b2 + (1.0f - b2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] += -step * (mi / (sqrtf(vi) / bc2s + eps));
        });
    else
        NN_LOOP16(i, n, {
            float gi = g[i] + wd * p[i];
            float mi = m[i] * b1 + gi * (1.0f - b1);
            float vi = v[i] * b2 + (1.0f - b2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] += -step * (mi / (sqrtf(vi) / bc2s + eps));
        });
}

/* The update of parameters [lo, hi): element-wise, so threads may split them freely. */
static void step_part(void *arg, int t, int nt)
{
    const step_job *j = arg;
    const nn_optim_cfg *cfg = j->cfg;
    nn_net *net = j->net;
    size_t lo, hi;
    nn_par_range(net->n_params, t, nt, &lo, &hi);
    float *p = net->params + lo, *g = net->grads + lo;
    float *m = net->opt + lo, *v = net->opt + net->n_params + lo;
    const size_t n = hi - lo;
    const float wd = cfg->weight_decay, lr = j->lr;
    if (cfg->kind == NN_OPT_SGD) {
        sgd_loop(n, p, g, m, lr, wd, cfg->momentum, net->opt_steps == 1, cfg->nesterov);
        return;
    }
    const int adamw = cfg->kind == NN_OPT_ADAMW;
    adam_loop(n, p, g, m, v, cfg->beta1, cfg->beta2, cfg->eps, j->step, j->bc2s, wd,
              adamw ? 1.0f - lr * wd : 1.0f, adamw);
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
