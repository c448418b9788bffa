/* pipeline/shared_data.h: one copy of the preprocessed data set per node (docs/design.md
 * section 9).
 *
 * The ranks of a node (MPI_COMM_TYPE_SHARED) share an MPI-3 shared-memory window that holds
 * the resized, normalized images [n][v][h][w], their count scales [n][v] and the per-scan
 * hashes [n].  Each rank of the node loads a contiguous slice of the scans into it (parallel
 * HDF5, independent reads), so the node reads the file once and holds the data once, whatever
 * its number of ranks: what grows with the ranks is only each rank's network and workspace.
 * On a node whose only rank is the master of a multi-rank run (it trains nothing) the window
 * is empty.  The windows are read-only once loaded. */
#ifndef SC_PIPELINE_SHARED_DATA_H
#define SC_PIPELINE_SHARED_DATA_H

#include <mpi.h>
#include <stdint.h>

#include "data/dataset.h"
#include "data/preprocess.h"

typedef struct {
    MPI_Comm node;            /* the ranks of this node */
    MPI_Win win;              /* MPI_WIN_NULL when not allocated */
    const float *images;      /* [n][v][h][w]; NULL on a node without workers */
    const float *count_scale; /* [n][v]; NULL likewise */
    int64_t first, count;     /* the scans this rank loaded */
    uint64_t content_hash;    /* sc_ds_content_hash, the same on every rank */
    int loaded;               /* 1 between a successful load and free */
} sc_shared_data;

/* Collective over comm (every rank calls it; the master is rank 0 of comm, and with one rank
 * it is also the worker).  Loads ds resized to h x w with `norm` into the node's window and
 * computes the data set's content hash.  Returns the same value on every rank: 0, or -1 with
 * the message of the lowest failing rank (e.g. a NaN pixel, naming its scan) on every rank.
 * On -1 nothing is left to free. */
int sc_shared_data_load(MPI_Comm comm, sc_dataset *ds, int h, int w, sc_norm norm,
                        sc_shared_data *sd);

/* Collective over the node's ranks (every rank of comm must call it, before MPI_Finalize):
 * frees the window and the node's communicator.  Does nothing on a zeroed struct.  Returns -1
 * (with a message) if MPI reports a failure. */
int sc_shared_data_free(sc_shared_data *sd);

#endif
