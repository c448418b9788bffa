/* util/fault.c: see fault.h. */
#include "util/fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sc_fault(const char *site, long id)
{
    const char *env = getenv("SPECTCV_FAULT");
    if (!env || !*env) return 0;
    char want[96];
    snprintf(want, sizeof want, "%s:%ld", site, id);
    const size_t n = strlen(want);
    for (const char *p = env; (p = strstr(p, want)) != NULL; p += n)
        if ((p == env || p[-1] == ',') && (p[n] == '\0' || p[n] == ',')) return 1;
    return 0;
}
