/* nn/net.c: building a network from an architecture (layers, tensors, arenas), the forward and
 * backward drivers, and the small accessors of nn.h.
 *
 * Memory: one allocation each for parameters, their gradients, optimizer state, running
 * statistics, activations (values, gradients, what layers keep for backward, and the staging
 * buffers of nn_fit) and the shared workspace.  Every slice starts on a 64-byte boundary. */
#include "nn/nn.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/arch.h"
#include "nn/layer.h"
#include "nn/par.h"
#include "util/error.h"
#include "util/sys.h"

#define ALIGN_F 16 /* floats per 64 bytes */
static size_t align_up(size_t n) { return (n + ALIGN_F - 1) / ALIGN_F * ALIGN_F; }

static const nn_layer_ops *ops_of(int type)
{
    switch (type) {
    case NN_LT_CONV: return &nn_conv_ops;
    case NN_LT_CONVT: return &nn_convt_ops;
    case NN_LT_BN: return &nn_bn_ops;
    case NN_LT_RELU: return &nn_relu_ops;
    case NN_LT_LRELU: return &nn_lrelu_ops;
    case NN_LT_TANH: return &nn_tanh_ops;
    case NN_LT_SIGMOID: return &nn_sigmoid_ops;
    case NN_LT_MAXPOOL: return &nn_maxpool_ops;
    case NN_LT_AVGPOOL: return &nn_avgpool_ops;
    case NN_LT_ADAPTIVE_AVGPOOL: return &nn_adaptive_avgpool_ops;
    case NN_LT_GAP: return &nn_gap_ops;
    case NN_LT_FLATTEN: return &nn_flatten_ops;
    case NN_LT_DENSE: return &nn_dense_ops;
    case NN_LT_DROPOUT: return &nn_dropout_ops;
    case NN_LT_CBAM: return &nn_cbam_ops;
    case NN_LT_RESIDUAL: return &nn_add_ops;
    case NN_LT_CONCAT: return &nn_concat_ops;
    default: return NULL;
    }
}

nn_param *nn_layer_param(nn_layer *L, const char *name, int role, int ndim, const int *shape)
{
    nn_param *p = &L->par[L->n_par++];
    memset(p, 0, sizeof *p);
    p->name = name;
    p->role = role;
    p->ndim = ndim;
    p->n = 1;
    for (int i = 0; i < ndim; i++) {
        p->shape[i] = shape[i];
        p->n *= (size_t)shape[i];
    }
    return p;
}

int nn_conv_out_size(const char *what, int n, int k, int s, int p, int *out)
{
    if (k > n + 2 * p) {
        sc_err_set(NULL, 0, "%s %d is larger than its padded input %d (input %d + 2 x pad %d)",
                   what, k, n + 2 * p, n, p);
        return -1;
    }
    *out = (n + 2 * p - k) / s + 1;
    return 0;
}

/* ---- building ---- */

typedef struct {
    nn_net *net;
    int cap_l, cap_t;
} builder;

static int add_tensor(builder *B, nn_dims d)
{
    nn_net *net = B->net;
    if (net->n_tensors == B->cap_t) {
        B->cap_t = B->cap_t ? 2 * B->cap_t : 32;
        net->t = sc_xrealloc(net->t, sizeof(nn_tensor) * (size_t)B->cap_t);
    }
    nn_tensor *t = &net->t[net->n_tensors];
    memset(t, 0, sizeof *t);
    t->d = d;
    t->alias = -1;
    return net->n_tensors++;
}

static int add_layer(builder *B, const nn_spec *sp, const int *in, int n_in, int *out)
{
    nn_net *net = B->net;
    if (net->n_layers == B->cap_l) {
        B->cap_l = B->cap_l ? 2 * B->cap_l : 32;
        net->L = sc_xrealloc(net->L, sizeof(nn_layer) * (size_t)B->cap_l);
    }
    nn_layer *L = &net->L[net->n_layers];
    memset(L, 0, sizeof *L);
    L->type = sp->type;
    L->ops = ops_of(sp->type);
    snprintf(L->name, sizeof L->name, "%s", sp->name);
    L->file = sp->file;
    L->line = sp->line;
    L->hp = sp->hp;
    L->n_in = n_in;
    memcpy(L->in, in, sizeof(int) * (size_t)n_in);
    L->ind = net->t[in[0]].d;
    if (L->ops->setup(L, net) != 0) {
        char what[128];
        nn_spec_what(sp, what, sizeof what);
        sc_err_prefix("%s:%d: %s (input %dx%dx%d, network input %dx%dx%d)", sp->file, sp->line,
                      what, L->ind.c, L->ind.h, L->ind.w, net->shape.in_c, net->shape.in_h,
                      net->shape.in_w);
        return -1;
    }
    if (sp->type == NN_LT_BN) net->has_bn = 1;
    net->n_layers++;
    L->out = add_tensor(B, L->outd);
    *out = L->out;
    return 0;
}

static int build_list(builder *B, const nn_spec_list *l, int in, int *out)
{
    int t = in;
    for (int i = 0; i < l->n; i++) {
        const nn_spec *sp = &l->v[i];
        int ins[NN_MAX_IN], n_in = 0;
        if (sp->type == NN_LT_RESIDUAL) {
            if (build_list(B, &sp->sub[0], t, &ins[0]) != 0) return -1;
            ins[1] = t;
            if (sp->n_sub > 1 && build_list(B, &sp->sub[1], t, &ins[1]) != 0) return -1;
            n_in = 2;
        } else if (sp->type == NN_LT_CONCAT) {
            for (int j = 0; j < sp->n_sub; j++)
                if (build_list(B, &sp->sub[j], t, &ins[n_in++]) != 0) return -1;
        } else {
            ins[n_in++] = t;
        }
        if (add_layer(B, sp, ins, n_in, &t) != 0) return -1;
    }
    *out = t;
    return 0;
}

/* A zeroed arena of n floats starting on a 64-byte boundary; *raw receives what to free.
 * NULL, with "out of memory: WHAT needs N MiB", when it cannot be had: the arenas are what a
 * network's size and batch make large (a job's memory, docs/cluster.md), so that job fails with
 * this message and the sweep goes on, where a small allocation's failure ends the process. */
static float *arena(size_t n, void **raw, const char *what)
{
    size_t bytes = (n + ALIGN_F) * sizeof(float);
    char *p = calloc(1, bytes);
    *raw = p;
    if (!p) {
        sc_err_set(NULL, 0, "out of memory: %.1f MiB for the network's %s",
                   (double)bytes / (1 << 20), what);
        return NULL;
    }
    return (float *)(p + (64 - (uintptr_t)p % 64) % 64);
}

static int layout(nn_net *net)
{
    const size_t B = (size_t)net->shape.batch;
    size_t np = 0, ns = 0, na = 0, nws = 0;
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *L = &net->L[i];
        for (int j = 0; j < L->n_par; j++) {
            L->par[j].off = np;
            np += align_up(L->par[j].n);
        }
        ns += align_up(L->n_stat);
        na += align_up(L->n_save) + align_up(L->n_isave);
        if (L->ws > nws) nws = L->ws;
    }
    for (int i = 1; i < net->n_tensors; i++) {
        if (net->t[i].alias >= 0) continue;
        size_t sz = align_up(B * nn_dims_size(net->t[i].d));
        na += i == net->out_tensor ? sz : 2 * sz;
    }
    size_t in_sz = (size_t)net->shape.in_c * net->shape.in_h * net->shape.in_w;
    size_t out_sz = nn_dims_size(net->t[net->out_tensor].d);
    na += align_up(B * in_sz) + align_up(B * (size_t)net->shape.n_out) + align_up(B * out_sz);

    net->n_params = np;
    net->n_state = ns;
    net->n_act = na;
    net->n_ws = nws;
    net->n_opt = 2 * np;
    net->threads = nn_par_threads(); /* one workspace per thread */
    if (!(net->params = arena(np, &net->raw[0], "parameters")) ||
        !(net->grads = arena(np, &net->raw[1], "gradients")) ||
        !(net->opt = arena(net->n_opt, &net->raw[2], "optimizer state")) ||
        !(net->state = arena(ns, &net->raw[3], "statistics")) ||
        !(net->act = arena(na, &net->raw[4], "activations (at this batch size)")) ||
        !(net->ws = arena(nws * (size_t)net->threads, &net->raw[5], "workspaces")))
        return -1;

    float *a = net->act, *st = net->state;
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *L = &net->L[i];
        for (int j = 0; j < L->n_par; j++) {
            L->par[j].w = net->params + L->par[j].off;
            L->par[j].g = net->grads + L->par[j].off;
        }
        if (L->n_stat) L->stat = st;
        st += align_up(L->n_stat);
        if (L->n_save) L->save = a;
        a += align_up(L->n_save);
        if (L->n_isave) L->isave = (int32_t *)a; /* int32 and float have the same size */
        a += align_up(L->n_isave);
    }
    for (int i = 1; i < net->n_tensors; i++) {
        if (net->t[i].alias >= 0) { /* allocated before it: aliases point backwards */
            net->t[i].val = net->t[net->t[i].alias].val;
            net->t[i].grad = net->t[net->t[i].alias].grad;
            continue;
        }
        size_t sz = align_up(B * nn_dims_size(net->t[i].d));
        net->t[i].val = a;
        a += sz;
        if (i != net->out_tensor) {
            net->t[i].grad = a;
            a += sz;
        }
    }
    net->stage_x = a;
    a += align_up(B * in_sz);
    net->stage_y = a;
    a += align_up(B * (size_t)net->shape.n_out);
    net->stage_dy = a;
    return 0;
}

/* A ReLU right after a conv, dense or batch-norm layer, as the only reader of its output, is
 * done by that layer (max(0, .) as it writes, the mask from its output in backward): one pass
 * over the activations instead of two or three, and no memory for the ReLU's tensors.  The
 * ReLU stays in the list (names, descriptions) with nothing to do, its output an alias of its
 * input.  Dense layers then need room for the masked output gradient (conv layers always
 * reserve it, see nn_conv_ws). */
static void fuse_relus(nn_net *net)
{
    int *consumers = sc_xcalloc((size_t)net->n_tensors, sizeof(int));
    int *producer = sc_xmalloc(sizeof(int) * (size_t)net->n_tensors);
    for (int i = 0; i < net->n_tensors; i++) producer[i] = -1;
    for (int i = 0; i < net->n_layers; i++) {
        producer[net->L[i].out] = i;
        for (int j = 0; j < net->L[i].n_in; j++) consumers[net->L[i].in[j]]++;
    }
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *L = &net->L[i];
        if (L->type != NN_LT_RELU || L->out == net->out_tensor) continue;
        const int t = L->in[0], p = producer[t];
        if (p < 0 || consumers[t] != 1) continue;
        nn_layer *P = &net->L[p];
        if (P->type != NN_LT_CONV && P->type != NN_LT_DENSE && P->type != NN_LT_BN) continue;
        P->relu = 1;
        if (P->type == NN_LT_DENSE) P->ws += (size_t)net->shape.batch * P->outd.c;
        L->ops = &nn_fused_relu_ops;
        net->t[L->out].alias = t;
    }
    free(consumers);
    free(producer);
}

/* acc[i]: does a layer processed earlier in backward order already write this input's
 * gradient?  Then this one adds to it. */
static void plan_accumulation(nn_net *net)
{
    char *written = sc_xcalloc((size_t)net->n_tensors, 1);
    for (int i = net->n_layers - 1; i >= 0; i--) {
        nn_layer *L = &net->L[i];
        for (int j = 0; j < L->n_in; j++) {
            L->acc[j] = written[L->in[j]];
            written[L->in[j]] = 1;
        }
    }
    free(written);
}

static nn_net *build(nn_arch *arch, const nn_shape *shape)
{
    nn_net *net = NULL;
    if (!shape || shape->in_c < 1 || shape->in_h < 1 || shape->in_w < 1 || shape->n_out < 1 ||
        shape->batch < 1) {
        sc_err_set(NULL, 0, "network shape: channels, height, width, outputs and batch must be "
                   "positive");
        goto fail;
    }
    if (nn_arch_finalize(arch, shape->n_out) != 0) goto fail;
    net = sc_xcalloc(1, sizeof *net);
    net->shape = *shape;
    net->init_kind = arch->init;
    builder B = {net, 0, 0};
    add_tensor(&B, (nn_dims){shape->in_c, shape->in_h, shape->in_w});
    if (build_list(&B, &arch->layers, 0, &net->out_tensor) != 0) goto fail;
    fuse_relus(net);
    plan_accumulation(net);
    if (layout(net) != 0) goto fail;
    net->arch_json = nn_arch_json(arch, shape);
    net->arch_text = arch->text;
    arch->text = NULL;
    nn_arch_free(arch);
    nn_net_init(net, 0);
    return net;
fail:
    nn_arch_free(arch);
    nn_net_free(net);
    return NULL;
}

nn_net *nn_net_build(const char *arch_path, const nn_shape *shape)
{
    nn_arch arch;
    if (nn_arch_load_file(arch_path, &arch) != 0) return NULL;
    nn_net *net = build(&arch, shape);
    if (net) net->arch_path = sc_xstrdup(arch_path);
    return net;
}

nn_net *nn_net_build_text(const char *text, const char *label, const nn_shape *shape)
{
    nn_arch arch;
    if (nn_arch_load_text(text, label, &arch) != 0) return NULL;
    nn_net *net = build(&arch, shape);
    if (net) net->arch_path = sc_xstrdup(label);
    return net;
}

void nn_net_free(nn_net *net)
{
    if (!net) return;
    free(net->L);
    free(net->t);
    for (int i = 0; i < 6; i++) free(net->raw[i]);
    free(net->arch_text);
    free(net->arch_json);
    free(net->arch_path);
    free(net->prof);
    free(net);
}

/* ---- drivers ---- */

/* Threads for this pass: the current setting, at most what the workspace was sized for. */
static int threads_of(const nn_net *net)
{
    int t = nn_par_threads();
    return t < net->threads ? t : net->threads;
}

const float *nn_forward(nn_net *net, const float *x, int b, int train)
{
    net->fwd_valid = 0;
    if (!x || b < 1 || b > net->shape.batch) {
        sc_err_set(NULL, 0, "forward: batch of %d images (expected 1 to %d)", b, net->shape.batch);
        return NULL;
    }
    if (train) {
        for (int i = 0; i < net->n_layers; i++) {
            const nn_layer *L = &net->L[i];
            if (L->type == NN_LT_BN && (long)b * L->ind.h * L->ind.w < 2) {
                sc_err_set(NULL, 0, "batch norm layer '%s' needs more than 1 value per channel "
                           "in training (batch %d, %dx%d positions)", L->name, b, L->ind.h,
                           L->ind.w);
                return NULL;
            }
        }
    }
    net->t[0].val = (float *)x;
    nn_ctx c = {net, b, train, 0, 0, net->ws, &net->drop_rng, threads_of(net), net->n_ws};
    if (net->prof) {
        for (int i = 0; i < net->n_layers; i++) {
            double t0 = sc_now();
            net->L[i].ops->forward(&net->L[i], &c);
            net->prof[i] += sc_now() - t0;
        }
    } else {
        for (int i = 0; i < net->n_layers; i++) net->L[i].ops->forward(&net->L[i], &c);
    }
    net->fwd_b = b;
    net->fwd_train = train;
    net->fwd_valid = 1;
    return net->t[net->out_tensor].val;
}

int nn_backward(nn_net *net, const float *dy, float *dx, int flags)
{
    if (!net->fwd_valid || !dy) {
        sc_err_set(NULL, 0, "backward: no forward pass to differentiate (or no output gradient)");
        return -1;
    }
    const int param_grads = !(flags & NN_BACKWARD_NO_PARAM_GRADS);
    nn_tensor *out = &net->t[net->out_tensor];
    out->grad = (float *)dy; /* read only: layers never write their output gradient */
    net->t[0].grad = dx;
    nn_ctx c = {net,     net->fwd_b,      net->fwd_train, param_grads, !net->grads_zero_pending,
                net->ws, &net->drop_rng, threads_of(net), net->n_ws};
    for (int i = net->n_layers - 1; i >= 0; i--) {
        double t0 = net->prof ? sc_now() : 0.0;
        net->L[i].ops->backward(&net->L[i], &c);
        if (net->prof) net->prof[net->n_layers + i] += sc_now() - t0;
    }
    out->grad = NULL;
    net->t[0].grad = NULL;
    if (param_grads) net->grads_zero_pending = 0;
    return 0;
}

void nn_zero_grad(nn_net *net) { net->grads_zero_pending = 1; }

float *nn_net_grads(nn_net *net)
{
    if (net->grads_zero_pending) {
        memset(net->grads, 0, sizeof(float) * net->n_params);
        net->grads_zero_pending = 0;
    }
    return net->grads;
}

void nn_net_seed_dropout(nn_net *net, uint64_t seed) { sc_rng_seed(&net->drop_rng, seed); }

/* ---- accessors ---- */

size_t nn_net_num_params(const nn_net *net)
{
    size_t n = 0;
    for (int i = 0; i < net->n_layers; i++)
        for (int j = 0; j < net->L[i].n_par; j++) n += net->L[i].par[j].n;
    return n;
}

double nn_net_forward_macs(const nn_net *net)
{
    double m = 0;
    for (int i = 0; i < net->n_layers; i++) m += net->L[i].macs;
    return m;
}

void nn_net_out_dims(const nn_net *net, int *c, int *h, int *w)
{
    nn_dims d = net->t[net->out_tensor].d;
    *c = d.c;
    *h = d.h;
    *w = d.w;
}

const nn_shape *nn_net_shape(const nn_net *net) { return &net->shape; }

const char *nn_net_arch_json(const nn_net *net) { return net->arch_json; }
const char *nn_net_arch_text(const nn_net *net) { return net->arch_text; }

static nn_layer *find_layer(const nn_net *net, const char *layer)
{
    for (int i = 0; i < net->n_layers; i++)
        if (!strcmp(net->L[i].name, layer)) return &net->L[i];
    sc_err_set(NULL, 0, "no layer named '%s'", layer);
    return NULL;
}

float *nn_net_param(nn_net *net, const char *layer, const char *param, size_t *n, int grad)
{
    nn_layer *L = find_layer(net, layer);
    if (!L) return NULL;
    for (int j = 0; j < L->n_par; j++) {
        if (strcmp(L->par[j].name, param)) continue;
        if (n) *n = L->par[j].n;
        if (grad) nn_net_grads(net);
        return grad ? L->par[j].g : L->par[j].w;
    }
    if (L->n_stat && (!strcmp(param, "running_mean") || !strcmp(param, "running_var")) && !grad) {
        size_t c = L->n_stat / 2;
        if (n) *n = c;
        return L->stat + (param[8] == 'm' ? 0 : c);
    }
    sc_err_set(NULL, 0, "layer '%s' has no parameter '%s'", layer, param);
    return NULL;
}

void nn_net_arena_sizes(const nn_net *net, nn_arena_sizes *s)
{
    s->params = net->n_params * sizeof(float);
    s->grads = net->n_params * sizeof(float);
    s->optim = net->n_opt * sizeof(float);
    s->state = net->n_state * sizeof(float);
    s->activations = net->n_act * sizeof(float);
    s->workspace = net->n_ws * (size_t)net->threads * sizeof(float);
}

void nn_net_describe(const nn_net *net, char *buf, size_t size)
{
    size_t used = 0;
    if (size) buf[0] = '\0';
    for (int i = 0; i < net->n_layers && used < size; i++) {
        const nn_layer *L = &net->L[i];
        size_t np = 0;
        for (int j = 0; j < L->n_par; j++) np += L->par[j].n;
        int k = snprintf(buf + used, size - used, "%-20s %-16s -> %4d x %4d x %4d  %10zu params\n",
                         L->name, nn_layer_type_name(L->type), L->outd.c, L->outd.h, L->outd.w,
                         np);
        if (k < 0) break;
        used += (size_t)k;
    }
    if (used < size)
        snprintf(buf + used, size - used, "total %zu parameters, %.4g GMAC per image\n",
                 nn_net_num_params(net), nn_net_forward_macs(net) * 1e-9);
}

