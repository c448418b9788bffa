/* jobs/dag.c: see dag.h. */
#include "jobs/dag.h"

#include <stdlib.h>

#include "util/error.h"

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
    free(d->first);
    free(d->next);
    free(d->heap);
    free(d->hash);
    d->pos = d->dep = d->first = d->next = d->heap = NULL;
    d->hash = NULL;
}

int sc_dag_init(sc_dag *d, int n, const int *order, const int *depends)
{
    d->n = n;
    d->order = order;
    d->pos = sc_xmalloc(sizeof(int) * (size_t)(n ? n : 1));
    d->dep = sc_xmalloc(sizeof(int) * (size_t)(n ? n : 1));
    d->first = sc_xmalloc(sizeof(int) * (size_t)(n ? n : 1));
    d->next = sc_xmalloc(sizeof(int) * (size_t)(n ? n : 1));
    d->heap = sc_xmalloc(sizeof(int) * (size_t)(n ? n : 1));
    d->hash = sc_xcalloc((size_t)(n ? n : 1), sizeof(uint64_t));
    d->n_heap = 0;
    d->undispatched = n;
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
    for (int i = 0; i < n; i++)
        if (d->dep[order[i]] < 0) heap_push(d, i);
    return 0;
fail:
    sc_dag_free(d);
    return -1;
}

int sc_dag_next(sc_dag *d)
{
    if (d->n_heap == 0) return -1;
    d->undispatched--;
    return d->order[heap_pop(d)];
}

int sc_dag_finish(sc_dag *d, int job, int ok, uint64_t hash, int *cancelled)
{
    d->hash[job] = hash;
    if (ok) {
        for (int c = d->first[job]; c >= 0; c = d->next[c]) {
            d->dep[c] = -1;
            heap_push(d, d->pos[c]);
        }
        return 0;
    }
    /* cancelled[] doubles as the work list: each entry's dependents are appended after it */
    int n = 0;
    for (int c = d->first[job]; c >= 0; c = d->next[c]) cancelled[n++] = c;
    for (int i = 0; i < n; i++)
        for (int c = d->first[cancelled[i]]; c >= 0; c = d->next[c]) cancelled[n++] = c;
    d->undispatched -= n;
    return n;
}
