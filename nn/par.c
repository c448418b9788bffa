/* nn/par.c: see par.h.  Threads are created per parallel region: a training step has a few
 * dozen regions of milliseconds each, so creation (tens of microseconds) is negligible and
 * nothing lingers between steps (no spinning workers beside other ranks). */
#include "nn/par.h"

#include <cblas.h>
#include <pthread.h>

#include "nn/nn.h"

static int threads = 1;

int nn_par_threads(void) { return threads; }

void nn_set_threads(int t)
{
    threads = t < 1 ? 1 : t > 64 ? 64 : t;
    openblas_set_num_threads(1);
}

typedef struct {
    nn_par_fn fn;
    void *arg;
    int t, nt;
} job;

static void *start(void *p)
{
    job *j = p;
    j->fn(j->arg, j->t, j->nt);
    return NULL;
}

void nn_par_run(int nt, nn_par_fn fn, void *arg)
{
    if (nt <= 1) {
        fn(arg, 0, 1);
        return;
    }
    pthread_t tid[64];
    job jobs[64];
    int started[64] = {0};
    if (nt > 64) nt = 64;
    for (int t = 1; t < nt; t++) {
        jobs[t] = (job){fn, arg, t, nt};
        started[t] = pthread_create(&tid[t], NULL, start, &jobs[t]) == 0;
    }
    fn(arg, 0, nt);
    for (int t = 1; t < nt; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else fn(arg, t, nt); /* could not start a thread: do its share here */
    }
}
