/* jobs/validation_run.c: a classifier job's validation epochs (validation.h, the last part):
 * scoring the held-out scans, keeping the best network, the thresholds at the end. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/validation.h"
#include "nn/weights.h"
#include "stats/metrics.h"
#include "stats/threshold.h"
#include "util/error.h"

void sc_val_run_init(sc_val_run *v, const nn_net *net, int epochs)
{
    v->epochs = epochs;
    v->loss = sc_xmalloc(sizeof *v->loss * (size_t)epochs);
    v->f1 = sc_xmalloc(sizeof *v->f1 * (size_t)epochs);
    for (int e = 0; e < epochs; e++) v->loss[e] = v->f1[e] = NAN;
    v->n_state = nn_state_size(net);
    v->best_state = sc_xmalloc(sizeof *v->best_state * (v->n_state ? v->n_state : 1));
    v->stopped = 0;
    v->x = sc_xmalloc(sizeof *v->x * v->per * (size_t)v->batch);
    v->y = sc_xmalloc(sizeof *v->y * (size_t)v->l * (size_t)v->batch);
    v->scores = sc_xmalloc(sizeof *v->scores * (size_t)v->l * (size_t)(v->n ? v->n : 1));
}

void sc_val_run_free(sc_val_run *v)
{
    free(v->loss);
    free(v->f1);
    free(v->best_state);
    free(v->x);
    free(v->y);
    free(v->scores);
    v->loss = v->f1 = v->best_state = v->x = v->y = v->scores = NULL;
}

int sc_val_score(sc_val_run *v, nn_net *net, double *loss, double *f1)
{
    const int l = v->l;
    double sum = 0.0;
    for (int64_t s = 0; s < v->n; s += v->batch) {
        const int b = (int)(v->n - s < v->batch ? v->n - s : v->batch);
        for (int i = 0; i < b; i++) {
            const int32_t scan = v->index[s + i];
            memcpy(v->x + (size_t)i * v->per, v->images + (size_t)scan * v->per,
                   sizeof *v->x * v->per);
            for (int j = 0; j < l; j++) v->y[i * l + j] = v->truth[(size_t)scan * l + j];
        }
        float *z = v->scores + (size_t)s * l;
        SC_TRY(nn_predict_logits(net, v->x, b, z));
        sum += nn_loss_bce_logits(z, v->y, b, l, v->pos_weight, NULL) * b;
        for (int i = 0; i < b * l; i++) { /* the sigmoid, as nn_predict's */
            const float e = expf(-fabsf(z[i]));
            z[i] = z[i] >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
        }
    }
    for (int64_t i = 0; i < v->n * l; i++)
        SC_CHECK(isfinite(v->scores[i]), "the network's output on validation scan %d is not "
                 "finite: training diverged (lower train.lr?)", v->index[i / l]);
    int64_t counts[SC_DS_MAX_LABELS * 4];
    double m[ST_N_BASIC];
    uint8_t *truth = sc_xmalloc((size_t)(v->n ? v->n : 1) * (size_t)l);
    for (int64_t i = 0; i < v->n; i++)
        memcpy(truth + i * l, v->truth + (size_t)v->index[i] * l, (size_t)l);
    st_counts_from_scores(v->scores, truth, v->n, l, v->threshold, counts);
    free(truth);
    st_macro_metrics(counts, l, m, NULL);
    *loss = sum / (double)v->n;
    *f1 = m[ST_F1];
    return 0;
fail:
    return -1;
}

int sc_val_epoch(sc_val_run *v, nn_net *net, int epoch)
{
    double loss, f1;
    SC_TRY(sc_val_score(v, net, &loss, &f1));
    v->loss[epoch] = (float)loss;
    v->f1[epoch] = (float)f1;
    /* selected on the stored (float) values, so a resumed job decides as an uninterrupted one */
    const int got = sc_val_select_step(&v->sel, epoch, v->loss[epoch], v->f1[epoch]);
    if (got & SC_VAL_IMPROVED) nn_state_get(net, v->best_state);
    if ((got & SC_VAL_STOP) && epoch + 1 < v->epochs) {
        v->stopped = 1;
        return 1;
    }
    return 0;
fail:
    return -1;
}

int sc_val_finish(sc_val_run *v, nn_net *net, double *thr)
{
    double loss, f1;
    SC_CHECK(v->sel.best >= 0, "train.validation: no epoch had a finite validation loss");
    nn_state_set(net, v->best_state);
    SC_TRY(sc_val_score(v, net, &loss, &f1));
    uint8_t *truth = sc_xmalloc((size_t)(v->n ? v->n : 1) * (size_t)v->l);
    for (int64_t i = 0; i < v->n; i++)
        memcpy(truth + i * v->l, v->truth + (size_t)v->index[i] * v->l, (size_t)v->l);
    st_best_thresholds(v->scores, truth, v->n, v->l, thr, NULL);
    free(truth);
    return 0;
fail:
    return -1;
}

int sc_val_epochs_run(const sc_val_run *v)
{
    int e = v->epochs;
    while (e > 0 && isnan(v->loss[e - 1])) e--;
    return e;
}
