/* stats/reference.c: see reference.h.  Expected counts are used for the random predictor, so
 * its metrics are those of the expected confusion matrix (F1 = prevalence). */
#include "stats/reference.h"

#include "util/error.h"

const char *const st_ref_names[ST_REF_N] = {"all positive", "majority class",
                                            "random at prevalence"};

/* Metrics from real-valued (expected) counts, with the zero-division rule of metrics.c. */
static void metrics_of(double tp, double fp, double fn, double tn, double out[ST_N_BASIC])
{
    double n = tp + fp + fn + tn;
    out[ST_ACC] = n > 0 ? (tp + tn) / n : 0;
    out[ST_PREC] = tp + fp > 0 ? tp / (tp + fp) : 0;
    out[ST_SENS] = tp + fn > 0 ? tp / (tp + fn) : 0;
    out[ST_SPEC] = tn + fp > 0 ? tn / (tn + fp) : 0;
    out[ST_F1] = 2 * tp + fp + fn > 0 ? 2 * tp / (2 * tp + fp + fn) : 0;
}

int st_reference_macro(const uint8_t *truth, int64_t n, int l, double out[ST_REF_N][ST_N_BASIC])
{
    SC_CHECK(n >= 1 && l >= 1, "reference predictors: need at least one scan and one label");
    for (int k = 0; k < ST_REF_N; k++)
        for (int m = 0; m < ST_N_BASIC; m++) out[k][m] = 0;
    for (int j = 0; j < l; j++) {
        double pos = 0;
        for (int64_t i = 0; i < n; i++) pos += truth[i * l + j];
        double neg = (double)n - pos, p = pos / (double)n, m[ST_N_BASIC];
        metrics_of(pos, neg, 0, 0, m);
        for (int k = 0; k < ST_N_BASIC; k++) out[ST_REF_ALL_POSITIVE][k] += m[k] / l;
        if (p >= 0.5) metrics_of(pos, neg, 0, 0, m);
        else metrics_of(0, 0, pos, neg, m);
        for (int k = 0; k < ST_N_BASIC; k++) out[ST_REF_MAJORITY][k] += m[k] / l;
        metrics_of(pos * p, neg * p, pos * (1 - p), neg * (1 - p), m);
        for (int k = 0; k < ST_N_BASIC; k++) out[ST_REF_RANDOM][k] += m[k] / l;
    }
    return 0;
fail:
    return -1;
}
