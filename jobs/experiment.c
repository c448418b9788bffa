/* jobs/experiment.c: see experiment.h (the loader that fills an experiment is
 * pipeline/experiment.c). */
#include "jobs/experiment.h"

#include <stdlib.h>

/* folds/ names the label bound itself (it may not include data/); the two must agree. */
_Static_assert(SC_FOLDS_MAX_LABELS == SC_DS_MAX_LABELS,
               "folds/folds.h SC_FOLDS_MAX_LABELS differs from data/dataset.h SC_DS_MAX_LABELS");

void sc_experiment_free(sc_experiment *e)
{
    free(e->text);
    e->text = NULL;
}
