/* results/results_gan_read.c: the outputs of a GAN job read back (results_read.h), for `report`
 * and `info`.  Sizes come from the datasets' shapes, checked against each other. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/results_read.h"
#include "util/error.h"
#include "util/h5.h"

/* Dataset NAME of /jobs/JJJJ: its shape (rank dims), and its values (malloc'd into *out unless
 * out is NULL). */
static int read_dset(const sc_results_file *rf, int job, const char *name, int rank,
                     hsize_t *dims, hid_t type, size_t esize, void **out)
{
    char p[64];
    hid_t d = -1;
    int rc = -1;
    snprintf(p, sizeof p, "/jobs/%04d/%s", job, name);
    SC_TRY((d = sc_h5_open_dset((hid_t)rf->h5_file, rf->path, p, "(not a GAN job?)")) < 0);
    SC_TRY(sc_h5_dset_shape(d, rf->path, p, rank, dims));
    if (out) {
        size_t n = 1;
        for (int i = 0; i < rank; i++) n *= (size_t)dims[i];
        SC_CHECK(n <= ((size_t)1 << 34) / esize, "%s: %s: too large", rf->path, p);
        *out = sc_xmalloc(esize * (n ? n : 1));
        if (n) SC_H5(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out), "%s: cannot read %s",
                     rf->path, p);
    }
    rc = 0;
fail:
    if (d >= 0) H5Dclose(d);
    return rc;
}

void sc_gan_result_free(sc_gan_result *g)
{
    void *all[] = {g->label_sets, g->examples, g->example_labels, g->intensity_max, g->loss_d,
                   g->loss_g, g->d_real, g->d_fake, g->d_wrong, g->hist_real, g->hist_synth, g->hist_w1,
                   g->mean_real, g->mean_synth, g->mean_rmse};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(all[i]);
    memset(g, 0, sizeof *g);
}

int sc_results_read_gan(const sc_results_file *rf, int gan, sc_gan_result *g)
{
    memset(g, 0, sizeof *g);
    SC_CHECK(gan >= 0 && gan < rf->n_gan, "%s: GAN job %d out of range", rf->path, gan);
    const sc_job_row *row = &rf->gan_rows[gan];
    const int j = row->id;
    g->job = j;
    g->n_train = row->n_train;
    g->n_synth = row->n_synth;
    hsize_t d4[4], d2[2], d1[1], s2[2], h2[2];
#define R(name, rank, dims, type, ptr)                                                             \
    SC_TRY(read_dset(rf, j, name, rank, dims, type, sizeof *(ptr), (void **)&(ptr)))
    R("label_sets", 2, s2, H5T_NATIVE_UINT8, g->label_sets);
    g->n_sets = (int)s2[0];
    SC_CHECK((int)s2[1] == rf->l && g->n_sets >= 1, "%s: /jobs/%04d/label_sets: shape", rf->path,
             j);
    R("examples", 4, d4, H5T_NATIVE_FLOAT, g->examples);
    g->n_examples = (int)d4[0], g->v = (int)d4[1], g->h = (int)d4[2], g->w = (int)d4[3];
    R("example_labels", 2, d2, H5T_NATIVE_UINT8, g->example_labels);
    SC_CHECK(d2[0] == d4[0] && (int)d2[1] == rf->l, "%s: /jobs/%04d/example_labels: shape",
             rf->path, j);
    R("intensity_max", 1, d1, H5T_NATIVE_FLOAT, g->intensity_max);
    SC_CHECK((int)d1[0] == g->v, "%s: /jobs/%04d/intensity_max: shape", rf->path, j);
    R("loss_d", 1, d1, H5T_NATIVE_FLOAT, g->loss_d);
    g->epochs = (int)d1[0];
    R("loss_g", 1, d1, H5T_NATIVE_FLOAT, g->loss_g);
    SC_CHECK((int)d1[0] == g->epochs, "%s: /jobs/%04d: loss histories differ", rf->path, j);
    R("d_real", 1, d1, H5T_NATIVE_FLOAT, g->d_real);
    SC_CHECK((int)d1[0] == g->epochs, "%s: /jobs/%04d: histories differ", rf->path, j);
    R("d_fake", 1, d1, H5T_NATIVE_FLOAT, g->d_fake);
    SC_CHECK((int)d1[0] == g->epochs, "%s: /jobs/%04d: histories differ", rf->path, j);
    R("d_wrong", 1, d1, H5T_NATIVE_FLOAT, g->d_wrong);
    SC_CHECK((int)d1[0] == g->epochs, "%s: /jobs/%04d: histories differ", rf->path, j);
    R("hist_real", 2, h2, H5T_NATIVE_FLOAT, g->hist_real);
    g->bins = (int)h2[1];
    SC_CHECK((int)h2[0] == g->v && g->bins >= 1, "%s: /jobs/%04d/hist_real: shape", rf->path, j);
    R("hist_synth", 2, d2, H5T_NATIVE_FLOAT, g->hist_synth);
    SC_CHECK(d2[0] == h2[0] && d2[1] == h2[1], "%s: /jobs/%04d/hist_synth: shape", rf->path, j);
    R("hist_w1", 2, d2, H5T_NATIVE_DOUBLE, g->hist_w1);
    SC_CHECK((int)d2[0] == g->v && d2[1] == 2, "%s: /jobs/%04d/hist_w1: shape", rf->path, j);
    R("mean_real", 4, d4, H5T_NATIVE_FLOAT, g->mean_real);
    SC_CHECK((int)d4[0] == g->n_sets && (int)d4[1] == g->v && (int)d4[2] == g->h &&
                 (int)d4[3] == g->w, "%s: /jobs/%04d/mean_real: shape", rf->path, j);
    R("mean_synth", 4, d4, H5T_NATIVE_FLOAT, g->mean_synth);
    SC_CHECK((int)d4[0] == g->n_sets && (int)d4[1] == g->v && (int)d4[2] == g->h &&
                 (int)d4[3] == g->w, "%s: /jobs/%04d/mean_synth: shape", rf->path, j);
    R("mean_rmse", 2, d2, H5T_NATIVE_DOUBLE, g->mean_rmse);
    SC_CHECK((int)d2[0] == g->n_sets && d2[1] == 2, "%s: /jobs/%04d/mean_rmse: shape", rf->path,
             j);
#undef R
    return 0;
fail:
    sc_gan_result_free(g);
    return -1;
}

int sc_results_read_gan_samples_range(const sc_results_file *rf, const sc_gan_result *g,
                                      int64_t first, int64_t count, float *out)
{
    char p[64];
    hid_t d = -1, fs = -1, ms = -1;
    int rc = -1;
    snprintf(p, sizeof p, "/jobs/%04d/samples", g->job);
    SC_CHECK(first >= 0 && count >= 0 && first + count <= g->n_synth,
             "%s: %s: samples %lld to %lld of %lld", rf->path, p, (long long)first,
             (long long)(first + count), (long long)g->n_synth);
    if (count == 0) return 0;
    hsize_t dims[4], start[4] = {(hsize_t)first, 0, 0, 0};
    SC_TRY((d = sc_h5_open_dset((hid_t)rf->h5_file, rf->path, p, "(not a GAN job?)")) < 0);
    SC_TRY(sc_h5_dset_shape(d, rf->path, p, 4, dims));
    SC_CHECK((int64_t)dims[0] == g->n_synth && (int)dims[1] == g->v && (int)dims[2] == g->h &&
                 (int)dims[3] == g->w, "%s: %s: shape", rf->path, p);
    hsize_t cnt[4] = {(hsize_t)count, dims[1], dims[2], dims[3]};
    SC_H5(fs = H5Dget_space(d), "%s: %s", rf->path, p);
    SC_H5(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL), "%s: %s", rf->path, p);
    SC_H5(ms = H5Screate_simple(4, cnt, NULL), "%s: %s", rf->path, p);
    SC_H5(H5Dread(d, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, out), "%s: cannot read %s", rf->path,
          p);
    rc = 0;
fail:
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    if (d >= 0) H5Dclose(d);
    return rc;
}
