/* util/error.c: the per-thread error slot (see error.h). */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char err_buf[SC_ERR_MAX];

void sc_err_set(const char *src, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err_buf, sizeof err_buf, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if (src && (size_t)n < sizeof err_buf)
        snprintf(err_buf + n, sizeof err_buf - (size_t)n, " [at %s:%d]", src, line);
}

void sc_err_prefix(const char *fmt, ...)
{
    char ctx[SC_ERR_MAX], old[SC_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof ctx, fmt, ap);
    va_end(ap);
    if (!ctx[0]) return;
    memcpy(old, err_buf, sizeof old);
    /* Truncation of an over-long message is acceptable; keep the context first. */
    size_t n = strlen(ctx);
    if (n > sizeof err_buf - 3) n = sizeof err_buf - 3;
    memcpy(err_buf, ctx, n);
    memcpy(err_buf + n, ": ", 2);
    size_t rest = sizeof err_buf - n - 3, ol = strlen(old);
    if (ol > rest) ol = rest;
    memcpy(err_buf + n + 2, old, ol);
    err_buf[n + 2 + ol] = '\0';
}

const char *sc_err_msg(void) { return err_buf[0] ? err_buf : "unknown error"; }

void sc_err_clear(void) { err_buf[0] = '\0'; }

void sc_err_append(const char *text)
{
    const size_t n = strlen(err_buf);
    snprintf(err_buf + n, sizeof err_buf - n, "%s", text);
}

void sc_err_print(void) { fprintf(stderr, "spectcv: error: %s\n", sc_err_msg()); }

static void oom(size_t n, const char *src, int line)
{
    fprintf(stderr, "spectcv: error: out of memory allocating %zu bytes [at %s:%d]\n", n, src,
            line);
    abort();
}

void *sc_xmalloc_at(size_t n, const char *src, int line)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n, src, line);
    return p;
}

void *sc_xcalloc_at(size_t n, size_t size, const char *src, int line)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom(n * size, src, line);
    return p;
}

void *sc_xrealloc_at(void *p, size_t n, const char *src, int line)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n, src, line);
    return q;
}

char *sc_xstrdup_at(const char *s, const char *src, int line)
{
    size_t n = strlen(s) + 1;
    char *d = sc_xmalloc_at(n, src, line);
    memcpy(d, s, n);
    return d;
}
