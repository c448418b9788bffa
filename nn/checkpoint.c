/* nn/checkpoint.c: see checkpoint.h. */
#include "nn/checkpoint.h"

#include <stdlib.h>
#include <string.h>

#include "nn/layer.h"
#include "nn/weights.h"
#include "util/error.h"
#include "util/h5.h"

static int write_array(hid_t g, const char *name, hid_t ftype, hid_t mtype, size_t n,
                       const void *data, const char *where)
{
    hid_t sp = -1, d = -1;
    int rc = -1;
    hsize_t dim = (hsize_t)n;
    SC_H5(sp = H5Screate_simple(1, &dim, NULL), "%s: %s", where, name);
    SC_H5(d = H5Dcreate2(g, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
          "%s: cannot create %s", where, name);
    if (n) SC_H5(H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "%s: cannot write %s",
                 where, name);
    rc = 0;
fail:
    if (d >= 0) H5Dclose(d);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

static int read_array(hid_t g, const char *name, hid_t mtype, size_t n, void *data,
                      const char *where)
{
    hid_t d = -1, sp = -1;
    int rc = -1;
    SC_CHECK(H5Lexists(g, name, H5P_DEFAULT) > 0, "%s: missing %s", where, name);
    SC_H5(d = H5Dopen2(g, name, H5P_DEFAULT), "%s: cannot open %s", where, name);
    SC_H5(sp = H5Dget_space(d), "%s: %s", where, name);
    SC_CHECK((size_t)H5Sget_simple_extent_npoints(sp) == n, "%s: %s holds %lld values, the "
             "network needs %zu (a checkpoint of another architecture?)", where, name,
             (long long)H5Sget_simple_extent_npoints(sp), n);
    if (n) SC_H5(H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "%s: cannot read %s",
                 where, name);
    rc = 0;
fail:
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    return rc;
}

static int attr(hid_t g, const char *name, hid_t ftype, hid_t mtype, size_t n, void *data,
                int write, const char *where)
{
    return write ? sc_h5_write_nums_attr(g, where, name, ftype, mtype, (int)n, data)
                 : sc_h5_read_nums_attr(g, where, name, NULL, mtype, (int)n, data);
}

/* The batch-norm layers' batch counts, in layer order. */
static int n_bn(const nn_net *net)
{
    int k = 0;
    for (int i = 0; i < net->n_layers; i++) k += net->L[i].n_stat > 0;
    return k;
}

int nn_train_state_write(const nn_net *net, hid_t g, const char *where)
{
    const size_t ns = nn_state_size(net);
    float *state = sc_xmalloc(sizeof(float) * (ns ? ns : 1));
    int64_t *bt = sc_xmalloc(sizeof(int64_t) * (size_t)(n_bn(net) + 1));
    int rc = -1, k = 0;
    nn_state_get(net, state);
    for (int i = 0; i < net->n_layers; i++)
        if (net->L[i].n_stat) bt[k++] = net->L[i].batches_tracked;
    long long steps = net->opt_steps;
    uint64_t rng[4];
    memcpy(rng, net->drop_rng.s, sizeof rng);
    double spare[2] = {net->drop_rng.has_spare, net->drop_rng.spare};
    SC_TRY(write_array(g, "state", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, ns, state, where));
    SC_TRY(write_array(g, "optim", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, net->n_opt, net->opt, where));
    SC_TRY(write_array(g, "batches_tracked", H5T_STD_I64LE, H5T_NATIVE_INT64, (size_t)k, bt,
                       where));
    SC_TRY(attr(g, "optim_steps", H5T_STD_I64LE, H5T_NATIVE_LLONG, 1, &steps, 1, where));
    SC_TRY(attr(g, "rng", H5T_STD_U64LE, H5T_NATIVE_UINT64, 4, rng, 1, where));
    SC_TRY(attr(g, "rng_spare", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, spare, 1, where));
    rc = 0;
fail:
    free(state);
    free(bt);
    return rc;
}

int nn_train_state_read(nn_net *net, hid_t g, const char *where)
{
    const size_t ns = nn_state_size(net);
    const int nb = n_bn(net);
    float *state = sc_xmalloc(sizeof(float) * (ns ? ns : 1));
    int64_t *bt = sc_xmalloc(sizeof(int64_t) * (size_t)(nb + 1));
    int rc = -1, k = 0;
    long long steps = 0;
    uint64_t rng[4];
    double spare[2];
    SC_TRY(read_array(g, "state", H5T_NATIVE_FLOAT, ns, state, where));
    SC_TRY(read_array(g, "optim", H5T_NATIVE_FLOAT, net->n_opt, net->opt, where));
    SC_TRY(read_array(g, "batches_tracked", H5T_NATIVE_INT64, (size_t)nb, bt, where));
    SC_TRY(attr(g, "optim_steps", H5T_STD_I64LE, H5T_NATIVE_LLONG, 1, &steps, 0, where));
    SC_TRY(attr(g, "rng", H5T_STD_U64LE, H5T_NATIVE_UINT64, 4, rng, 0, where));
    SC_TRY(attr(g, "rng_spare", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, spare, 0, where));
    nn_state_set(net, state);
    for (int i = 0; i < net->n_layers; i++)
        if (net->L[i].n_stat) net->L[i].batches_tracked = bt[k++];
    net->opt_steps = steps;
    memcpy(net->drop_rng.s, rng, sizeof rng);
    net->drop_rng.has_spare = spare[0] != 0.0;
    net->drop_rng.spare = spare[1];
    rc = 0;
fail:
    free(state);
    free(bt);
    return rc;
}
