/* nn/bench.c: timing training steps (see bench.h).  The numbers of BENCHMARKS.md come from
 * here, through `spectcv bench`. */
#include "nn/bench.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/arch.h"
#include "nn/layer.h"
#include "util/error.h"
#include "util/rng.h"
#include "util/sys.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double nn_bench_sgemm(int n, int reps)
{
    const size_t nn2 = (size_t)n * n;
    float *a = sc_xmalloc(sizeof(float) * nn2), *b = sc_xmalloc(sizeof(float) * nn2);
    float *c = sc_xcalloc(nn2, sizeof(float));
    for (size_t i = 0; i < nn2; i++) {
        a[i] = (float)(i % 17) * 0.01f;
        b[i] = (float)(i % 13) * 0.01f;
    }
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = sc_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c,
                    n);
        double dt = sc_now() - t0;
        if (dt < best) best = dt;
    }
    free(a), free(b), free(c);
    return 2.0 * n * (double)n * n / best * 1e-9;
}

int nn_bench_run(const char *arch_path, const nn_shape *shape, const nn_bench_cfg *cfg,
                 nn_bench_result *r)
{
    int rc = -1;
    nn_net *net = NULL;
    float *x = NULL, *y = NULL, *dy = NULL;
    double *times = NULL;
    memset(r, 0, sizeof *r);
    SC_CHECK(cfg->steps >= 1 && cfg->warmup >= 0 && cfg->threads >= 1,
             "bench: steps >= 1, warm-up >= 0 and threads >= 1 expected");
    r->rss_before = sc_peak_rss();
    nn_set_threads(cfg->threads);
    net = nn_net_build(arch_path, shape);
    if (!net) goto fail;
    SC_CHECK(net->t[net->out_tensor].d.c == shape->n_out && net->t[net->out_tensor].d.h == 1 &&
                 net->t[net->out_tensor].d.w == 1,
             "bench: %s does not end with n_out outputs", arch_path);
    nn_net_init(net, 1);
    const int B = shape->batch, n_out = shape->n_out;
    const size_t nx = (size_t)B * shape->in_c * shape->in_h * shape->in_w;
    x = sc_xmalloc(sizeof(float) * nx);
    y = sc_xmalloc(sizeof(float) * (size_t)B * n_out);
    dy = sc_xmalloc(sizeof(float) * (size_t)B * n_out);
    sc_rng rng;
    sc_rng_seed(&rng, 7);
    for (size_t i = 0; i < nx; i++) x[i] = sc_rng_uniformf(&rng);
    for (int i = 0; i < B * n_out; i++) y[i] = sc_rng_uniformf(&rng) < 0.5f ? 0.0f : 1.0f;
    nn_optim_cfg opt;
    nn_optim_defaults(&opt);
    times = sc_xmalloc(sizeof(double) * (size_t)cfg->steps);
    for (int s = 0; s < cfg->warmup + cfg->steps; s++) {
        if (s == cfg->warmup) net->prof = sc_xcalloc(2 * (size_t)net->n_layers, sizeof(double));
        double t0 = sc_now();
        nn_zero_grad(net);
        const float *out = nn_forward(net, x, B, 1);
        if (!out) goto fail;
        nn_loss_bce_logits(out, y, B, n_out, NULL, dy);
        if (nn_backward(net, dy, NULL, 0) != 0) goto fail;
        nn_optim_step(net, &opt, opt.lr);
        if (s >= cfg->warmup) times[s - cfg->warmup] = sc_now() - t0;
    }
    r->peak_rss = sc_peak_rss();
    double total = 0.0;
    for (int s = 0; s < cfg->steps; s++) total += times[s];
    qsort(times, (size_t)cfg->steps, sizeof(double), cmp_double);
    r->step_s = cfg->steps % 2 ? times[cfg->steps / 2]
                               : 0.5 * (times[cfg->steps / 2 - 1] + times[cfg->steps / 2]);
    r->forward_macs = nn_net_forward_macs(net);
    r->num_params = nn_net_num_params(net);
    r->images_per_s = B / r->step_s;
    r->train_gflop = 2.0 * NN_TRAIN_PASSES * r->forward_macs * B * 1e-9;
    r->gflops = r->train_gflop / r->step_s;
    double conv_t = 0.0, conv_macs = 0.0;
    for (int i = 0; i < net->n_layers; i++) {
        if (net->L[i].type != NN_LT_CONV) continue;
        conv_t += net->prof[i] + net->prof[net->n_layers + i];
        conv_macs += net->L[i].macs;
    }
    r->conv_gflops = conv_t > 0 ? 6.0 * conv_macs * B * cfg->steps / conv_t * 1e-9 : 0.0;
    r->conv_share = conv_t / total;
    if (cfg->profile) {
        size_t cap = 256 + 128 * (size_t)net->n_layers, used = 0;
        r->profile = sc_xmalloc(cap);
        used += (size_t)snprintf(r->profile, cap, "%-20s %-16s %10s %10s %8s %8s\n", "layer",
                                 "type", "fwd ms", "bwd ms", "share", "GFLOP/s");
        for (int i = 0; i < net->n_layers; i++) {
            const double f = net->prof[i] / cfg->steps, b = net->prof[net->n_layers + i] / cfg->steps;
            const double gf = net->L[i].macs > 0 ? 6.0 * net->L[i].macs * B / (f + b) * 1e-9 : 0.0;
            used += (size_t)snprintf(r->profile + used, cap - used,
                                     "%-20s %-16s %10.2f %10.2f %7.1f%% %8.1f\n", net->L[i].name,
                                     nn_layer_type_name(net->L[i].type), 1e3 * f, 1e3 * b,
                                     100.0 * (f + b) * cfg->steps / total, gf);
        }
    }
    nn_net_arena_sizes(net, &r->arenas);
    r->arena_total = r->arenas.params + r->arenas.grads + r->arenas.optim + r->arenas.state +
                     r->arenas.activations + r->arenas.workspace;
    nn_net_free(net);
    net = NULL;
    r->sgemm_n = 2048; /* OpenBLAS is single-threaded (nn/par.h): the one-thread peak */
    r->sgemm_peak = cfg->no_peak ? NAN : nn_bench_sgemm(r->sgemm_n, 3);
    rc = 0;
fail:
    nn_net_free(net);
    free(x), free(y), free(dy), free(times);
    return rc;
}
