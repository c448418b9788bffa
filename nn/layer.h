/* nn/layer.h: internals shared by the network builder (net.c) and the layer implementations.
 *
 * A network is a list of layers in topological order over a table of tensors.  Tensor 0 is the
 * network input (the caller's buffer); every layer reads the tensors named by in[] and writes
 * the one named by out.  Residual blocks and concatenations of the architecture file become an
 * "add" or "concat" layer with several inputs, so the drivers stay two plain loops.
 *
 * Backward: a tensor read by several layers gets the sum of their gradients.  The builder
 * precomputes, for each input slot, whether the layer is the first one (in backward order) to
 * write that tensor's gradient (acc[i] = 0: overwrite) or must add to it (acc[i] = 1), so no
 * activation gradient is ever cleared with a memset.  A NULL input gradient (the network input
 * when the caller does not ask for it) means: do not compute it. */
#ifndef SC_NN_LAYER_H
#define SC_NN_LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "nn/nn.h"
#include "util/rng.h"

#define NN_MAX_IN 16
#define NN_MAX_PARAMS 6
#define NN_NAME_MAX 64
#define NN_OUT_SYMBOLIC (-1) /* `out = "n_out"` in the architecture file */

typedef enum {
    NN_LT_CONV = 0,
    NN_LT_CONVT,
    NN_LT_BN,
    NN_LT_RELU,
    NN_LT_LRELU,
    NN_LT_TANH,
    NN_LT_SIGMOID,
    NN_LT_MAXPOOL,
    NN_LT_AVGPOOL,
    NN_LT_ADAPTIVE_AVGPOOL,
    NN_LT_GAP,
    NN_LT_FLATTEN,
    NN_LT_DENSE,
    NN_LT_DROPOUT,
    NN_LT_CBAM,
    NN_LT_RESIDUAL, /* becomes an "add" layer after its branches */
    NN_LT_CONCAT,   /* becomes a "concat" layer after its branches */
    NN_LT_COUNT
} nn_layer_type;

typedef enum {
    NN_INIT_INHERIT = 0, /* the network's default */
    NN_INIT_TORCH,       /* PyTorch defaults: kaiming_uniform(a=sqrt(5)), bias U(+-1/sqrt(fan_in)) */
    NN_INIT_KAIMING_NORMAL, /* N(0, sqrt(2/fan_out)) (mode fan_out, relu), bias 0 */
    NN_INIT_XAVIER_UNIFORM, /* U(+-sqrt(6/(fan_in+fan_out))), bias 0 */
    NN_INIT_XAVIER_NORMAL,  /* N(0, sqrt(2/(fan_in+fan_out))), bias 0 */
    NN_INIT_DCGAN,          /* weights N(0, 0.02), bias 0, BN gamma N(1, 0.02) */
    NN_INIT_COUNT
} nn_init_kind;

/* Hyper-parameters of one layer, as read from the architecture file (see arch.c for the keys). */
typedef struct {
    int out;     /* output channels or features; NN_OUT_SYMBOLIC = the network's n_out */
    int k[2];    /* kernel h, w */
    int s[2];    /* stride */
    int p[2];    /* padding */
    int op[2];   /* output padding (transposed conv) */
    int bias;    /* 1, 0, or -1 = auto (none when directly followed by batch norm) */
    float rate;  /* dropout probability */
    float eps, momentum, slope;
    int reduction;
    int size[2]; /* adaptive pooling output */
    int init;    /* nn_init_kind */
    int algo;    /* conv: 0 = auto (Winograd where it applies, conv_core.c), 1 = im2col + GEMM */
    unsigned set; /* bit (1u << key index) per key given in the file */
} nn_hp;

typedef struct {
    int c, h, w;
} nn_dims;

static inline size_t nn_dims_size(nn_dims d) { return (size_t)d.c * (size_t)d.h * (size_t)d.w; }

typedef struct {
    nn_dims d;
    float *val;  /* [batch][c][h][w] */
    float *grad; /* same shape; NULL = not needed */
    int alias;   /* >= 0: shares the buffers of that tensor (the output of a fused ReLU) */
} nn_tensor;

/* for (size_t I = 0; I < N; I++) BODY, as blocks of 16 plus a tail: GCC's -O2 vectorizer only
 * takes loops it can vectorize whole, which the fixed-size blocks are (with restrict-qualified
 * pointers in BODY).  Used for the element-wise kernels, which are memory-bound once
 * branch-free and vectorized. */
#define NN_LOOP16(I, N, ...)                                                                       \
    do {                                                                                           \
        const size_t nn_n_ = (N);                                                                  \
        size_t nn_b_ = 0;                                                                          \
        for (; nn_b_ + 16 <= nn_n_; nn_b_ += 16)                                                   \
            for (size_t I = nn_b_; I < nn_b_ + 16; I++) {                                          \
                __VA_ARGS__;                                                                       \
            }                                                                                      \
        for (size_t I = nn_b_; I < nn_n_; I++) {                                                   \
            __VA_ARGS__;                                                                           \
        }                                                                                          \
    } while (0)

typedef enum { NN_ROLE_WEIGHT = 0, NN_ROLE_BIAS, NN_ROLE_GAMMA, NN_ROLE_BETA } nn_param_role;

/* One parameter tensor of a layer: a slice of the parameter arena (and the same slice of the
 * gradient arena), with the PyTorch shape it is saved under. */
typedef struct {
    const char *name; /* "weight", "bias", "mlp1.weight", ... */
    int role;         /* nn_param_role: how the initializer treats it */
    int fan_in, fan_out; /* as torch.nn.init computes them for this tensor */
    int ndim, shape[4];
    size_t off, n; /* in floats */
    float *w, *g;
} nn_param;

typedef struct nn_layer nn_layer;
typedef struct nn_layer_ops nn_layer_ops;

struct nn_layer {
    const nn_layer_ops *ops;
    int type; /* nn_layer_type */
    char name[NN_NAME_MAX];
    const char *file; /* where it was defined (owned by the architecture) */
    int line;
    nn_hp hp;
    int in[NN_MAX_IN], n_in, out; /* tensor ids */
    int acc[NN_MAX_IN];           /* backward: add into (not overwrite) input gradient i */
    int relu;                     /* a ReLU that followed this layer is fused into it */
    nn_dims ind, outd;            /* dims of input 0 and of the output */
    nn_param par[NN_MAX_PARAMS];
    int n_par;
    /* Running statistics (batch norm): running_mean [c], running_var [c] in the state arena. */
    float *stat;
    size_t n_stat;
    int64_t batches_tracked;
    /* Per-batch values kept from forward for backward (masks, indices, statistics), in the
     * activation arena: n_save floats and n_isave int32s for the network's maximum batch. */
    float *save;
    int32_t *isave;
    size_t n_save, n_isave;
    size_t ws;   /* workspace floats this layer needs */
    double macs; /* multiply-adds of one forward pass of one image */
};

/* What the drivers pass to a layer for one call. */
typedef struct {
    nn_net *net;
    int b;           /* images in this batch */
    int train;       /* forward: training mode */
    int param_grads; /* backward: compute parameter gradients */
    int beta_p;      /* backward: 0 = overwrite parameter gradients, 1 = add to them */
    float *ws;       /* shared workspace (thread t of a layer's own threads: ws + t * ws_stride) */
    sc_rng *rng;     /* dropout stream */
    int threads;     /* threads the layer may use (nn/par.h) */
    size_t ws_stride;
} nn_ctx;

struct nn_layer_ops {
    const char *type;
    /* From L->ind (and the other inputs), L->hp and the network shape: set L->outd, the
     * parameters (shapes, fans, counts), n_save/n_isave/ws/macs.  On an impossible shape: -1
     * with an error (the caller prefixes file:line and the layer). */
    int (*setup)(nn_layer *L, nn_net *net);
    void (*forward)(nn_layer *L, const nn_ctx *c);
    void (*backward)(nn_layer *L, const nn_ctx *c);
};

struct nn_net {
    nn_shape shape;
    nn_layer *L;
    int n_layers;
    nn_tensor *t;
    int n_tensors;
    int out_tensor;
    /* Arenas (each one allocation). */
    float *params, *grads, *opt, *state, *act, *ws;
    size_t n_params, n_opt, n_state, n_act, n_ws;
    void *raw[6]; /* what to free */
    /* Staging for nn_fit / nn_predict: inputs, targets, output gradient (in the act arena). */
    float *stage_x, *stage_y, *stage_dy;
    sc_rng drop_rng;
    int fwd_b, fwd_train, fwd_valid; /* the last forward pass */
    int grads_zero_pending;          /* nn_zero_grad called; the next backward overwrites */
    int64_t opt_steps;
    int init_kind; /* the network default */
    int has_bn;
    char *arch_text; /* the architecture file as given */
    char *arch_json; /* the resolved architecture (see nn_net_arch_json) */
    char *arch_path;
    double *prof; /* NULL, or per layer: seconds in forward [i], backward [n_layers + i] */
    int threads;  /* nn threads when built: the workspace holds one slice per thread */
};

static inline nn_tensor *nn_in(const nn_layer *L, const nn_ctx *c, int i)
{
    return &c->net->t[L->in[i]];
}
static inline nn_tensor *nn_out(const nn_layer *L, const nn_ctx *c)
{
    return &c->net->t[L->out];
}

/* Register a parameter of L (setup): returns it for the caller to fill fans. */
nn_param *nn_layer_param(nn_layer *L, const char *name, int role, int ndim, const int *shape);

/* The implementations, one per layer type (or NULL where the type is only structural). */
extern const nn_layer_ops nn_conv_ops, nn_convt_ops, nn_bn_ops, nn_relu_ops, nn_lrelu_ops,
    nn_tanh_ops, nn_sigmoid_ops, nn_maxpool_ops, nn_avgpool_ops, nn_adaptive_avgpool_ops,
    nn_gap_ops, nn_flatten_ops, nn_dense_ops, nn_dropout_ops, nn_cbam_ops, nn_add_ops,
    nn_concat_ops, nn_fused_relu_ops;

/* Sizes that every layer setup checks: kernel k with padding p and stride s over n input
 * positions gives floor((n + 2p - k) / s) + 1 outputs; -1 (error set) if k > n + 2p. */
int nn_conv_out_size(const char *what, int n, int k, int s, int p, int *out);

#endif
