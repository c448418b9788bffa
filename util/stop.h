/* util/stop.h: a request to stop the sweep cleanly, from a signal (SIGTERM and SIGINT, as a
 * cluster's scheduler sends at the time limit, and SIGUSR1, which mpirun forwards to every rank
 * and Slurm's --signal can send ahead of it) or from the scheduler's master.  The handler only
 * records it; the training loops look at it between steps (docs/cluster.md). */
#ifndef SC_UTIL_STOP_H
#define SC_UTIL_STOP_H

/* Install the handlers for SIGTERM, SIGINT and SIGUSR1. */
void sc_stop_install(void);
/* The signal that asked to stop (or SC_STOP_BY_MASTER), 0 if none. */
int sc_stop_requested(void);
/* Ask to stop (the scheduler, when its master tells a worker to; tests). */
#define SC_STOP_BY_MASTER (-1)
void sc_stop_request(int why);
/* "SIGTERM", "SIGINT", "SIGUSR1", "the master rank", ... */
const char *sc_stop_name(int why);

#endif
