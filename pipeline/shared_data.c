/* pipeline/shared_data.c: one copy of the preprocessed data set per node (see shared_data.h).
 *
 * Layout of the node's window (allocated whole by the node's rank 0; the others allocate 0
 * bytes and find it with MPI_Win_shared_query):
 *
 *   uint64 scan_hash [n]        per-scan hashes of the raw pixels (sc_ds_load_range)
 *   (padding to 64 bytes)
 *   float  images    [n][v][h][w]
 *   float  scale     [n][v]
 *
 * The scans are split among the node's ranks in contiguous slices; each writes its slice with
 * plain stores between two fences, after which every rank reads the whole window.  Every stage
 * ends with an agreement (util/agree.h), so a failure on one rank (a NaN pixel in its slice, a
 * failed allocation) makes every rank return -1 with that rank's message, and none waits in a
 * collective call for a rank that left.  Every MPI call's return code is checked (main sets
 * MPI_ERRORS_RETURN), its failure reported with MPI's own reason. */
#include "pipeline/shared_data.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/agree.h"
#include "util/error.h"

/* A failed MPI call: its text, MPI's reason and our file:line. */
#define SD_MPI(expr)                                                                               \
    do {                                                                                           \
        int sd_rc_ = (expr);                                                                       \
        if (sd_rc_ != MPI_SUCCESS) {                                                               \
            mpi_failed(sd_rc_, #expr, __FILE__, __LINE__);                                         \
            goto fail;                                                                             \
        }                                                                                          \
    } while (0)

static void mpi_failed(int code, const char *call, const char *src, int line)
{
    char why[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    if (MPI_Error_string(code, why, &len) != MPI_SUCCESS)
        snprintf(why, sizeof why, "code %d", code);
    sc_err_set(src, line, "MPI call failed: %s: %s", call, why);
}

/* The node's communicator, this rank's place in it, and whether the node loads the data (it
 * does when it has a worker: a node whose only rank is the master of a multi-rank run trains
 * nothing and needs only the hash). */
static int node_split(MPI_Comm comm, sc_shared_data *sd, int *node_rank, int *node_size,
                      int *loads)
{
    int rank, size, is_worker, workers = 0;
    SD_MPI(MPI_Comm_rank(comm, &rank));
    SD_MPI(MPI_Comm_size(comm, &size));
    SD_MPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &sd->node));
    SD_MPI(MPI_Comm_rank(sd->node, node_rank));
    SD_MPI(MPI_Comm_size(sd->node, node_size));
    is_worker = size == 1 || rank != 0;
    SD_MPI(MPI_Allreduce(&is_worker, &workers, 1, MPI_INT, MPI_SUM, sd->node));
    *loads = workers > 0;
    return 0;
fail:
    return -1;
}

typedef struct {
    uint64_t *hash;
    float *images, *scale;
} window_parts;

/* Allocate the node's window (collective over the node) and find its parts. */
static int window_alloc(const sc_dataset *ds, int h, int w, int node_rank, sc_shared_data *sd,
                        window_parts *p)
{
    const uint64_t n = (uint64_t)ds->n, per = (uint64_t)ds->v * (uint64_t)h * (uint64_t)w;
    /* The images at most half the address space: then no sum below wraps around. */
    SC_CHECK(per <= (uint64_t)PTRDIFF_MAX / 8 / n,
             "%s: %llu scans of %llu pixels do not fit in this process's address space",
             ds->path, (unsigned long long)n, (unsigned long long)per);
    const uint64_t images_at = (n * sizeof(uint64_t) + 63) / 64 * 64;
    const uint64_t scale_at = images_at + n * per * sizeof(float);
    const uint64_t total = scale_at + n * (uint64_t)ds->v * sizeof(float);
    SC_CHECK(total <= (uint64_t)PTRDIFF_MAX,
             "%s: %llu scans of %llu pixels do not fit in this process's address space",
             ds->path, (unsigned long long)n, (unsigned long long)per);
    void *mine = NULL, *base = NULL;
    MPI_Aint got = 0;
    int unit = 0;
    SD_MPI(MPI_Win_allocate_shared(node_rank == 0 ? (MPI_Aint)total : 0, 1, MPI_INFO_NULL,
                                   sd->node, &mine, &sd->win));
    SD_MPI(MPI_Win_shared_query(sd->win, 0, &got, &unit, &base));
    SC_CHECK(base && (uint64_t)got >= total,
             "MPI_Win_shared_query: the node's window has %lld bytes, %llu expected",
             (long long)got, (unsigned long long)total);
    p->hash = base;
    p->images = (float *)((char *)base + images_at);
    p->scale = (float *)((char *)base + scale_at);
    return 0;
fail:
    return -1;
}

/* Load this rank's slice into the window between two fences (the second one is reached even
 * when the load failed: it is collective). */
static int load_slice(sc_dataset *ds, int h, int w, sc_norm norm, int node_rank, int node_size,
                      sc_shared_data *sd, const window_parts *p)
{
    const size_t per = (size_t)ds->v * (size_t)h * (size_t)w;
    sd->first = ds->n * node_rank / node_size;
    sd->count = ds->n * (node_rank + 1) / node_size - sd->first;
    SD_MPI(MPI_Win_fence(MPI_MODE_NOPRECEDE, sd->win));
    int rc = sc_fault_step("data-load") ? -1
             : sc_ds_load_range(ds, sd->first, sd->count, h, w, norm,
                                p->images + (size_t)sd->first * per,
                                p->scale + (size_t)sd->first * (size_t)ds->v, p->hash + sd->first);
    /* Makes every rank's stores visible to the others (unified memory model). */
    SD_MPI(MPI_Win_fence(MPI_MODE_NOSUCCEED, sd->win));
    return rc;
fail:
    return -1;
}

/* The content hash from the node's per-scan hashes; nodes that read the file must agree (they
 * would not if it changed between their reads), and a node that loaded nothing takes theirs.
 * One MAX reduction of (h, ~h) gives both the largest and the smallest hash of the loaders. */
static int hash_agree(MPI_Comm comm, const sc_dataset *ds, int loads, const window_parts *p,
                      sc_shared_data *sd)
{
    uint64_t h = loads ? sc_ds_content_hash(ds, p->hash) : 0;
    uint64_t mine[2] = {loads ? h : 0, loads ? ~h : 0}, all[2];
    SD_MPI(MPI_Allreduce(mine, all, 2, MPI_UINT64_T, MPI_MAX, comm));
    SC_CHECK(all[0] == ~all[1], "%s: the nodes read different pixels from the data set (was the "
             "file changed while the run started?)", ds->path);
    sd->content_hash = all[0];
    return 0;
fail:
    return -1;
}

/* After a failed stage: best effort, the stage's message is the one to report. */
static void release(sc_shared_data *sd)
{
    if (sd->win != MPI_WIN_NULL) MPI_Win_free(&sd->win);
    if (sd->node != MPI_COMM_NULL) MPI_Comm_free(&sd->node);
}

int sc_shared_data_load(MPI_Comm comm, sc_dataset *ds, int h, int w, sc_norm norm,
                        sc_shared_data *sd)
{
    memset(sd, 0, sizeof *sd);
    sd->node = MPI_COMM_NULL;
    sd->win = MPI_WIN_NULL;
    window_parts p = {0};
    int node_rank = 0, node_size = 1, loads = 0;
    int rc = node_split(comm, sd, &node_rank, &node_size, &loads);
    if (sc_agree(comm, rc)) goto fail;
    /* `loads` is the same on every rank of a node, so the node's ranks all allocate or not. */
    rc = loads ? window_alloc(ds, h, w, node_rank, sd, &p) : 0;
    if (sc_agree(comm, rc)) goto fail;
    rc = loads ? load_slice(ds, h, w, norm, node_rank, node_size, sd, &p) : 0;
    if (sc_agree(comm, rc)) goto fail;
    rc = hash_agree(comm, ds, loads, &p, sd);
    if (sc_agree(comm, rc)) goto fail;
    sd->images = p.images;
    sd->count_scale = p.scale;
    sd->loaded = 1;
    return 0;
fail:
    release(sd);
    memset(sd, 0, sizeof *sd);
    return -1;
}

int sc_shared_data_free(sc_shared_data *sd)
{
    int rc = -1;
    if (!sd->loaded) return 0;
    if (sd->win != MPI_WIN_NULL) SD_MPI(MPI_Win_free(&sd->win));
    SD_MPI(MPI_Comm_free(&sd->node));
    rc = 0;
fail:
    memset(sd, 0, sizeof *sd);
    return rc;
}
