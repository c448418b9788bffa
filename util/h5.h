/* util/h5.h: the small HDF5 pieces that the data set file and the results file share:
 * attributes (strings and numbers), datasets that must exist, whole small datasets.
 *
 * Every message names the file (`file`, the path the user gave) and the object, as in
 * "data.h5: attribute 'label_names': expected strings".  The readers take an optional `hint`
 * (NULL for none) that follows a "missing ..." message, e.g. "(not a spectcv results file?)".
 *
 * No MPI here: these work on whatever file the caller opened.  On a file opened through MPI-IO,
 * the writers are collective like every HDF5 metadata change. */
#ifndef SC_UTIL_H5_H
#define SC_UTIL_H5_H

#include <hdf5.h>

/* How strings are stored.  FIXED: ASCII, fixed length (the longest value's; h5py reads bytes).
 * VLEN: variable-length ASCII (h5py reads str). */
typedef enum { SC_H5_FIXED, SC_H5_VLEN } sc_h5_str;

/* Attribute `name` on obj, replacing one of that name: one string (scalar dataspace), n strings
 * (rank 1), or one number of the given native type.  0 or -1. */
int sc_h5_write_str_attr(hid_t obj, const char *file, const char *name, const char *value,
                         sc_h5_str kind);
int sc_h5_write_strs_attr(hid_t obj, const char *file, const char *name, int n,
                          const char *const *values, sc_h5_str kind);
int sc_h5_write_num_attr(hid_t obj, const char *file, const char *name, hid_t type,
                         const void *value);

/* Read a string attribute, fixed or variable length, ASCII or UTF-8 (read as stored): one
 * string into *out (caller frees), or an array into *out[*n] (free with sc_h5_free_strs). */
int sc_h5_read_str_attr(hid_t obj, const char *file, const char *name, const char *hint,
                        char **out);
int sc_h5_read_strs_attr(hid_t obj, const char *file, const char *name, const char *hint,
                         char ***out, int *n);
void sc_h5_free_strs(char **strs, int n);
/* Read a one-value attribute, converted to the native `type`. */
int sc_h5_read_num_attr(hid_t obj, const char *file, const char *name, const char *hint,
                        hid_t type, void *out);
/* n numbers as a rank-1 attribute (the checkpoints' counters and generator states): written as
 * the file type ftype from memory of type mtype, replacing one of that name; read back into
 * memory of type `type`, refused unless it holds exactly n values. */
int sc_h5_write_nums_attr(hid_t obj, const char *file, const char *name, hid_t ftype,
                          hid_t mtype, int n, const void *values);
int sc_h5_read_nums_attr(hid_t obj, const char *file, const char *name, const char *hint,
                         hid_t type, int n, void *out);

/* Open dataset `name` under loc, which must exist ("FILE: missing dataset NAME HINT"); -1 if
 * it does not or cannot be opened. */
hid_t sc_h5_open_dset(hid_t loc, const char *file, const char *name, const char *hint);
/* Shape of an open dataset, which must have `rank` dimensions. */
int sc_h5_dset_shape(hid_t d, const char *file, const char *name, int rank, hsize_t *dims);
/* Create dataset `name` (type ftype, default properties) and, unless data is NULL, write it
 * whole from memory of type mtype. */
int sc_h5_write_dset(hid_t loc, const char *file, const char *name, hid_t ftype, hid_t mtype,
                     int rank, const hsize_t *dims, const void *data);

#endif

/* Close a file that was written: 0, or -1 with "FILE: cannot close (HDF5 could not write what
 * it held)" and, when the file system holding it is (nearly) full, that too (sc_fs_full_note).
 *
 * HDF5 1.10 frees a file's state when its close fails but keeps its ID (HDFFV-11052, fixed in
 * 1.14.1), and the library's shutdown then closes that ID again and crashes (seen here with a
 * full disk: a segfault in H5F__close_cb under MPI_Finalize).  So a failed close marks the
 * library as unsafe to shut down, and sc_h5_shutdown skips H5close: the process exits with its
 * own message and status instead of a segfault.  pipeline/main.c opens the library before
 * MPI_Init (so that MPI_Finalize does not shut it down by itself, as it does for a library
 * opened after MPI_Init) and calls sc_h5_shutdown before MPI_Finalize. */
int sc_h5_close_file(hid_t f, const char *file);
/* The same on a failure path: the message already set is kept. */
void sc_h5_discard_file(hid_t f);
/* H5close, unless a close failed (above).  0 or -1. */
int sc_h5_shutdown(void);
