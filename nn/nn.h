/* nn/nn.h: the public API of the network library (the contract jobs/ and augment/ use).
 *
 * A network is built from an architecture file (configs/archs/NAME.cfg, libconfig) for a given
 * input shape, number of outputs and maximum batch size; all memory is allocated then, in one
 * arena each for parameters, gradients, optimizer state and activations, plus one shared
 * workspace, so a training step never allocates.  Layout is NCHW float32.
 *
 * nn knows nothing of MPI, folds or results: it trains on batches handed to it.
 * Errors follow util/error.h: -1 / NULL with a message. */
#ifndef SC_NN_NN_H
#define SC_NN_NN_H

#include <stddef.h>
#include <stdint.h>

typedef struct nn_net nn_net;

typedef struct {
    int in_c, in_h, in_w; /* input: channels (= views), height, width */
    int n_out;            /* outputs (labels) */
    int batch;            /* maximum batch size */
} nn_shape;

/* Resolve an architecture name ("dspic") to a file: NAME if it is a path to an existing file,
 * else DIR/NAME.cfg for DIR in: $SPECTCV_ARCH_PATH (colon-separated), the directory given,
 * ./configs/archs, and the installed share/spectcv/configs/archs. */
int nn_arch_resolve(const char *name, const char *dir, char *out, size_t out_size);

/* Parse an architecture file and build the network for `shape`.  Errors name file:line. */
nn_net *nn_net_build(const char *arch_path, const nn_shape *shape);
void nn_net_free(nn_net *net);

/* Initialize every parameter from `seed` (the architecture file chooses the initializer per
 * layer; default PyTorch's). Resets batch-norm running statistics and optimizer state. */
void nn_net_init(nn_net *net, uint64_t seed);

size_t nn_net_num_params(const nn_net *net);
/* Multiply-adds of one forward pass of one image. */
double nn_net_forward_macs(const nn_net *net);
/* One line per layer with output shape and parameter count (for `info` and logs). */
void nn_net_describe(const nn_net *net, char *buf, size_t size);

/* ---- training ---- */
typedef enum { NN_OPT_SGD = 0, NN_OPT_ADAM, NN_OPT_ADAMW } nn_opt_kind;
typedef enum { NN_SCHED_CONSTANT = 0, NN_SCHED_STEP, NN_SCHED_COSINE } nn_sched_kind;

typedef struct {
    nn_opt_kind kind;
    float lr, momentum, beta1, beta2, eps, weight_decay;
    int nesterov;
    float clip_norm; /* 0 = no clipping */
    nn_sched_kind schedule;
    int step_size;   /* epochs between decays (step schedule) */
    float gamma;     /* decay factor (step schedule) */
} nn_optim_cfg;

/* Defaults: Adam, lr 1e-3, betas (0.9, 0.999), eps 1e-8, no decay, constant schedule. */
void nn_optim_defaults(nn_optim_cfg *cfg);

/* Fill x [b][in_c][in_h][in_w] and y [b][n_out] for the samples idx[0..b-1] (indices into the
 * caller's training set).  The caller applies augmentation here. Return 0 or -1 (error set). */
typedef int (*nn_fill_fn)(void *ctx, const int64_t *idx, int b, float *x, float *y);

typedef struct {
    int epochs;
    int batch;               /* <= shape.batch */
    nn_optim_cfg optim;
    uint64_t seed;           /* batch order and dropout masks */
    const float *pos_weight; /* [n_out] BCE positive-class weights, or NULL */
} nn_train_cfg;

/* Train for cfg->epochs over n_train samples, shuffled each epoch.  history[e] receives the
 * mean training loss of epoch e (array of cfg->epochs).  A NaN or Inf loss stops training with
 * an error naming the epoch and step. */
int nn_fit(nn_net *net, const nn_train_cfg *cfg, int64_t n_train, nn_fill_fn fill, void *ctx,
           float *history);

/* Eval-mode forward of b <= shape.batch images; probs [b][n_out] = sigmoid(logits). */
int nn_predict(nn_net *net, const float *x, int b, float *probs);

/* OpenBLAS threads used by this process (default 1). */
void nn_set_threads(int threads);

#endif
