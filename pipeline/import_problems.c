/* pipeline/import_problems.c: the list of import problems (import.h).  Messages past the cap
 * are counted, not kept, so a CSV with a million bad rows costs no memory. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "pipeline/import.h"
#include "util/error.h"

void imp_problem(imp_problems *p, const char *fmt, ...)
{
    p->n++;
    if (p->n_listed >= IMP_MAX_LISTED) return;
    va_list ap;
    va_start(ap, fmt);
    char *m = NULL;
    if (vasprintf(&m, fmt, ap) < 0) m = NULL;
    va_end(ap);
    if (!m) {
        fprintf(stderr, "spectcv: out of memory\n");
        abort();
    }
    p->msgs = sc_xrealloc(p->msgs, (size_t)(p->n_listed + 1) * sizeof *p->msgs);
    p->msgs[p->n_listed++] = m;
}

void imp_problems_print(const imp_problems *p)
{
    for (int i = 0; i < p->n_listed; i++) fprintf(stderr, "  %s\n", p->msgs[i]);
    if (p->n > p->n_listed)
        fprintf(stderr, "  ... and %" PRId64 " more\n", p->n - (int64_t)p->n_listed);
}

void imp_problems_free(imp_problems *p)
{
    for (int i = 0; i < p->n_listed; i++) free(p->msgs[i]);
    free(p->msgs);
    p->msgs = NULL;
    p->n_listed = 0;
    p->n = 0;
}
