/* util/agree.h: every rank learns the outcome of a step that all the ranks of a communicator run.
 *
 * A collective call (MPI, or HDF5 on a file opened through MPI-IO) hangs as soon as one rank
 * leaves for its error path while the others go on into it.  So a collective step is written as
 *
 *     rc = local_part();                    // may fail on some ranks only
 *     if (sc_agree(comm, rc)) goto fail;    // all go on, or all leave together
 *     rc = collective_part();
 *     if (sc_agree(comm, rc)) goto fail;
 *
 * and every rank's error path then runs the same collective clean-up (closing the file).  The
 * message every rank ends up with is the lowest failing rank's, so rank 0 can print it. */
#ifndef SC_UTIL_AGREE_H
#define SC_UTIL_AGREE_H

#include <hdf5.h>
#include <mpi.h>

/* Collective: 0 if rc == 0 on every rank of comm; otherwise -1 everywhere, with the message of
 * the lowest failing rank (prefixed "rank R: " when it is not the caller's own).  A failed MPI
 * call is itself an error (MPI_ERRORS_RETURN is set by main). */
int sc_agree(MPI_Comm comm, int rc);

/* Test-only (util/fault.h): 1, with the message "injected fault at STEP" set, if
 * SPECTCV_FAULT names the collective step STEP for this process's rank in MPI_COMM_WORLD
 * (SPECTCV_FAULT=STEP:RANK).  The steps: util/fault.h. */
int sc_fault_step(const char *step);

/* A file access property list for MPI-IO on comm.  Collective (HDF5 duplicates the
 * communicator), so a step of its own, agreed on.  0, or -1 with a message (*fapl = -1). */
int sc_h5_fapl_mpio(MPI_Comm comm, hid_t *fapl);

/* The rank and size of comm, checked (MPI_ERRORS_RETURN): -1 with a message if MPI fails. */
int sc_comm_rank_size(MPI_Comm comm, int *rank, int *size);

#endif
