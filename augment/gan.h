/* augment/gan.h: the conditional DCGAN (two nn networks trained against each other) and one
 * training step of it; the epoch loop over a training part is gan_train.h.
 *
 * Generator G: input (z, labels) as z + L channels of a 1 x 1 image, output a scan of V x H x W
 * in [-1, 1] (tanh; the GAN's intensity space, gan_intensity.h).  H x W is the GAN's resolution:
 * whatever G's architecture file makes.  Discriminator D: input the scan with its label set as L
 * constant planes (V + L channels of H x W), output one logit.  Both are architecture files
 * (configs/archs/gan_g*.cfg, gan_d*.cfg; docs/gan.md).
 *
 * One step (aug_gan_step), as pytorch/examples' dcgan with its conditional and smoothing changes:
 *   fake = G(z, y)                                  (training mode: batch statistics)
 *   D step: BCE(D(real, y), t_real) + BCE(D(fake, y), 0), real and fake in separate batches (so
 *           that batch norm never mixes them), gradients of both added, one Adam step of D;
 *           t_real = cfg->real_target (0.9: one-sided label smoothing, Salimans et al. 2016).
 *           With cfg->mismatch, the matching-aware discriminator of Reed et al. 2016 (GAN-CLS):
 *           BCE(D(real, y), t_real) + (BCE(D(fake, y), 0) + BCE(D(real, y'), 0)) / 2, y' a label
 *           set other than y: D must check that scan and labels agree, not only that the scan
 *           looks real, so G must draw what the labels say (with the labels as input planes
 *           alone, D can tell real from synthetic without reading them, and G learns to ignore
 *           them: the samples then carry no label signal).
 *   G step: BCE(D'(fake, y), 1) with the updated D' (the non-saturating loss), backpropagated
 *           through D' to its input without touching D's gradients, then through G; one Adam
 *           step of G.
 * The fake batch is conditioned on the real batch's label sets, so both see the same labels.
 * Losses are means over the batch (torch's BCEWithLogitsLoss); the D loss reported is the sum of
 * its two terms, as pytorch/examples prints errD. */
#ifndef SC_AUGMENT_GAN_H
#define SC_AUGMENT_GAN_H

#include <stdint.h>

#include "nn/nn.h"
#include "util/rng.h"

typedef struct {
    int z;             /* noise values per sample */
    int epochs;        /* passes over the training part */
    int batch;         /* real scans per step */
    nn_optim_cfg optim; /* both networks (Adam, lr 2e-4, betas 0.5 and 0.999) */
    float real_target; /* D's target for real scans (one-sided smoothing; 1 = none) */
    int mismatch;      /* 1: D also learns to reject real scans shown with a wrong label set */
} aug_gan_cfg;

/* Defaults: z 100, 100 epochs, batch 32, Adam lr 2e-4, beta1 0.5, beta2 0.999, target 0.9,
 * no mismatch term. */
void aug_gan_defaults(aug_gan_cfg *cfg);
/* -1 with an error naming the field if a value is out of range. */
int aug_gan_check(const aug_gan_cfg *cfg);

typedef struct aug_gan aug_gan;

/* Build G from g_path and D from d_path for scans of v views and l labels, noise of z values,
 * up to `batch` samples per call.  G must make v x H x W with H, W >= 2 from a 1 x 1 input, D
 * take (v + l) x H x W to one value; errors name the file and what does not fit. */
aug_gan *aug_gan_build(const char *g_path, const char *d_path, int v, int l, int z, int batch);
void aug_gan_free(aug_gan *g);

/* The GAN's resolution (G's output height and width). */
void aug_gan_dims(const aug_gan *g, int *h, int *w);
nn_net *aug_gan_generator(aug_gan *g);
nn_net *aug_gan_discriminator(aug_gan *g);
/* Multiply-adds of one forward pass of one sample through G and through D. */
void aug_gan_macs(const aug_gan *g, double *g_macs, double *d_macs);

/* Initialize both networks from seed (each its own stream) and reset both optimizers. */
void aug_gan_init(aug_gan *g, uint64_t seed);

typedef struct {
    double d_loss;  /* BCE(D(real), t_real) + BCE(D(fake), 0), before D's update */
    double g_loss;  /* BCE(D'(fake), 1), after it */
    double d_real;  /* mean sigmoid(D(real)): D's belief that real scans are real */
    double d_fake;  /* mean sigmoid(D(fake)) before D's update */
    double d_wrong; /* mean sigmoid(D(real, wrong labels)) (mismatch; NaN without) */
} aug_gan_stats;

/* One training step on b <= batch real scans real [b][v][H][W] (in [-1, 1]) with their label sets
 * labels [b][l] (0/1) and noise z [b][z]; wrong [b][l]: a label set other than each scan's, for
 * the mismatch term (NULL: none).  lr is the step's learning rate (both networks).  A loss that
 * is not finite is an error (nothing is updated after it). */
int aug_gan_step(aug_gan *g, const aug_gan_cfg *cfg, float lr, const float *real,
                 const float *labels, const float *wrong, const float *z, int b,
                 aug_gan_stats *st);

/* Generate n samples out [n][v][H][W] for labels [n][l] and noise z [n][z], in evaluation mode
 * (batch norm's running statistics: each sample is a function of its own z and labels only). */
int aug_gan_generate(aug_gan *g, const float *labels, const float *z, int n, float *out);

/* count standard normal values (the noise z) from rng. */
void aug_gan_noise(sc_rng *rng, float *z, int64_t count);

#endif
