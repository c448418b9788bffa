/* jobs/checkpoint.c: see checkpoint.h. */
#include "jobs/checkpoint.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/scheduler.h"
#include "nn/checkpoint.h"
#include "util/error.h"
#include "util/fault.h"
#include "util/h5.h"
#include "util/hash.h"
#include "util/stop.h"
#include "util/sys.h"

#include <dirent.h>
#include <signal.h>

#define FORMAT "spectcv-checkpoint/1"

int sc_ckpt_dir(const char *results, char *out, size_t n)
{
    SC_CHECK((size_t)snprintf(out, n, "%s.checkpoints", results) < n, "%s: path too long",
             results);
    return 0;
fail:
    return -1;
}

int sc_ckpt_path(const char *results, int job, char *out, size_t n)
{
    SC_CHECK((size_t)snprintf(out, n, "%s.checkpoints/%04d.h5", results, job) < n,
             "%s: path too long", results);
    return 0;
fail:
    return -1;
}

void sc_ckpt_remove(const char *path)
{
    if (sc_file_exists(path)) unlink(path);
}

void sc_ckpt_cleanup(const char *results)
{
    char dir[4200], f[4500];
    if (sc_ckpt_dir(results, dir, sizeof dir)) return;
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        snprintf(f, sizeof f, "%s/%s", dir, e->d_name);
        unlink(f);
    }
    closedir(d);
    rmdir(dir);
}

void sc_ckpt_clock_start(sc_ckpt_clock *c, double every, int job)
{
    c->every = every;
    c->last = sc_now();
    c->steps = 0;
    c->fault_at = sc_fault_arg("stop", job);
}

int sc_ckpt_clock_tick(sc_ckpt_clock *c, int *save)
{
    c->steps++;
    if (c->fault_at >= 0 && c->steps >= c->fault_at) sc_stop_request(SIGTERM); /* the test's */
    const int stop = sc_schedule_stopping();
    const double now = sc_now();
    *save = c->every > 0 && (stop || now - c->last >= c->every);
    if (*save) c->last = now;
    return stop;
}

/* One number attribute (n values) written or read. */
static int num(hid_t loc, const char *where, const char *name, hid_t ftype, hid_t mtype, int n,
               void *v, int write)
{
    return write ? sc_h5_write_nums_attr(loc, where, name, ftype, mtype, n, v)
                 : sc_h5_read_nums_attr(loc, where, name, NULL, mtype, n, v);
}

/* A float dataset of n values into out (the sizes must agree). */
static int read_floats(hid_t loc, const char *where, const char *name, size_t n, float *out)
{
    hid_t d = -1, sp = -1;
    SC_TRY((d = sc_h5_open_dset(loc, where, name, NULL)) < 0);
    sp = H5Dget_space(d);
    int ok = sp >= 0 && (size_t)H5Sget_simple_extent_npoints(sp) == n &&
             H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0;
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(d);
    SC_CHECK(ok, "%s: %s: %zu values expected", where, name, n);
    return 0;
fail:
    return -1;
}

/* What every checkpoint holds: whose it is, where the training stands, the history so far. */
typedef struct {
    int epoch, step;
    long long next, seen;
    double sum[AUG_HIST_COLS];
    int n_sum;
} position;

static int header(hid_t f, const char *where, uint64_t exp_hash, const sc_job *job, position *p,
                  float *history, size_t n_hist, int write)
{
    char hex[17], *got = NULL;
    int rc = -1;
    sc_hash_hex(exp_hash, hex);
    long long id = job->id, kind = job->kind;
    unsigned long long seed = job->seed;
    if (write) {
        SC_TRY(sc_h5_write_str_attr(f, where, "format", FORMAT, SC_H5_FIXED));
        SC_TRY(sc_h5_write_str_attr(f, where, "experiment_hash", hex, SC_H5_FIXED));
        SC_TRY(num(f, where, "job", H5T_STD_I64LE, H5T_NATIVE_LLONG, 1, &id, 1));
        SC_TRY(num(f, where, "kind", H5T_STD_I64LE, H5T_NATIVE_LLONG, 1, &kind, 1));
        SC_TRY(num(f, where, "seed", H5T_STD_U64LE, H5T_NATIVE_ULLONG, 1, &seed, 1));
        SC_TRY(sc_h5_write_dset(f, where, "history", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1,
                                (hsize_t[]){n_hist}, history));
    } else {
        long long gid = -1, gkind = -1;
        unsigned long long gseed = 0;
        SC_TRY(sc_h5_read_str_attr(f, where, "format", NULL, &got));
        SC_CHECK(!strcmp(got, FORMAT), "%s: format %s, expected %s", where, got, FORMAT);
        free(got);
        got = NULL;
        SC_TRY(sc_h5_read_str_attr(f, where, "experiment_hash", NULL, &got));
        SC_TRY(num(f, where, "job", H5T_STD_I64LE, H5T_NATIVE_LLONG, 1, &gid, 0));
        SC_TRY(num(f, where, "kind", H5T_STD_I64LE, H5T_NATIVE_LLONG, 1, &gkind, 0));
        SC_TRY(num(f, where, "seed", H5T_STD_U64LE, H5T_NATIVE_ULLONG, 1, &gseed, 0));
        SC_CHECK(!strcmp(got, hex) && gid == id && gkind == kind && gseed == seed,
                 "%s: the checkpoint of another job or experiment (job %lld, experiment %s)",
                 where, gid, got);
        SC_TRY(read_floats(f, where, "history", n_hist, history));
    }
    SC_TRY(num(f, where, "epoch", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &p->epoch, write));
    SC_TRY(num(f, where, "step", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &p->step, write));
    SC_TRY(num(f, where, "next", H5T_STD_I64LE, H5T_NATIVE_LLONG, 1, &p->next, write));
    SC_TRY(num(f, where, "seen", H5T_STD_I64LE, H5T_NATIVE_LLONG, 1, &p->seen, write));
    SC_TRY(num(f, where, "sum", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, p->n_sum, p->sum, write));
    rc = 0;
fail:
    free(got);
    return rc;
}

/* An sc_rng's state as attributes NAME (4 words) and NAME_spare (has_spare, spare). */
static int rng_attr(hid_t f, const char *where, const char *name, sc_rng *r, int write)
{
    char spare_name[64];
    snprintf(spare_name, sizeof spare_name, "%s_spare", name);
    double spare[2] = {r->has_spare, r->spare};
    SC_TRY(num(f, where, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, 4, r->s, write));
    SC_TRY(num(f, where, spare_name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, spare, write));
    if (!write) {
        r->has_spare = spare[0] != 0.0;
        r->spare = spare[1];
    }
    return 0;
fail:
    return -1;
}

static int net_group(hid_t f, const char *where, const char *name, nn_net *net, int write)
{
    hid_t g = write ? H5Gcreate2(f, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)
                    : H5Gopen2(f, name, H5P_DEFAULT);
    if (g < 0) {
        sc_err_set(NULL, 0, "%s: cannot %s group %s", where, write ? "create" : "open", name);
        return -1;
    }
    char w[4200];
    snprintf(w, sizeof w, "%s:/%s", where, name);
    int rc = write ? nn_train_state_write(net, g, w) : nn_train_state_read(net, g, w);
    H5Gclose(g);
    return rc;
}

/* train.validation's state (group validation): the per-epoch validation loss and F1, the best
 * epoch's network, and the selection's place (attributes best, since, best_value). */
static int val_group(hid_t f, const char *where, sc_val_run *v, int write)
{
    hid_t g = write ? H5Gcreate2(f, "validation", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)
                    : (H5Lexists(f, "validation", H5P_DEFAULT) > 0
                           ? H5Gopen2(f, "validation", H5P_DEFAULT) : -1);
    int rc = -1;
    SC_CHECK(g >= 0, "%s: cannot %s group validation", where, write ? "create" : "find");
    const hsize_t ne = (hsize_t)v->epochs, ns = (hsize_t)v->n_state;
    if (write) {
        SC_TRY(sc_h5_write_dset(g, where, "loss", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1, &ne,
                                v->loss));
        SC_TRY(sc_h5_write_dset(g, where, "f1", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1, &ne, v->f1));
        SC_TRY(sc_h5_write_dset(g, where, "best_state", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1, &ns,
                                v->best_state));
    } else {
        SC_TRY(read_floats(g, where, "loss", ne, v->loss));
        SC_TRY(read_floats(g, where, "f1", ne, v->f1));
        SC_TRY(read_floats(g, where, "best_state", ns, v->best_state));
    }
    SC_TRY(num(g, where, "best", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &v->sel.best, write));
    SC_TRY(num(g, where, "since", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &v->sel.since, write));
    SC_TRY(num(g, where, "best_value", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &v->sel.best_value,
               write));
    rc = 0;
fail:
    if (g >= 0) H5Gclose(g);
    return rc;
}

/* Write through path.tmp: a checkpoint that exists is whole. */
static int save(const char *path, uint64_t exp_hash, const sc_job *job, position *p,
                const float *history, size_t n_hist, nn_net *a, const char *an, nn_net *b,
                const char *bn, sc_rng *r1, sc_rng *r2, sc_val_run *val)
{
    char tmp[4200];
    hid_t f = -1;
    int rc = -1;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    SC_H5(f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
          "%s: cannot create the checkpoint", tmp);
    SC_TRY(header(f, tmp, exp_hash, job, p, (float *)history, n_hist, 1));
    SC_TRY(net_group(f, tmp, an, a, 1));
    if (b) SC_TRY(net_group(f, tmp, bn, b, 1));
    if (r1) SC_TRY(rng_attr(f, tmp, "noise", r1, 1));
    if (r2) SC_TRY(rng_attr(f, tmp, "wrong", r2, 1));
    if (val) SC_TRY(val_group(f, tmp, val, 1));
    const int closed = sc_h5_close_file(f, tmp);
    f = -1;
    SC_TRY(closed);
    SC_CHECK(rename(tmp, path) == 0, "%s: cannot rename the checkpoint into place", path);
    rc = 0;
fail:
    sc_h5_discard_file(f);
    if (rc) {
        sc_err_append(sc_fs_full_note(tmp)); /* before the unlink gives the space back */
        unlink(tmp);
    }
    return rc;
}

static int load(const char *path, uint64_t exp_hash, const sc_job *job, position *p,
                float *history, size_t n_hist, nn_net *a, const char *an, nn_net *b,
                const char *bn, sc_rng *r1, sc_rng *r2, sc_val_run *val)
{
    if (!sc_file_exists(path)) return 1;
    hid_t f = -1;
    int rc = -1;
    SC_CHECK(H5Fis_hdf5(path) > 0, "%s: not an HDF5 file", path);
    SC_H5(f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), "%s: cannot open the checkpoint", path);
    SC_TRY(header(f, path, exp_hash, job, p, history, n_hist, 0));
    SC_TRY(net_group(f, path, an, a, 0));
    if (b) SC_TRY(net_group(f, path, bn, b, 0));
    if (r1) SC_TRY(rng_attr(f, path, "noise", r1, 0));
    if (r2) SC_TRY(rng_attr(f, path, "wrong", r2, 0));
    if (val) SC_TRY(val_group(f, path, val, 0));
    rc = 0;
fail:
    if (f >= 0) H5Fclose(f);
    return rc;
}

int sc_ckpt_save_fit(const char *path, uint64_t exp_hash, const sc_job *job, const nn_net *net,
                     const nn_fit_pos *pos, const float *history, int epochs,
                     const sc_val_run *val)
{
    position p = {pos->epoch, pos->step, pos->next, pos->seen, {pos->sum}, 1};
    return save(path, exp_hash, job, &p, history, (size_t)epochs, (nn_net *)net, "net", NULL,
                NULL, NULL, NULL, (sc_val_run *)val);
}

int sc_ckpt_load_fit(const char *path, uint64_t exp_hash, const sc_job *job, nn_net *net,
                     nn_fit_pos *pos, float *history, int epochs, sc_val_run *val)
{
    position p;
    memset(&p, 0, sizeof p);
    p.n_sum = 1;
    int rc = load(path, exp_hash, job, &p, history, (size_t)epochs, net, "net", NULL, NULL,
                  NULL, NULL, val);
    if (rc == 0) *pos = (nn_fit_pos){p.epoch, p.next, p.step, p.sum[0], p.seen};
    return rc;
}

int sc_ckpt_save_gan(const char *path, uint64_t exp_hash, const sc_job *job, aug_gan *g,
                     const aug_gan_pos *pos, const float *history, int rows)
{
    position p = {pos->epoch, pos->step, pos->next, pos->seen, {0}, AUG_HIST_COLS};
    memcpy(p.sum, pos->sum, sizeof p.sum);
    sc_rng noise = pos->noise, wrong = pos->wrong;
    return save(path, exp_hash, job, &p, history, (size_t)rows * AUG_HIST_COLS,
                aug_gan_generator(g), "G", aug_gan_discriminator(g), "D", &noise, &wrong, NULL);
}

int sc_ckpt_load_gan(const char *path, uint64_t exp_hash, const sc_job *job, aug_gan *g,
                     aug_gan_pos *pos, float *history, int rows)
{
    position p;
    memset(&p, 0, sizeof p);
    p.n_sum = AUG_HIST_COLS;
    memset(pos, 0, sizeof *pos);
    int rc = load(path, exp_hash, job, &p, history, (size_t)rows * AUG_HIST_COLS,
                  aug_gan_generator(g), "G", aug_gan_discriminator(g), "D", &pos->noise,
                  &pos->wrong, NULL);
    if (rc == 0) {
        pos->epoch = p.epoch, pos->next = p.next, pos->step = p.step, pos->seen = p.seen;
        memcpy(pos->sum, p.sum, sizeof pos->sum);
    }
    return rc;
}
