/* util/fault.h: test-only fault injection.  The tests make chosen parts fail on purpose to check
 * what happens then (a failed job's dependents, a clean stop); users never set it.
 *
 * SPECTCV_FAULT is a comma-separated list of SITE:ID, e.g. "job:12,job:15": sc_fault("job", 12)
 * is then 1.  Sites: "job" (the job of that id fails as it starts, with the message "injected
 * fault"). */
#ifndef SC_UTIL_FAULT_H
#define SC_UTIL_FAULT_H

/* 1 if SPECTCV_FAULT names SITE:ID. */
int sc_fault(const char *site, long id);

#endif
