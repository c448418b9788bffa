/* tests/unit/report_fixture.h: a results file with designed scores for the summary and report
 * tests.  Cells (in job order): original x dspic, original x alexnet, geometric x dspic,
 * geometric x alexnet.  N scans of N/2 patients (two scans each), labels metastasis, arthritis,
 * normal.  Every prediction is right except the flips of fx_flip, so pooled counts and McNemar
 * counts can be worked out by hand.  Job (repeat 0, fold 2) of geometric x alexnet failed and
 * job (repeat 0, fold 3) of original x alexnet is still running (outputs unwritten). */
#ifndef TESTS_UNIT_REPORT_FIXTURE_H
#define TESTS_UNIT_REPORT_FIXTURE_H

#include <stdint.h>

#define FX_N 48
#define FX_L 3
#define FX_K 4
#define FX_CELLS 4
#define FX_EPOCHS 4
#define FX_MAX_JOBS (2 * FX_K * FX_CELLS)
#define FX_FAILED_MSG "NaN loss at epoch 3 (learning rate too high?)"

typedef struct {
    int repeats, n_jobs;
    uint8_t truth[FX_N * FX_L];
    int64_t patient[FX_N];
    int16_t assign[2 * FX_N];
    int cell[FX_MAX_JOBS], repeat[FX_MAX_JOBS], fold[FX_MAX_JOBS], status[FX_MAX_JOBS];
    int n_test[FX_MAX_JOBS];
    double metrics[FX_MAX_JOBS][64]; /* of done jobs */
    int64_t counts[FX_MAX_JOBS][FX_L * 4];
} fx_results;

/* 1 if cell's prediction of label j for scan i is wrong by design. */
int fx_flip(int cell, int i, int j);
/* Write the results file (1 or 2 repeats); fills fx.  Returns 0 on success. */
int fx_make(const char *path, int repeats, fx_results *fx);

#endif
