/* jobs/dag.h: which jobs may run now.  Jobs wait for at most one other job (a classifier job
 * for the GAN job of its fold); among the jobs whose dependency is done, the next to run is the
 * first in the dispatch order (jobs/grid.h: highest priority first).  When a job fails, the jobs
 * that wait for it can never run: they are cancelled (and, in turn, theirs).  A resumed sweep
 * starts with some jobs finished already (done, or failed and not retried).  The master of the
 * scheduler and a lone rank use the same rules, so one rank runs the same order serially. */
#ifndef SC_JOBS_DAG_H
#define SC_JOBS_DAG_H

#include <stdint.h>

/* What a job already is when the graph is made (a resumed sweep). */
enum { SC_DAG_TO_RUN = 0, SC_DAG_DONE = 1, SC_DAG_FAILED = -1 };

typedef struct {
    int n;
    const int *order;    /* [n] dispatch preference */
    int *pos;            /* [n] place of each job in order */
    int *dep;            /* [n] the job each waits for, -1 if none */
    int8_t *state;       /* [n] 0 waiting, 1 ready, 2 dispatched, 3 finished */
    int *first, *next;   /* dependents of each job, as linked lists */
    int *heap, n_heap;   /* ready jobs, a min-heap of places in order */
    uint64_t *hash;      /* [n] output hash of each finished job */
    int undispatched;    /* jobs not handed out yet (waiting or ready) */
} sc_dag;

/* depends [n]: the job each waits for, or -1 (NULL: no dependencies).  order [n]: a permutation
 * of the job ids.  finished (NULL: every job to run) [n]: SC_DAG_DONE or SC_DAG_FAILED for jobs
 * finished before (never dispatched), SC_DAG_TO_RUN for the others; hashes (may be NULL) the
 * output hashes of the done ones.  Jobs to run whose dependency failed before are cancelled
 * here: their ids are written to cancelled (room for n), their count to *n_cancelled.  -1 with
 * an error if a dependency is out of range or circular. */
int sc_dag_init(sc_dag *d, int n, const int *order, const int *depends, const int8_t *finished,
                const uint64_t *hashes, int *cancelled, int *n_cancelled);
void sc_dag_free(sc_dag *d);

/* The ready job that comes first in the order, now counted as dispatched; -1 if none is ready
 * (all dispatched, or the rest wait for running jobs). */
int sc_dag_next(sc_dag *d);
/* Jobs not dispatched yet. */
static inline int sc_dag_undispatched(const sc_dag *d) { return d->undispatched; }

/* Job `job` finished.  Done (ok = 1): the jobs waiting for it become ready, and `hash` is kept
 * for them (sc_dag_hash).  Failed (ok = 0): every job that waits for it, directly or through
 * others, is cancelled: their ids are written to cancelled (room for n) and their count
 * returned; they count as dispatched and finished. */
int sc_dag_finish(sc_dag *d, int job, int ok, uint64_t hash, int *cancelled);
/* The output hash of a finished job (0 before). */
static inline uint64_t sc_dag_hash(const sc_dag *d, int job) { return d->hash[job]; }

#endif
