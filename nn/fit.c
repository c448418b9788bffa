/* nn/fit.c: the training loop (nn_fit) and prediction (nn_predict); rules in nn.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/layer.h"
#include "util/error.h"
#include "util/seeds.h"

static int check_classifier(const nn_net *net, const char *what)
{
    nn_dims d = net->t[net->out_tensor].d;
    if (d.c != net->shape.n_out || d.h != 1 || d.w != 1) {
        sc_err_set(NULL, 0, "%s: the network outputs %dx%dx%d per image, not the %d outputs of a "
                   "classifier (end the architecture with a dense layer of out = \"n_out\")",
                   what, d.c, d.h, d.w, net->shape.n_out);
        return -1;
    }
    return 0;
}

static void shuffle(int64_t *a, int64_t n, uint64_t seed)
{
    sc_rng r;
    sc_rng_seed(&r, seed);
    for (int64_t i = 0; i < n; i++) a[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)sc_rng_below(&r, (uint64_t)i + 1);
        int64_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

/* One optimizer step on the staged batch; returns its mean loss (NaN/Inf are the caller's). */
static int train_step(nn_net *net, const nn_train_cfg *cfg, int b, float lr, double *loss)
{
    const int n_out = net->shape.n_out;
    nn_zero_grad(net);
    const float *out = nn_forward(net, net->stage_x, b, 1);
    if (!out) return -1;
    *loss = cfg->loss == NN_LOSS_SOFTMAX_CE
                ? nn_loss_softmax_ce(out, net->stage_y, b, n_out, net->stage_dy)
                : nn_loss_bce_logits(out, net->stage_y, b, n_out, cfg->pos_weight, net->stage_dy);
    if (!isfinite(*loss)) return 0;
    if (nn_backward(net, net->stage_dy, NULL, 0) != 0) return -1;
    nn_optim_step(net, &cfg->optim, lr);
    return 0;
}

int nn_fit(nn_net *net, const nn_train_cfg *cfg, int64_t n_train, nn_fill_fn fill, void *ctx,
           float *history)
{
    int rc = -1;
    int64_t *order = NULL;
    SC_CHECK(cfg->epochs >= 1, "training: epochs must be at least 1 (got %d)", cfg->epochs);
    SC_CHECK(cfg->batch >= 1 && cfg->batch <= net->shape.batch,
             "training: batch %d must be between 1 and the network's maximum %d", cfg->batch,
             net->shape.batch);
    SC_CHECK(n_train >= 1, "training: no training samples");
    SC_CHECK(!(net->has_bn && n_train == 1),
             "training: a network with batch norm cannot train on a single sample");
    SC_CHECK(cfg->loss == NN_LOSS_BCE || cfg->loss == NN_LOSS_SOFTMAX_CE,
             "training: unknown loss %d", (int)cfg->loss);
    SC_CHECK(fill != NULL && history != NULL, "training: no fill function or history array");
    SC_TRY(nn_optim_check(&cfg->optim));
    SC_TRY(check_classifier(net, "training"));

    order = sc_xmalloc(sizeof(int64_t) * (size_t)n_train);
    const nn_fit_pos *st = cfg->start;
    SC_CHECK(!st || (st->epoch >= 0 && st->epoch < cfg->epochs && st->next >= 0 &&
                     st->next <= n_train),
             "training: cannot continue at epoch %d, sample %lld", st ? st->epoch + 1 : 0,
             st ? (long long)st->next : 0LL);
    if (!st) {
        nn_optim_reset(net);
        nn_net_seed_dropout(net, sc_seed4(cfg->seed, SC_SEED_NN_DROPOUT, 0, 0, 0));
    }
    const size_t in_sz = (size_t)net->shape.in_c * net->shape.in_h * net->shape.in_w;
    for (int e = st ? st->epoch : 0; e < cfg->epochs; e++) {
        const float lr = nn_optim_lr(&cfg->optim, e, cfg->epochs);
        shuffle(order, n_train, sc_seed4(cfg->seed, SC_SEED_NN_ORDER, (uint64_t)e, 0, 0));
        const int resumed = st && e == st->epoch;
        nn_fit_pos pos = {e, resumed ? st->next : 0, resumed ? st->step : 0,
                          resumed ? st->sum : 0.0, resumed ? st->seen : 0};
        while (pos.next < n_train) {
            const int64_t start = pos.next;
            const int b = (int)(n_train - start < cfg->batch ? n_train - start : cfg->batch);
            pos.next += b;
            if (b == 1 && b < cfg->batch && net->has_bn) continue; /* see nn.h */
            pos.step++;
            memset(net->stage_x, 0, sizeof(float) * in_sz * (size_t)b);
            memset(net->stage_y, 0, sizeof(float) * (size_t)net->shape.n_out * b);
            if (fill(ctx, order + start, b, net->stage_x, net->stage_y) != 0) {
                sc_err_prefix("epoch %d, step %d", e + 1, pos.step);
                goto fail;
            }
            double loss;
            if (train_step(net, cfg, b, lr, &loss) != 0) {
                sc_err_prefix("epoch %d, step %d", e + 1, pos.step);
                goto fail;
            }
            /* The one caller is spectcv's classifier job: the hint names its key. */
            SC_CHECK(isfinite(loss), "epoch %d, step %d: loss is %s (not finite): training "
                     "diverged; lower train.lr", e + 1, pos.step, isnan(loss) ? "NaN" : "Inf");
            pos.sum += loss * b;
            pos.seen += b;
            if (pos.next == n_train) history[e] = (float)(pos.sum / (double)pos.seen);
            if (cfg->hook && cfg->hook(cfg->hook_ctx, net, &pos, history)) {
                rc = 1;
                goto fail;
            }
        }
        history[e] = (float)(pos.sum / (double)pos.seen);
        if (cfg->epoch_hook) {
            const int h = cfg->epoch_hook(cfg->hook_ctx, net, e, history);
            if (h < 0) {
                sc_err_prefix("epoch %d", e + 1);
                goto fail;
            }
            if (h == 1) break;
        }
    }
    rc = 0;
fail:
    free(order);
    return rc;
}

int nn_predict_logits(nn_net *net, const float *x, int b, float *logits)
{
    if (check_classifier(net, "prediction") != 0) return -1;
    const float *out = nn_forward(net, x, b, 0);
    if (!out) return -1;
    memcpy(logits, out, sizeof(float) * (size_t)b * net->shape.n_out);
    return 0;
}

int nn_predict(nn_net *net, const float *x, int b, float *probs)
{
    if (nn_predict_logits(net, x, b, probs) != 0) return -1;
    for (size_t i = 0; i < (size_t)b * net->shape.n_out; i++) {
        const float z = probs[i], e = expf(-fabsf(z));
        probs[i] = z >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
    }
    return 0;
}
