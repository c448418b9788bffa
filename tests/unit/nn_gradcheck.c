/* tests/unit/nn_gradcheck.c: numeric gradient checks of nn networks (see nn_gradcheck.h).
 *
 * Recipe (Caffe's checker, see research/c-nn-anchors.md 6.2): central differences in float,
 * objective sum(r * y) accumulated in double with r random and non-uniform, dropout re-seeded
 * before every forward, tolerance relative to max(|analytic|, |numeric|, 1).  Kinks: inputs can
 * be drawn well apart and away from 0 (ReLU at 0, max-pool ties); where a kink cannot be avoided
 * (inside CBAM), an element whose numeric derivative changes between step h and h/2 is skipped
 * and counted, and the caller bounds the fraction skipped. */
#include "tests/unit/nn_gradcheck.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nn/layer.h"
#include "util/error.h"
#include "util/rng.h"

#define DROP_SEED 12345

void nn_gc_defaults(nn_gc_opts *o)
{
    memset(o, 0, sizeof *o);
    o->step = 1e-2;
    o->tol = 1e-2;
    o->train = 1;
    o->seed = 1;
}

static size_t in_size(const nn_net *net, int b)
{
    return (size_t)b * net->shape.in_c * net->shape.in_h * net->shape.in_w;
}

static size_t out_size(const nn_net *net, int b)
{
    int c, h, w;
    nn_net_out_dims(net, &c, &h, &w);
    return (size_t)b * c * h * w;
}

static double objective(nn_net *net, const float *x, int b, int train, const float *r)
{
    nn_net_seed_dropout(net, DROP_SEED);
    const float *y = nn_forward(net, x, b, train);
    if (!y) {
        fprintf(stderr, "forward failed: %s\n", sc_err_msg());
        abort();
    }
    double f = 0.0;
    for (size_t i = 0; i < out_size(net, b); i++) f += (double)r[i] * y[i];
    return f;
}

static void fill_input(float *x, size_t n, nn_gc_input kind, double step, sc_rng *rng)
{
    if (kind == NN_GC_INPUT_RANDOM) {
        for (size_t i = 0; i < n; i++) x[i] = (float)(2.0 * sc_rng_uniform(rng) - 1.0);
        return;
    }
    /* A random permutation of the grid (k + 1/2) * 4 step, k = -n/2 .. n/2 - 1: values 4 steps
     * apart and at least 2 steps from 0, so no perturbation crosses a tie or a ReLU kink. */
    int *perm = malloc(sizeof(int) * n);
    for (size_t i = 0; i < n; i++) perm[i] = (int)i;
    sc_rng_shuffle_int(rng, perm, (int)n);
    for (size_t i = 0; i < n; i++) x[i] = (float)((perm[i] - (int)(n / 2) + 0.5) * 4.0 * step);
    free(perm);
}

/* Check one tensor `v` [n] whose analytic gradient is `a`. */
static void check_tensor(nn_net *net, float *v, const float *a, size_t n, const float *x, int b,
                         const float *r, const nn_gc_opts *o, const char *what, sc_rng *rng,
                         nn_gc_result *res)
{
    size_t count = n;
    if (o->max_per_tensor > 0 && count > (size_t)o->max_per_tensor) count = (size_t)o->max_per_tensor;
    for (size_t c = 0; c < count; c++) {
        size_t i = count == n ? c : (size_t)sc_rng_below(rng, n);
        const float keep = v[i];
        double num[2];
        for (int k = 0; k < 2; k++) {
            const float h = (float)(o->step / (k + 1));
            v[i] = keep + h;
            double fp = objective(net, x, b, o->train, r);
            v[i] = keep - h;
            double fm = objective(net, x, b, o->train, r);
            v[i] = keep;
            num[k] = (fp - fm) / (2.0 * h);
        }
        const double an = a[i];
        const double scale = fmax(fmax(fabs(an), fabs(num[0])), 1.0);
        if (fabs(num[0] - num[1]) > o->tol * scale) { /* not smooth here: a kink */
            res->skipped++;
            continue;
        }
        res->checked++;
        if (fabs(an) > res->max_abs_grad) res->max_abs_grad = fabs(an);
        if (fabs(an - num[0]) > o->tol * scale) {
            if (!res->failed)
                snprintf(res->first_failure, sizeof res->first_failure,
                         "%s[%zu]: analytic %.6g numeric %.6g (h/2: %.6g)", what, i, an, num[0],
                         num[1]);
            res->failed++;
        }
    }
}

void nn_gc_check_net(nn_net *net, int b, const nn_gc_opts *o, nn_gc_result *res)
{
    memset(res, 0, sizeof *res);
    sc_rng rng;
    sc_rng_seed(&rng, o->seed);
    for (int l = 0; l < net->n_layers; l++)
        for (int j = 0; j < net->L[l].n_par; j++) {
            nn_param *p = &net->L[l].par[j];
            for (size_t i = 0; i < p->n; i++) {
                double u = sc_rng_uniform(&rng);
                p->w[i] = (float)(p->role == NN_ROLE_GAMMA ? 0.5 + u : u - 0.5);
            }
        }
    const size_t nx = in_size(net, b), ny = out_size(net, b);
    float *x = malloc(sizeof(float) * nx), *dx = malloc(sizeof(float) * nx);
    float *r = malloc(sizeof(float) * ny);
    fill_input(x, nx, o->input, o->step, &rng);
    for (size_t i = 0; i < ny; i++) r[i] = (float)(2.0 * sc_rng_uniform(&rng) - 1.0);
    /* Analytic gradients; r is scaled by a power of 2 until the largest gradient is at least 1,
     * so that the tolerance max(|a|, |n|, 1) * tol is relative where it matters. */
    float *g = NULL;
    for (int pass = 0; pass < 2; pass++) {
        nn_zero_grad(net);
        objective(net, x, b, o->train, r);
        if (nn_backward(net, r, dx, 0) != 0) abort();
        g = nn_net_grads(net);
        double big = 0.0;
        for (size_t i = 0; i < nx; i++) big = fmax(big, fabs(dx[i]));
        for (size_t i = 0; i < net->n_params; i++) big = fmax(big, fabs(g[i]));
        if (big >= 1.0 || big == 0.0) break;
        const float scale = exp2f(ceilf(log2f((float)(1.0 / big))));
        for (size_t i = 0; i < ny; i++) r[i] *= scale;
    }
    float *ga = malloc(sizeof(float) * (net->n_params ? net->n_params : 1));
    memcpy(ga, g, sizeof(float) * net->n_params);
    check_tensor(net, x, dx, nx, x, b, r, o, "input", &rng, res);
    for (int l = 0; l < net->n_layers; l++)
        for (int j = 0; j < net->L[l].n_par; j++) {
            nn_param *p = &net->L[l].par[j];
            char what[128];
            snprintf(what, sizeof what, "%s.%s", net->L[l].name, p->name);
            check_tensor(net, p->w, ga + p->off, p->n, x, b, r, o, what, &rng, res);
        }
    free(ga);
    free(x);
    free(dx);
    free(r);
}

static double loss_at(nn_net *net, const float *x, int b, const float *y)
{
    nn_net_seed_dropout(net, DROP_SEED);
    const float *out = nn_forward(net, x, b, 1);
    if (!out) abort();
    return nn_loss_bce_logits(out, y, b, net->shape.n_out, NULL, NULL);
}

/* One directional check in tensor `v` [n] (a parameter tensor or the input): the direction is
 * d = g/|g| + u with u a random unit vector (so that the loss moves measurably above float
 * noise, and a wrong g still shows: the numeric derivative sees the true gradient), the step
 * e is chosen so that the loss should change by `dloss`; compare (f(v + e d) - f(v - e d)) / 2e
 * with g . d. */
static void direction(nn_net *net, float *v, const float *g, size_t n, float *x, int b,
                      const float *y, double dloss, sc_rng *rng, double *analytic,
                      double *numeric)
{
    float *v0 = malloc(sizeof(float) * n), *d = malloc(sizeof(float) * n);
    double *u = malloc(sizeof(double) * n);
    memcpy(v0, v, sizeof(float) * n);
    double gg = 0.0, uu = 0.0;
    for (size_t i = 0; i < n; i++) {
        u[i] = sc_rng_normal(rng);
        gg += (double)g[i] * g[i];
        uu += u[i] * u[i];
    }
    const double gn = sqrt(gg) > 0 ? sqrt(gg) : 1.0, un = sqrt(uu);
    double a = 0.0;
    for (size_t i = 0; i < n; i++) {
        d[i] = (float)(g[i] / gn + u[i] / un);
        a += (double)g[i] * d[i];
    }
    const double e = dloss / fmax(fabs(a), 1e-12);
    double f[2];
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < n; i++) v[i] = v0[i] + (float)(s ? -e : e) * d[i];
        f[s] = loss_at(net, x, b, y);
    }
    memcpy(v, v0, sizeof(float) * n);
    *analytic = a;
    *numeric = (f[0] - f[1]) / (2.0 * e);
    free(v0);
    free(d);
    free(u);
}

#define GC_VALGRIND_TENSORS 4

double nn_gc_check_direction(nn_net *net, int b, uint64_t seed, double dloss, char *worst_what,
                             size_t what_size)
{
    sc_rng rng;
    sc_rng_seed(&rng, seed);
    const size_t nx = in_size(net, b), np = net->n_params, ny = (size_t)b * net->shape.n_out;
    float *x = malloc(sizeof(float) * nx), *dx = malloc(sizeof(float) * nx);
    float *y = malloc(sizeof(float) * ny), *dy = malloc(sizeof(float) * ny);
    float *g = malloc(sizeof(float) * np);
    for (size_t i = 0; i < nx; i++) x[i] = (float)(2.0 * sc_rng_uniform(&rng) - 1.0);
    for (size_t i = 0; i < ny; i++) y[i] = sc_rng_uniform(&rng) < 0.5 ? 0.0f : 1.0f;
    nn_zero_grad(net);
    nn_net_seed_dropout(net, DROP_SEED);
    const float *out = nn_forward(net, x, b, 1);
    nn_loss_bce_logits(out, y, b, net->shape.n_out, NULL, dy);
    if (nn_backward(net, dy, dx, 0) != 0) abort();
    memcpy(g, nn_net_grads(net), sizeof(float) * np);
    /* Group 0: the input; then every parameter tensor. */
    int n_groups = 1;
    for (int l = 0; l < net->n_layers; l++) n_groups += net->L[l].n_par;
    double *an = malloc(sizeof(double) * n_groups), *nu = malloc(sizeof(double) * n_groups);
    char (*what)[96] = malloc(96 * (size_t)n_groups);
    /* Under Valgrind memcheck (tests/run.sh VALGRIND=1 sets SPECTCV_UNDER_VALGRIND) the check
     * follows the input and at most GC_VALGRIND_TENSORS parameter tensors, evenly spaced, not
     * every one: each direction costs forward passes that memcheck runs some 50 times slower
     * (resnet18's check alone ran past 23 CPU minutes), and what memcheck looks for, the
     * network's reads, writes and frees, is the same in every pass.  make check and the
     * sanitizer build follow every tensor. */
    int stride = 1;
    if (getenv("SPECTCV_UNDER_VALGRIND") && n_groups - 1 > GC_VALGRIND_TENSORS)
        stride = (n_groups - 1 + GC_VALGRIND_TENSORS - 1) / GC_VALGRIND_TENSORS;
    int k = 0, t = 0;
    direction(net, x, dx, nx, x, b, y, dloss, &rng, &an[k], &nu[k]);
    snprintf(what[k++], 96, "input");
    for (int l = 0; l < net->n_layers; l++)
        for (int j = 0; j < net->L[l].n_par; j++) {
            if (t++ % stride) continue;
            nn_param *p = &net->L[l].par[j];
            direction(net, p->w, g + p->off, p->n, x, b, y, dloss, &rng, &an[k], &nu[k]);
            snprintf(what[k++], 96, "%s.%s", net->L[l].name, p->name);
        }
    n_groups = k; /* the directions followed */
    double biggest = 0.0, worst = 0.0;
    for (k = 0; k < n_groups; k++) biggest = fmax(biggest, fabs(an[k]));
    for (k = 0; k < n_groups; k++) {
        const double rel = fabs(nu[k] - an[k]) / fmax(fmax(fabs(an[k]), fabs(nu[k])), 1e-3 * biggest);
        if (getenv("GC_DEBUG"))
            fprintf(stderr, "  %-24s analytic %12.6g numeric %12.6g rel %.3g\n", what[k], an[k],
                    nu[k], rel);
        if (rel > worst) {
            worst = rel;
            if (worst_what) snprintf(worst_what, what_size, "%s: analytic %.6g numeric %.6g", what[k], an[k], nu[k]);
        }
    }
    free(an), free(nu), free(what);
    free(x), free(dx), free(y), free(dy), free(g);
    return worst;
}

const char *nn_test_root(void)
{
    static char root[4096];
    if (root[0]) return root;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) abort();
    exe[n] = '\0';
    /* BUILD/tests/test_x with BUILD = build/release or build/san: up three levels. */
    for (int up = 0; up < 4; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash) abort();
        *slash = '\0';
    }
    snprintf(root, sizeof root, "%s", exe);
    return root;
}

const char *nn_test_arch(const char *name)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/configs/archs/%s.cfg", nn_test_root(), name);
    return path;
}

float nn_test_uniform(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((double)(*state >> 40) / (double)(1ull << 24)) * 2.0f - 1.0f;
}

float *nn_test_randoms(uint64_t *state, size_t n)
{
    float *p = malloc(sizeof(float) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) p[i] = nn_test_uniform(state);
    return p;
}
