/* util/agree.c: see agree.h. */
#include "util/agree.h"

#include <hdf5.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "util/fault.h"

int sc_comm_rank_size(MPI_Comm comm, int *rank, int *size)
{
    SC_MPI(MPI_Comm_rank(comm, rank));
    if (size) SC_MPI(MPI_Comm_size(comm, size));
    return 0;
fail:
    return -1;
}

int sc_agree(MPI_Comm comm, int rc)
{
    int rank, size;
    if (sc_comm_rank_size(comm, &rank, &size)) return -1;
    /* the lowest failing rank, or size if none failed */
    int mine = rc ? rank : size, first = size;
    SC_MPI(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm));
    if (first == size) return 0;
    char msg[SC_ERR_MAX];
    snprintf(msg, sizeof msg, "%s", sc_err_msg());
    SC_MPI(MPI_Bcast(msg, sizeof msg, MPI_CHAR, first, comm));
    if (first == rank) return -1; /* our own message stands */
    /* another rank's failure: a rank's own failure of the same step reads the same, so only
     * say where the message comes from when the caller's step went well */
    if (rc == 0) {
        int world = -1;
        MPI_Group g = MPI_GROUP_NULL, wg = MPI_GROUP_NULL;
        /* the rank in MPI_COMM_WORLD, which users see; the comm's own if MPI cannot say */
        if (comm == MPI_COMM_WORLD || MPI_Comm_group(comm, &g) != MPI_SUCCESS ||
            MPI_Comm_group(MPI_COMM_WORLD, &wg) != MPI_SUCCESS ||
            MPI_Group_translate_ranks(g, 1, &first, wg, &world) != MPI_SUCCESS)
            world = first;
        if (g != MPI_GROUP_NULL) (void)MPI_Group_free(&g); /* clean-up: nothing to report */
        if (wg != MPI_GROUP_NULL) (void)MPI_Group_free(&wg);
        sc_err_set(NULL, 0, "%s", msg);
        if (world >= 0) sc_err_prefix("rank %d", world);
    } else {
        sc_err_set(NULL, 0, "%s", msg);
    }
    return -1;
fail:
    return -1;
}

int sc_fault_step(const char *step)
{
    int rank = 0;
    if (MPI_Comm_rank(MPI_COMM_WORLD, &rank) != MPI_SUCCESS) return 0;
    if (!sc_fault(step, rank)) return 0;
    sc_err_set(NULL, 0, "injected fault at %s (SPECTCV_FAULT)", step);
    return 1;
}

int sc_h5_fapl_mpio(MPI_Comm comm, hid_t *fapl)
{
    hid_t p = -1;
    *fapl = -1;
    SC_H5(p = H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate failed");
    SC_H5(H5Pset_fapl_mpio(p, comm, MPI_INFO_NULL), "H5Pset_fapl_mpio failed");
    *fapl = p;
    return 0;
fail:
    if (p >= 0) H5Pclose(p);
    return -1;
}
