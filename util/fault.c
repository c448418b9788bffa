/* util/fault.c: see fault.h. */
#include "util/fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The entry SITE:ID of SPECTCV_FAULT: its end (past the ID), or NULL. */
static const char *find(const char *site, long id)
{
    const char *env = getenv("SPECTCV_FAULT");
    if (!env || !*env) return NULL;
    char want[96];
    snprintf(want, sizeof want, "%s:%ld", site, id);
    const size_t n = strlen(want);
    for (const char *p = env; (p = strstr(p, want)) != NULL; p += n)
        if ((p == env || p[-1] == ',') && (p[n] == '\0' || p[n] == ',' || p[n] == '@'))
            return p + n;
    return NULL;
}

int sc_fault(const char *site, long id) { return find(site, id) != NULL; }

long sc_fault_arg(const char *site, long id)
{
    const char *p = find(site, id);
    return p && *p == '@' ? strtol(p + 1, NULL, 10) : -1;
}
