/* nn/weights.c: model weights in HDF5 (see weights.h and docs/formats.md "Model weights"). */
#include "nn/weights.h"

#include <stdio.h>
#include <string.h>

#include "nn/layer.h"
#include "util/error.h"
#include "util/h5.h"

#define FORMAT "spectcv-weights/1"

static int has_link(hid_t loc, const char *name)
{
    return H5Lexists(loc, name, H5P_DEFAULT) > 0;
}

static int write_string_attr(hid_t loc, const char *name, const char *value)
{
    int rc = -1;
    hid_t type = -1, space = -1, attr = -1;
    if (H5Aexists(loc, name) > 0) SC_H5(H5Adelete(loc, name), "cannot replace attribute %s", name);
    SC_H5(type = H5Tcopy(H5T_C_S1), "H5Tcopy");
    SC_H5(H5Tset_size(type, H5T_VARIABLE), "H5Tset_size");
    SC_H5(H5Tset_cset(type, H5T_CSET_UTF8), "H5Tset_cset");
    SC_H5(space = H5Screate(H5S_SCALAR), "H5Screate");
    SC_H5(attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT),
          "cannot create attribute %s", name);
    SC_H5(H5Awrite(attr, type, &value), "cannot write attribute %s", name);
    rc = 0;
fail:
    if (attr >= 0) H5Aclose(attr);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    return rc;
}

static int write_attr(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, int n,
                      const void *data)
{
    int rc = -1;
    hid_t space = -1, attr = -1;
    hsize_t dim = (hsize_t)n;
    if (H5Aexists(loc, name) > 0) SC_H5(H5Adelete(loc, name), "cannot replace attribute %s", name);
    SC_H5(space = n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, NULL), "H5Screate");
    SC_H5(attr = H5Acreate2(loc, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT),
          "cannot create attribute %s", name);
    SC_H5(H5Awrite(attr, mem_type, data), "cannot write attribute %s", name);
    rc = 0;
fail:
    if (attr >= 0) H5Aclose(attr);
    if (space >= 0) H5Sclose(space);
    return rc;
}

static int write_dataset(hid_t loc, const char *name, int ndim, const int *shape, hid_t file_type,
                         hid_t mem_type, const void *data)
{
    int rc = -1;
    hid_t space = -1, dset = -1;
    hsize_t dims[4];
    for (int i = 0; i < ndim; i++) dims[i] = (hsize_t)shape[i];
    SC_H5(space = ndim ? H5Screate_simple(ndim, dims, NULL) : H5Screate(H5S_SCALAR), "H5Screate");
    SC_H5(dset = H5Dcreate2(loc, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
          "cannot create dataset %s", name);
    SC_H5(H5Dwrite(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
          "cannot write dataset %s", name);
    rc = 0;
fail:
    if (dset >= 0) H5Dclose(dset);
    if (space >= 0) H5Sclose(space);
    return rc;
}

static int saved_layer(const nn_layer *L) { return L->n_par > 0 || L->n_stat > 0; }

int nn_weights_write_group(const nn_net *net, hid_t group, const char *where)
{
    int rc = -1;
    hid_t g = -1;
    const int shape[3] = {net->shape.in_c, net->shape.in_h, net->shape.in_w};
    const long long np = (long long)nn_net_num_params(net);
    SC_TRY(write_string_attr(group, "format", FORMAT));
    SC_TRY(write_string_attr(group, "arch_text", net->arch_text ? net->arch_text : ""));
    SC_TRY(write_string_attr(group, "arch_json", net->arch_json));
    SC_TRY(write_attr(group, "input_shape", H5T_STD_I32LE, H5T_NATIVE_INT, 3, shape));
    SC_TRY(write_attr(group, "n_out", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &net->shape.n_out));
    SC_TRY(write_attr(group, "num_params", H5T_STD_I64LE, H5T_NATIVE_LLONG, 1, &np));
    for (int i = 0; i < net->n_layers; i++) {
        const nn_layer *L = &net->L[i];
        if (!saved_layer(L)) continue;
        if (has_link(group, L->name))
            SC_H5(H5Ldelete(group, L->name, H5P_DEFAULT), "cannot replace group %s", L->name);
        SC_H5(g = H5Gcreate2(group, L->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              "cannot create group %s", L->name);
        for (int j = 0; j < L->n_par; j++)
            SC_TRY(write_dataset(g, L->par[j].name, L->par[j].ndim, L->par[j].shape,
                                 H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, L->par[j].w));
        if (L->n_stat) {
            const int c = (int)(L->n_stat / 2);
            const long long nbt = L->batches_tracked;
            SC_TRY(write_dataset(g, "running_mean", 1, &c, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                                 L->stat));
            SC_TRY(write_dataset(g, "running_var", 1, &c, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                                 L->stat + c));
            SC_TRY(write_dataset(g, "num_batches_tracked", 0, NULL, H5T_STD_I64LE,
                                 H5T_NATIVE_LLONG, &nbt));
        }
        H5Gclose(g);
        g = -1;
    }
    rc = 0;
fail:
    if (g >= 0) H5Gclose(g);
    if (rc) sc_err_prefix("%s", where);
    return rc;
}

/* Read dataset `name` of layer group g (shape checked) into data. */
static int read_dataset(hid_t g, const char *layer, const char *name, int ndim, const int *shape,
                        hid_t mem_type, void *data)
{
    int rc = -1;
    hid_t dset = -1, space = -1;
    char want[64] = "", got[64] = "";
    SC_CHECK(has_link(g, name), "/%s/%s: missing dataset", layer, name);
    SC_H5(dset = H5Dopen2(g, name, H5P_DEFAULT), "cannot open /%s/%s", layer, name);
    SC_H5(space = H5Dget_space(dset), "H5Dget_space");
    int nd = H5Sget_simple_extent_ndims(space);
    hsize_t dims[8] = {0};
    SC_H5(nd, "H5Sget_simple_extent_ndims");
    if (nd <= 8) H5Sget_simple_extent_dims(space, dims, NULL);
    int same = nd == ndim;
    for (int i = 0; i < ndim && same; i++) same = dims[i] == (hsize_t)shape[i];
    if (!same) {
        for (int i = 0; i < ndim; i++)
            snprintf(want + strlen(want), sizeof want - strlen(want), "[%d]", shape[i]);
        for (int i = 0; i < nd && i < 8; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "[%llu]",
                     (unsigned long long)dims[i]);
        SC_FAIL("/%s/%s: expected shape %s, found %s (weights of another architecture?)", layer,
                name, ndim ? want : "scalar", nd ? got : "scalar");
    }
    SC_H5(H5Dread(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "cannot read /%s/%s",
          layer, name);
    rc = 0;
fail:
    if (space >= 0) H5Sclose(space);
    if (dset >= 0) H5Dclose(dset);
    return rc;
}

int nn_weights_read_group(nn_net *net, hid_t group, const char *where)
{
    int rc = -1;
    hid_t g = -1;
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *L = &net->L[i];
        if (!saved_layer(L)) continue;
        SC_CHECK(has_link(group, L->name),
                 "no group '%s' for that layer (weights of another architecture?)", L->name);
        SC_H5(g = H5Gopen2(group, L->name, H5P_DEFAULT), "cannot open group %s", L->name);
        for (int j = 0; j < L->n_par; j++)
            SC_TRY(read_dataset(g, L->name, L->par[j].name, L->par[j].ndim, L->par[j].shape,
                                H5T_NATIVE_FLOAT, L->par[j].w));
        if (L->n_stat) {
            const int c = (int)(L->n_stat / 2);
            long long nbt = 0;
            SC_TRY(read_dataset(g, L->name, "running_mean", 1, &c, H5T_NATIVE_FLOAT, L->stat));
            SC_TRY(read_dataset(g, L->name, "running_var", 1, &c, H5T_NATIVE_FLOAT, L->stat + c));
            SC_TRY(read_dataset(g, L->name, "num_batches_tracked", 0, NULL, H5T_NATIVE_LLONG, &nbt));
            L->batches_tracked = nbt;
        }
        H5Gclose(g);
        g = -1;
    }
    net->fwd_valid = 0;
    rc = 0;
fail:
    if (g >= 0) H5Gclose(g);
    if (rc) sc_err_prefix("%s", where);
    return rc;
}

int nn_weights_save(const nn_net *net, const char *path)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        sc_err_set(NULL, 0, "%s: cannot create the weights file", path);
        return -1;
    }
    int rc = nn_weights_write_group(net, f, path);
    if (rc == 0)
        rc = sc_h5_close_file(f, path);
    else
        sc_h5_discard_file(f);
    return rc;
}

int nn_weights_load(nn_net *net, const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        sc_err_set(NULL, 0, "%s: cannot open the weights file (missing, or not HDF5)", path);
        return -1;
    }
    int rc = nn_weights_read_group(net, f, path);
    H5Fclose(f);
    return rc;
}

/* ---- the flat state (weights.h) ---- */

size_t nn_state_size(const nn_net *net)
{
    size_t n = 0;
    for (int i = 0; i < net->n_layers; i++) {
        for (int j = 0; j < net->L[i].n_par; j++) n += net->L[i].par[j].n;
        n += net->L[i].n_stat;
    }
    return n;
}

/* Calls f(tensor, floats, name, shape) for every tensor of the state, in order. */
typedef void (*state_fn)(void *ctx, float *data, size_t n, const char *layer, const char *name,
                         int ndim, const int *shape);

static void each_state_tensor(const nn_net *net, state_fn f, void *ctx)
{
    for (int i = 0; i < net->n_layers; i++) {
        const nn_layer *L = &net->L[i];
        for (int j = 0; j < L->n_par; j++)
            f(ctx, L->par[j].w, L->par[j].n, L->name, L->par[j].name, L->par[j].ndim,
              L->par[j].shape);
    }
    for (int i = 0; i < net->n_layers; i++) {
        const nn_layer *L = &net->L[i];
        if (!L->n_stat) continue;
        const int c = (int)(L->n_stat / 2);
        f(ctx, L->stat, (size_t)c, L->name, "running_mean", 1, &c);
        f(ctx, L->stat + c, (size_t)c, L->name, "running_var", 1, &c);
    }
}

typedef struct {
    float *buf;
    size_t at;
    int get;
} copy_ctx;

static void copy_tensor(void *p, float *data, size_t n, const char *layer, const char *name,
                        int ndim, const int *shape)
{
    (void)layer, (void)name, (void)ndim, (void)shape;
    copy_ctx *c = p;
    if (c->get) memcpy(c->buf + c->at, data, sizeof(float) * n);
    else memcpy(data, c->buf + c->at, sizeof(float) * n);
    c->at += n;
}

void nn_state_get(const nn_net *net, float *out)
{
    copy_ctx c = {out, 0, 1};
    each_state_tensor(net, copy_tensor, &c);
}

void nn_state_set(nn_net *net, const float *in)
{
    copy_ctx c = {(float *)in, 0, 0};
    each_state_tensor(net, copy_tensor, &c);
    net->fwd_valid = 0;
}

typedef struct {
    char *s;
    size_t len, cap, at;
} json_ctx;

static void json_tensor(void *p, float *data, size_t n, const char *layer, const char *name,
                        int ndim, const int *shape)
{
    (void)data;
    json_ctx *j = p;
    char item[256];
    int k = snprintf(item, sizeof item, "%s{\"name\": \"%s/%s\", \"offset\": %zu, \"shape\": [",
                     j->at ? ", " : "", layer, name, j->at);
    for (int d = 0; d < ndim; d++)
        k += snprintf(item + k, sizeof item - (size_t)k, "%s%d", d ? ", " : "", shape[d]);
    k += snprintf(item + k, sizeof item - (size_t)k, "]}");
    if (j->len + (size_t)k + 64 > j->cap) {
        j->cap = 2 * (j->cap + (size_t)k + 64);
        j->s = sc_xrealloc(j->s, j->cap);
    }
    memcpy(j->s + j->len, item, (size_t)k + 1);
    j->len += (size_t)k;
    j->at += n;
}

char *nn_state_layout(const nn_net *net)
{
    json_ctx j = {NULL, 0, 0, 0};
    j.cap = 256;
    j.s = sc_xmalloc(j.cap);
    j.len = (size_t)snprintf(j.s, j.cap, "{\"format\": \"spectcv-state/1\", \"tensors\": [");
    each_state_tensor(net, json_tensor, &j);
    j.s = sc_xrealloc(j.s, j.len + 8);
    strcpy(j.s + j.len, "]}");
    return j.s;
}
