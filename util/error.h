/* util/error.h: one error slot per thread, and the CHECK macros every module uses.
 *
 * Library code never prints and never exits on a bad input or a failed library call: it records
 * a message and returns -1 (or NULL), so that a job can turn the failure into a status row and the
 * sweep goes on.  Only pipeline/ prints the message and chooses the exit code.
 *
 * Idiom: functions that can fail return int (0 = ok, -1 = error) and end with a `fail:` label
 * that releases what they hold:
 *
 *     int f(const char *path) {
 *         int rc = -1;
 *         hid_t file = -1;
 *         SC_H5(file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), "%s: cannot open", path);
 *         SC_CHECK(n > 0, "%s: /labels: expected at least one row", path);
 *         SC_TRY(other_function());      // propagates its message unchanged
 *         rc = 0;
 *     fail:
 *         if (file >= 0) H5Fclose(file);
 *         return rc;
 *     }
 *
 * SC_CHECK is for inputs (the message names the file and field; no source location, users read
 * it).  SC_H5 / SC_MPI / SC_LIB are for library calls: they add the call and file:line of the
 * source, since a failure there is ours to debug. */
#ifndef SC_UTIL_ERROR_H
#define SC_UTIL_ERROR_H

#include <stddef.h>

#define SC_ERR_MAX 2048

/* Record a message (printf format).  `src`/`line` may be NULL/0 for input errors. */
void sc_err_set(const char *src, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Put context in front of the current message: "ctx: <old message>". */
void sc_err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *sc_err_msg(void);
void sc_err_clear(void);
/* Print "spectcv: error: <message>" on stderr. */
void sc_err_print(void);
/* Append text to the message (e.g. sc_fs_full_note's). */
void sc_err_append(const char *text);

/* Out-of-memory is not recoverable: these print file:line and abort the process (and, under MPI,
 * the launcher tears down the other ranks). */
void *sc_xmalloc_at(size_t n, const char *src, int line);
void *sc_xcalloc_at(size_t n, size_t size, const char *src, int line);
void *sc_xrealloc_at(void *p, size_t n, const char *src, int line);
char *sc_xstrdup_at(const char *s, const char *src, int line);
#define sc_xmalloc(n) sc_xmalloc_at((n), __FILE__, __LINE__)
#define sc_xcalloc(n, s) sc_xcalloc_at((n), (s), __FILE__, __LINE__)
#define sc_xrealloc(p, n) sc_xrealloc_at((p), (n), __FILE__, __LINE__)
#define sc_xstrdup(s) sc_xstrdup_at((s), __FILE__, __LINE__)

#define SC_FAIL(...)                                                                               \
    do {                                                                                           \
        sc_err_set(NULL, 0, __VA_ARGS__);                                                          \
        goto fail;                                                                                 \
    } while (0)

#define SC_CHECK(cond, ...)                                                                        \
    do {                                                                                           \
        if (!(cond)) SC_FAIL(__VA_ARGS__);                                                         \
    } while (0)

/* Propagate: the callee already set the message. */
#define SC_TRY(expr)                                                                               \
    do {                                                                                           \
        if ((expr) != 0) goto fail;                                                                \
    } while (0)

/* A library call that signals failure with a negative value (HDF5, most C APIs). */
#define SC_H5(expr, ...)                                                                           \
    do {                                                                                           \
        if ((expr) < 0) {                                                                          \
            sc_err_set(__FILE__, __LINE__, __VA_ARGS__);                                           \
            goto fail;                                                                             \
        }                                                                                          \
    } while (0)

/* A library call that must return a given success code (MPI_SUCCESS, CONFIG_TRUE, ...). */
#define SC_LIB(expr, ok, ...)                                                                      \
    do {                                                                                           \
        if ((expr) != (ok)) {                                                                      \
            sc_err_set(__FILE__, __LINE__, __VA_ARGS__);                                           \
            goto fail;                                                                             \
        }                                                                                          \
    } while (0)

#define SC_MPI(expr) SC_LIB((expr), MPI_SUCCESS, "MPI call failed: %s", #expr)

#endif
