/* results/results_gan.c: the objects of the GAN jobs in the results file (results.h,
 * sc_gan_outputs): created with the file, written by the worker that ran the job, read by the
 * workers of the classifier jobs that train on the samples. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/results.h"
#include "results/results_priv.h"
#include "util/error.h"
#include "util/h5.h"

/* One dataset of a GAN job: its name, element type and shape (from the job's sizes). */
typedef struct {
    const char *name;
    int type; /* 0 float32, 1 float64, 2 uint8, 3 int32 */
    int rank;
    hsize_t dims[4];
} gan_dset;

static void dset_table(const sc_results *r, int gi, int64_t n_train, int64_t n_synth,
                       gan_dset *t)
{
    const sc_gan_layout *g = &r->gan;
    const hsize_t S = (hsize_t)r->gan_sets[gi], E = (hsize_t)r->gan_examples[gi];
    const hsize_t V = (hsize_t)g->v, H = (hsize_t)g->h, W = (hsize_t)g->w, L = (hsize_t)r->l;
    const hsize_t N = (hsize_t)n_synth, ep = (hsize_t)g->epochs, B = (hsize_t)g->bins;
    t[G_TRAIN_INDEX] = (gan_dset){"train_index", 3, 1, {(hsize_t)n_train}};
    t[G_LABEL_SETS] = (gan_dset){"label_sets", 2, 2, {S, L}};
    t[G_SAMPLES] = (gan_dset){"samples", 0, 4, {N, V, H, W}};
    t[G_SAMPLE_LABELS] = (gan_dset){"sample_labels", 2, 2, {N, L}};
    t[G_EXAMPLES] = (gan_dset){"examples", 0, 4, {E, V, H, W}};
    t[G_EXAMPLE_LABELS] = (gan_dset){"example_labels", 2, 2, {E, L}};
    t[G_INTENSITY_MAX] = (gan_dset){"intensity_max", 0, 1, {V}};
    t[G_LOSS_D] = (gan_dset){"loss_d", 0, 1, {ep}};
    t[G_LOSS_G] = (gan_dset){"loss_g", 0, 1, {ep}};
    t[G_D_REAL] = (gan_dset){"d_real", 0, 1, {ep}};
    t[G_D_FAKE] = (gan_dset){"d_fake", 0, 1, {ep}};
    t[G_D_WRONG] = (gan_dset){"d_wrong", 0, 1, {ep}};
    t[G_GENERATOR] = (gan_dset){"generator", 0, 1, {(hsize_t)g->n_state}};
    t[G_HIST_REAL] = (gan_dset){"hist_real", 0, 2, {V, B}};
    t[G_HIST_SYNTH] = (gan_dset){"hist_synth", 0, 2, {V, B}};
    t[G_HIST_W1] = (gan_dset){"hist_w1", 1, 2, {V, 2}};
    t[G_MEAN_REAL] = (gan_dset){"mean_real", 0, 4, {S, V, H, W}};
    t[G_MEAN_SYNTH] = (gan_dset){"mean_synth", 0, 4, {S, V, H, W}};
    t[G_MEAN_RMSE] = (gan_dset){"mean_rmse", 1, 2, {S, 2}};
}

static hid_t native(int type)
{
    return type == 0 ? H5T_NATIVE_FLOAT
           : type == 1 ? H5T_NATIVE_DOUBLE
           : type == 2 ? H5T_NATIVE_UINT8
                       : H5T_NATIVE_INT32;
}

static size_t npoints(const gan_dset *d)
{
    size_t n = 1;
    for (int i = 0; i < d->rank; i++) n *= (size_t)d->dims[i];
    return n;
}

static int gan_index(const sc_results *r, int job)
{
    int gi = job - r->n_cls;
    if (gi < 0 || job >= r->n_jobs || !r->gdsets) {
        sc_err_set(NULL, 0, "%s: job %04d is not a GAN job", r->path, job);
        return -1;
    }
    return gi;
}

int sc_results_create_gan(sc_results *r, hid_t g, int job, const sc_job_row *row)
{
    const int gi = job - r->n_cls;
    gan_dset t[N_GAN_DSETS];
    dset_table(r, gi, row->n_train, row->n_synth, t);
    r->gan_train[gi] = row->n_train;
    r->gan_synth[gi] = row->n_synth;
    const float nanf_ = NAN;
    const double nand_ = NAN;
    const uint8_t none = 255;
    const int32_t minus1 = -1;
    for (int k = 0; k < N_GAN_DSETS; k++) {
        const void *fill = t[k].type == 0 ? (const void *)&nanf_
                           : t[k].type == 1 ? (const void *)&nand_
                           : t[k].type == 2 ? (const void *)&none
                                            : (const void *)&minus1;
        r->gdsets[gi][k] = sc_results_dset(r, g, t[k].name, native(t[k].type), t[k].rank,
                                           t[k].dims, fill);
        if (r->gdsets[gi][k] < 0) {
            sc_err_prefix("/jobs/%04d", job);
            goto fail;
        }
    }
    if (r->reopen) return 0; /* the attributes were written with the file */
    const hid_t gen = r->gdsets[gi][G_GENERATOR];
    const sc_h5_str vl = SC_H5_VLEN;
    SC_TRY(sc_h5_write_str_attr(gen, r->path, "layout", r->gan.state_layout, vl));
    SC_TRY(sc_h5_write_str_attr(gen, r->path, "arch_text", r->gan.g_arch_text, vl));
    SC_TRY(sc_h5_write_str_attr(gen, r->path, "arch_json", r->gan.g_arch_json, vl));
    SC_TRY(sc_h5_write_str_attr(gen, r->path, "discriminator_arch_text", r->gan.d_arch_text, vl));
    SC_TRY(sc_h5_write_str_attr(gen, r->path, "discriminator_arch_json", r->gan.d_arch_json, vl));
    return 0;
fail:
    return -1;
}

void sc_results_close_gan(sc_results *r)
{
    if (!r->gdsets) return;
    for (int j = 0; j < r->n_jobs - r->n_cls; j++)
        for (int k = 0; k < N_GAN_DSETS; k++)
            if (r->gdsets[j][k] >= 0) H5Dclose(r->gdsets[j][k]);
}

int sc_results_write_gan(sc_results *res, int job, const sc_gan_outputs *o)
{
    const int gi = gan_index(res, job);
    if (gi < 0) return -1;
    gan_dset t[N_GAN_DSETS];
    dset_table(res, gi, res->gan_train[gi], res->gan_synth[gi], t);
    const void *src[N_GAN_DSETS] = {
        [G_TRAIN_INDEX] = o->train_index, [G_LABEL_SETS] = o->label_sets,
        [G_SAMPLES] = o->samples, [G_SAMPLE_LABELS] = o->sample_labels,
        [G_EXAMPLES] = o->examples, [G_EXAMPLE_LABELS] = o->example_labels,
        [G_INTENSITY_MAX] = o->intensity_max, [G_LOSS_D] = o->loss_d, [G_LOSS_G] = o->loss_g,
        [G_D_REAL] = o->d_real, [G_D_FAKE] = o->d_fake, [G_D_WRONG] = o->d_wrong,
        [G_GENERATOR] = o->generator,
        [G_HIST_REAL] = o->hist_real, [G_HIST_SYNTH] = o->hist_synth, [G_HIST_W1] = o->hist_w1,
        [G_MEAN_REAL] = o->mean_real, [G_MEAN_SYNTH] = o->mean_synth,
        [G_MEAN_RMSE] = o->mean_rmse};
    for (int k = 0; k < N_GAN_DSETS; k++)
        if (src[k] && npoints(&t[k]) > 0)
            SC_TRY(sc_results_write_all(res->gdsets[gi][k], native(t[k].type), src[k], t[k].name));
    return 0;
fail:
    sc_err_prefix("%s: job %04d", res->path, job);
    return -1;
}

int sc_results_read_gan_samples(sc_results *res, int job, float *samples, uint8_t *labels)
{
    const int gi = gan_index(res, job);
    if (gi < 0) return -1;
    if (res->gan_synth[gi] == 0) return 0;
    SC_H5(H5Dread(res->gdsets[gi][G_SAMPLES], H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                  samples),
          "%s: cannot read /jobs/%04d/samples", res->path, job);
    SC_H5(H5Dread(res->gdsets[gi][G_SAMPLE_LABELS], H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL,
                  H5P_DEFAULT, labels),
          "%s: cannot read /jobs/%04d/sample_labels", res->path, job);
    return 0;
fail:
    return -1;
}
