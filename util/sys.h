/* util/sys.h: clocks, memory readings and small file helpers. */
#ifndef SC_UTIL_SYS_H
#define SC_UTIL_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Monotonic wall clock in seconds. */
double sc_now(void);
/* Peak resident set size of this process in bytes (getrusage), 0 if unknown. */
int64_t sc_peak_rss(void);
/* Read a whole file into a NUL-terminated buffer (caller frees).  Sets the error on failure. */
char *sc_read_file(const char *path, size_t *len);
/* 1 if the path exists. */
int sc_file_exists(const char *path);
/* mkdir -p; 0 on success (sets the error otherwise). */
int sc_mkdir_p(const char *path);
/* Write a buffer to path atomically (write to path.tmp, then rename). */
int sc_write_file_atomic(const char *path, const void *data, size_t n);

/* The same for any writer: sc_open_tmp opens path.tmp for writing (its name into tmp, of size
 * n); write to it, then sc_commit_tmp closes it and renames it to path, or sc_discard_tmp closes
 * and removes it.  A failed commit (write error, close or rename) removes path.tmp too. */
FILE *sc_open_tmp(const char *path, char *tmp, size_t n);
int sc_commit_tmp(FILE *f, const char *tmp, const char *path);
void sc_discard_tmp(FILE *f, const char *tmp);

/* "" or, when the file system holding path (a file, or the directory it would be in) has less
 * than 1 MiB left for us, " (its file system is full: N bytes free)": appended to a failed
 * write's message, since HDF5 and MPI-IO do not pass errno on.  Static storage. */
const char *sc_fs_full_note(const char *path);
/* Make room for n more bytes at the end of the existing file path (posix_fallocate past its
 * end), so that a writer that appends there finds the space already allocated and cannot fail
 * half-way for want of it.  0, or -1 with "PATH: no room for N more bytes: REASON" (a full
 * file system is found here, before the file is touched). */
int sc_fs_reserve(const char *path, int64_t n);

#endif
