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
/* The same from the text of an architecture file; `label` stands for the file name in errors
 * (a `base` it names is looked up with nn_arch_resolve). */
nn_net *nn_net_build_text(const char *text, const char *label, const nn_shape *shape);
void nn_net_free(nn_net *net);
/* The resolved architecture of a file as JSON (nn_net_arch_json's text for that shape) without
 * building the network (no memory for its parameters), and the texts of every file it reads
 * (itself, then its bases; each after a line "# ---- PATH"), for provenance.  Both malloc'd;
 * -1 with an error naming the file on a bad file (shapes are checked only when built). */
int nn_arch_resolved(const char *arch_path, const nn_shape *shape, char **json, char **texts);

/* Initialize every parameter from `seed` (the architecture file chooses the initializer per
 * layer; default PyTorch's). Resets batch-norm running statistics and optimizer state. */
void nn_net_init(nn_net *net, uint64_t seed);

size_t nn_net_num_params(const nn_net *net);
/* Multiply-adds of one forward pass of one image. */
double nn_net_forward_macs(const nn_net *net);
/* One line per layer with output shape and parameter count (for `info` and logs). */
void nn_net_describe(const nn_net *net, char *buf, size_t size);

const nn_shape *nn_net_shape(const nn_net *net);
/* Output of one image: n_out x 1 x 1 for a classifier; any shape (e.g. a GAN generator's image). */
void nn_net_out_dims(const nn_net *net, int *c, int *h, int *w);
/* The architecture file's text, and the resolved architecture as JSON (format
 * "spectcv-arch/1", see nn/arch_json.c): both owned by the net. */
const char *nn_net_arch_text(const nn_net *net);
const char *nn_net_arch_json(const nn_net *net);

/* A parameter tensor by layer and parameter name ("weight", "bias"; batch norm also
 * "running_mean", "running_var"), PyTorch layout; grad = 1 for its gradient.  NULL + error if
 * there is no such parameter.  *n receives the element count. */
float *nn_net_param(nn_net *net, const char *layer, const char *param, size_t *n, int grad);

/* Bytes of each arena (for `bench` and logs). */
typedef struct {
    size_t params, grads, optim, state, activations, workspace;
} nn_arena_sizes;
void nn_net_arena_sizes(const nn_net *net, nn_arena_sizes *s);

/* ---- lower level: one step at a time (the GAN in augment/ trains two nets against each other)
 *
 * nn_forward runs b images x [b][in_c][in_h][in_w] (kept by reference until nn_backward: do
 * not modify it in between) in training (train = 1: batch statistics, dropout) or eval mode and
 * returns the output [b][c][h][w] (owned by the net, valid until its next forward).
 * nn_backward takes dL/d(output) dy (same shape) and, if dx is not NULL, writes dL/dx into it;
 * parameter gradients are ADDED to the stored ones (as torch's .backward()), unless flags has
 * NN_BACKWARD_NO_PARAM_GRADS: then only dx is computed and the net's gradients are untouched
 * (backprop through a discriminator to its input without updating it).  nn_zero_grad clears
 * the gradients (lazily: the next backward overwrites instead of adding).
 *
 * A GAN generator step: G forward (train) -> D forward (train) -> loss gradient dl ->
 * nn_backward(D, dl, dx_fake, NN_BACKWARD_NO_PARAM_GRADS) -> nn_backward(G, dx_fake, NULL, 0)
 * -> nn_optim_step(G). */
#define NN_BACKWARD_NO_PARAM_GRADS 1
const float *nn_forward(nn_net *net, const float *x, int b, int train);
int nn_backward(nn_net *net, const float *dy, float *dx, int flags);
void nn_zero_grad(nn_net *net);
/* The flat gradient array (nn_net_num_params entries plus alignment padding, which stays 0). */
float *nn_net_grads(nn_net *net);
/* Re-seed the stream dropout masks are drawn from (each training forward draws new masks). */
void nn_net_seed_dropout(nn_net *net, uint64_t seed);
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
/* -1 with an error naming the field if a value is out of range. */
int nn_optim_check(const nn_optim_cfg *cfg);

/* Learning rate of epoch e (0-based) of `epochs` (torch's StepLR / CosineAnnealingLR with
 * T_max = epochs, eta_min = 0, stepped once per epoch). */
float nn_optim_lr(const nn_optim_cfg *cfg, int epoch, int epochs);
/* One optimizer step with learning rate lr on the stored gradients (clipping them first to
 * cfg->clip_norm when set), as torch.optim.SGD / Adam / AdamW do.  Returns the gradient norm
 * before clipping when clipping is on, NaN (not computed) when it is off. */
double nn_optim_step(nn_net *net, const nn_optim_cfg *cfg, float lr);
/* Forget the optimizer state (moments, momentum buffers, step count). */
void nn_optim_reset(nn_net *net);

/* ---- losses (mean reduction, computed in double; dlogits may be NULL) ---- */
/* torch.nn.BCEWithLogitsLoss: mean over b x n of
 * (1 - y) x + (1 + (pw - 1) y) log(1 + exp(-x)), pw = pos_weight[j] or 1. */
double nn_loss_bce_logits(const float *logits, const float *y, int b, int n,
                          const float *pos_weight, float *dlogits);
/* torch.nn.CrossEntropyLoss with probability targets: mean over b of -sum_j y_j log softmax(x)_j
 * (a one-hot y gives the usual class-index loss). */
double nn_loss_softmax_ce(const float *logits, const float *y, int b, int n, float *dlogits);
typedef enum { NN_LOSS_BCE = 0, NN_LOSS_SOFTMAX_CE } nn_loss_kind;

/* Fill x [b][in_c][in_h][in_w] and y [b][n_out] for the samples idx[0..b-1] (indices into the
 * caller's training set).  The caller applies augmentation here. Return 0 or -1 (error set). */
typedef int (*nn_fill_fn)(void *ctx, const int64_t *idx, int b, float *x, float *y);

/* Where a training stands between two steps: enough, with the network's training state
 * (nn/checkpoint.h), to go on as if it had never stopped. */
typedef struct {
    int epoch;    /* the epoch in progress, from 0 */
    int64_t next; /* samples of its order trained on */
    int step;     /* its steps taken */
    double sum;   /* its loss so far, summed over its samples */
    int64_t seen; /* samples in that sum */
} nn_fit_pos;

/* Called after every step with the position after it and the history so far: 0 goes on, 1
 * stops the training (nn_fit returns 1).  A checkpoint is written from here. */
typedef int (*nn_fit_hook)(void *ctx, nn_net *net, const nn_fit_pos *pos, const float *history);
/* Called after every finished epoch (history[epoch] set; also for the epoch a continued
 * training finishes right away): 0 goes on, 1 ends the training after this epoch (nn_fit
 * returns 0: early stopping), -1 fails it (error set). */
typedef int (*nn_epoch_hook)(void *ctx, nn_net *net, int epoch, const float *history);

typedef struct {
    int epochs;
    int batch;               /* <= shape.batch */
    nn_optim_cfg optim;
    uint64_t seed;           /* batch order and dropout masks */
    const float *pos_weight; /* [n_out] BCE positive-class weights, or NULL */
    nn_loss_kind loss;       /* default (0) BCE on logits */
    nn_fit_hook hook;        /* may be NULL */
    nn_epoch_hook epoch_hook; /* may be NULL */
    void *hook_ctx;          /* of both hooks */
    /* NULL: start afresh (optimizer reset, dropout seeded).  Else continue from this position
     * of a training whose state (weights, optimizer, dropout stream) the net holds already and
     * whose history[0 .. epoch] (the finished epochs) the caller's history holds. */
    const nn_fit_pos *start;
} nn_train_cfg;

/* Train for cfg->epochs over n_train samples, shuffled each epoch.  history[e] receives the
 * mean training loss of epoch e (array of cfg->epochs).  A NaN or Inf loss stops training with
 * an error naming the epoch and step.
 *
 * Details: the optimizer state is reset at the start; the order of epoch e is a Fisher-Yates
 * shuffle seeded from (cfg->seed, e) and dropout masks come from a stream seeded from
 * cfg->seed, so equal seeds give bit-identical weights (with one BLAS thread).  Batches are
 * cfg->batch consecutive samples of the order; the last, partial batch is kept, except when it
 * holds a single sample and the net has batch norm (its batch statistics would be undefined:
 * torch refuses such a batch), then it is skipped for that epoch.  The learning rate follows
 * cfg->optim's schedule per epoch.  history[e] is the mean loss over the samples of epoch e (each
 * batch's mean loss weighted by its size).  Epochs and steps in messages count from 1.
 * Returns 0 when trained, -1 on an error, 1 when cfg->hook stopped it (the training continues
 * from the last position the hook saw, bit for bit, with cfg->start). */
int nn_fit(nn_net *net, const nn_train_cfg *cfg, int64_t n_train, nn_fill_fn fill, void *ctx,
           float *history);

/* Eval-mode forward of b <= shape.batch images; probs [b][n_out] = sigmoid(logits). */
int nn_predict(nn_net *net, const float *x, int b, float *probs);
/* The same, the raw outputs (logits). */
int nn_predict_logits(nn_net *net, const float *x, int b, float *logits);

/* Threads used by nn in this process (default 1).  OpenBLAS itself stays single-threaded: nn
 * splits images, channels and features over its own threads (nn/par.h).  Set it before
 * building a network: a network uses at most the count in effect when it was built. */
void nn_set_threads(int threads);

/* The OpenBLAS kernels to prefer on this CPU over those OpenBLAS picks itself, as a value of
 * OPENBLAS_CORETYPE ("Haswell" on AMD Zen 4, where OpenBLAS 0.3.21 runs slower AVX-512 kernels;
 * nn/blas_core.c), or NULL.  OpenBLAS reads that variable once, when it is loaded: the spectcv
 * executable sets it before then (pipeline/main.c) unless the user has set it. */
const char *nn_blas_preferred_core(void);
/* The kernels OpenBLAS runs (openblas_get_corename). */
const char *nn_blas_core(void);
/* OpenBLAS's build: version and options (openblas_get_config, e.g. "OpenBLAS 0.3.21
 * DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64"). */
const char *nn_blas_config(void);

#endif
