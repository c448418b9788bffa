/* jobs/dag.c: see dag.h. */
#include "jobs/dag.h"

#include <stdlib.h>

#include "util/error.h"

enum { WAITING = 0, READY = 1, DISPATCHED = 2, FINISHED = 3 };

static void heap_push(sc_dag *d, int p)
{
    int i = d->n_heap++;
    d->heap[i] = p;
    while (i > 0 && d->heap[(i - 1) / 2] > d->heap[i]) {
        int up = (i - 1) / 2, t = d->heap[up];
        d->heap[up] = d->heap[i];
        d->heap[i] = t;
        i = up;
    }
}

static int heap_pop(sc_dag *d)
{
    int top = d->heap[0], i = 0;
    d->heap[0] = d->heap[--d->n_heap];
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < d->n_heap && d->heap[l] < d->heap[m]) m = l;
        if (r < d->n_heap && d->heap[r] < d->heap[m]) m = r;
        if (m == i) break;
        int t = d->heap[m];
        d->heap[m] = d->heap[i];
        d->heap[i] = t;
        i = m;
    }
    return top;
}

void sc_dag_free(sc_dag *d)
{
    free(d->pos);
    free(d->dep);
    free(d->state);
    free(d->first);
    free(d->next);
    free(d->heap);
    free(d->hash);
    d->pos = d->dep = d->first = d->next = d->heap = NULL;
    d->state = NULL;
    d->hash = NULL;
}

/* Cancel every waiting job that depends, directly or not, on `job`: into cancelled (the list
 * doubles as the work list), returning their count. */
static int cancel_dependents(sc_dag *d, int job, int *cancelled)
{
    int n = 0;
    for (int c = d->first[job]; c >= 0; c = d->next[c])
        if (d->state[c] == WAITING) cancelled[n++] = c, d->state[c] = FINISHED;
    for (int i = 0; i < n; i++)
        for (int c = d->first[cancelled[i]]; c >= 0; c = d->next[c])
            if (d->state[c] == WAITING) cancelled[n++] = c, d->state[c] = FINISHED;
    d->undispatched -= n;
    return n;
}

int sc_dag_init(sc_dag *d, int n, const int *order, const int *depends, const int8_t *finished,
                const uint64_t *hashes, int *cancelled, int *n_cancelled)
{
    const size_t m = (size_t)(n ? n : 1);
    d->n = n;
    d->order = order;
    d->pos = sc_xmalloc(sizeof(int) * m);
    d->dep = sc_xmalloc(sizeof(int) * m);
    d->state = sc_xmalloc(m);
    d->first = sc_xmalloc(sizeof(int) * m);
    d->next = sc_xmalloc(sizeof(int) * m);
    d->heap = sc_xmalloc(sizeof(int) * m);
    d->hash = sc_xcalloc(m, sizeof(uint64_t));
    d->n_heap = 0;
    d->undispatched = 0;
    *n_cancelled = 0;
    for (int j = 0; j < n; j++) d->first[j] = -1;
    for (int i = 0; i < n; i++) d->pos[order[i]] = i;
    for (int j = n - 1; j >= 0; j--) {
        int p = depends ? depends[j] : -1;
        SC_CHECK(p >= -1 && p < n && p != j, "job %d depends on job %d, which is not in the sweep",
                 j, p);
        d->dep[j] = p;
        if (p >= 0) {
            d->next[j] = d->first[p];
            d->first[p] = j;
        }
    }
    for (int j = 0; j < n; j++) { /* a chain that returns to j: a cycle (never made by the grid) */
        int p = d->dep[j];
        for (int steps = 0; p >= 0 && steps <= n; steps++) p = d->dep[p];
        SC_CHECK(p < 0, "job %d waits for itself through its dependencies", j);
    }
    for (int j = 0; j < n; j++) {
        const int f = finished ? finished[j] : SC_DAG_TO_RUN;
        if (f != SC_DAG_TO_RUN) {
            d->state[j] = FINISHED;
            if (f == SC_DAG_DONE && hashes) d->hash[j] = hashes[j];
            continue;
        }
        const int p = d->dep[j];
        d->state[j] = p < 0 || (finished && finished[p] == SC_DAG_DONE) ? READY : WAITING;
        d->undispatched++;
    }
    for (int i = 0; i < n; i++)
        if (d->state[order[i]] == READY) heap_push(d, i);
    for (int j = 0; finished && j < n; j++) /* what waits for a job that failed before */
        if (finished[j] == SC_DAG_FAILED)
            *n_cancelled += cancel_dependents(d, j, cancelled + *n_cancelled);
    return 0;
fail:
    sc_dag_free(d);
    return -1;
}

int sc_dag_next(sc_dag *d)
{
    if (d->n_heap == 0) return -1;
    d->undispatched--;
    const int job = d->order[heap_pop(d)];
    d->state[job] = DISPATCHED;
    return job;
}

int sc_dag_finish(sc_dag *d, int job, int ok, uint64_t hash, int *cancelled)
{
    d->hash[job] = hash;
    d->state[job] = FINISHED;
    if (!ok) return cancel_dependents(d, job, cancelled);
    for (int c = d->first[job]; c >= 0; c = d->next[c])
        if (d->state[c] == WAITING) {
            d->state[c] = READY;
            heap_push(d, d->pos[c]);
        }
    return 0;
}
