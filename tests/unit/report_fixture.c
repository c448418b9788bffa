/* tests/unit/report_fixture.c: see report_fixture.h. */
#include "tests/unit/report_fixture.h"

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "results/results.h"
#include "stats/job_metrics.h"
#include "stats/metrics.h"

static const char *const fx_labels[FX_L] = {"metastasis", "arthritis", "normal"};
static const char *const fx_aug[2] = {"original", "geometric"};
static const char *const fx_arch[2] = {"dspic", "alexnet"};

int fx_flip(int cell, int i, int j)
{
    switch (cell) {
    case 0: return j == 0 && i % 8 == 0;
    case 1: return j == 1 && i % 6 == 0;
    case 2: return j == 2 && i % 5 == 0;
    default: return (j == 0 || j == 1) && i % 7 == 0;
    }
}

static float fx_score(int cell, int i, int j, int truth)
{
    double u = fmod(0.37 * i + 0.11 * j + 0.05 * cell, 1.0);
    double right = truth ? 0.55 + 0.4 * u : 0.45 - 0.4 * u;
    return (float)(fx_flip(cell, i, j) ? 1.0 - right : right);
}

int fx_make(const char *path, int repeats, fx_results *fx)
{
    memset(fx, 0, sizeof *fx);
    fx->repeats = repeats;
    for (int i = 0; i < FX_N; i++) {
        uint8_t m = i % 3 == 0, a = i % 4 == 1;
        fx->truth[i * FX_L + 0] = m;
        fx->truth[i * FX_L + 1] = a;
        fx->truth[i * FX_L + 2] = !m && !a;
        fx->patient[i] = 100 + i / 2;
        for (int r = 0; r < repeats; r++) fx->assign[r * FX_N + i] = (int16_t)((i / 2 + r) % FX_K);
    }
    sc_job_row rows[FX_MAX_JOBS];
    int id = 0;
    for (int r = 0; r < repeats; r++)
        for (int f = 0; f < FX_K; f++)
            for (int a = 0; a < 2; a++)
                for (int m = 0; m < 2; m++, id++) {
                    sc_job_row *row = &rows[id];
                    memset(row, 0, sizeof *row);
                    row->id = id;
                    row->repeat = (int16_t)r;
                    row->fold = (int16_t)f;
                    snprintf(row->augmentation, SC_ROW_NAME, "%s", fx_aug[a]);
                    snprintf(row->architecture, SC_ROW_NAME, "%s", fx_arch[m]);
                    row->seed = 1000 + (uint64_t)id;
                    row->rank = -1;
                    int nt = 0;
                    for (int i = 0; i < FX_N; i++) nt += fx->assign[r * FX_N + i] == f;
                    row->n_test = nt;
                    row->n_train = FX_N - nt;
                    fx->cell[id] = a * 2 + m;
                    fx->repeat[id] = r;
                    fx->fold[id] = f;
                    fx->n_test[id] = nt;
                }
    fx->n_jobs = id;
    char **names = st_job_metric_names(fx_labels, FX_L);
    if (!names) return -1;
    sc_results_layout lay = {.version = "0.1.0-test",
                             .experiment_text = "name = \"fixture\";\nseed = 7;\n# a ``` fence\n",
                             .experiment_hash = 0xabc, .experiment_path = "configs/fixture.cfg",
                             .dataset_path = "data/fixture.h5", .dataset_hash = 0xdef, .seed = 7,
                             .l = FX_L, .label_names = fx_labels, .threshold = 0.5,
                             .confidence = 0.95, .repeats = repeats, .k = FX_K, .n = FX_N,
                             .truth = fx->truth, .patient = fx->patient, .assignment = fx->assign,
                             .n_jobs = fx->n_jobs, .rows = rows, .epochs = FX_EPOCHS,
                             .n_metrics = st_job_metrics_count(FX_L),
                             .metric_names = (const char *const *)names};
    sc_results *res;
    int rc = sc_results_create(MPI_COMM_SELF, path, &lay, &res);
    st_job_metric_names_free(names, FX_L);
    if (rc) return -1;
    for (int j = 0; j < fx->n_jobs && rc == 0; j++) {
        sc_job_row row = rows[j];
        int c = fx->cell[j], f = fx->fold[j];
        if (fx->repeat[j] == 0 && f == 2 && c == 3) {
            row.status = SC_JOB_FAILED;
            row.rank = 2;
            row.seconds = 0.5;
            snprintf(row.message, SC_ROW_MSG, "%s", FX_FAILED_MSG);
        } else if (fx->repeat[j] == 0 && f == 3 && c == 1) {
            row.status = SC_JOB_RUNNING;
            row.rank = 1;
        } else {
            float scores[FX_N * FX_L];
            uint8_t truth[FX_N * FX_L];
            int n = 0;
            for (int i = 0; i < FX_N; i++) {
                if (fx->assign[fx->repeat[j] * FX_N + i] != f) continue;
                for (int q = 0; q < FX_L; q++) {
                    truth[n * FX_L + q] = fx->truth[i * FX_L + q];
                    scores[n * FX_L + q] = fx_score(c, i, q, fx->truth[i * FX_L + q]);
                }
                n++;
            }
            st_counts_from_scores(scores, truth, n, FX_L, 0.5, fx->counts[j]);
            if (st_job_metrics(scores, truth, n, FX_L, 0.5, fx->metrics[j])) return -1;
            float hist[FX_EPOCHS];
            for (int e = 0; e < FX_EPOCHS; e++)
                hist[e] = (float)(0.7 / (e + 1) + 0.02 * c + 0.003 * f);
            rc = sc_results_write_job(res, j, scores, fx->counts[j], fx->metrics[j], hist);
            row.status = SC_JOB_DONE;
            row.rank = 1 + j % 2;
            row.seconds = 10.0 + j;
        }
        fx->status[j] = row.status;
        if (rc == 0) rc = sc_results_write_row(res, &row);
    }
    if (sc_results_close(res)) return -1;
    return rc;
}
