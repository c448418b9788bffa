/* tests/unit/test_results.c: the results file round trip (parallel HDF5 writer on one rank,
 * serial reader), fill values of unwritten jobs, the summary and its intervals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "results/results.h"
#include "results/results_read.h"
#include "results/summary.h"
#include "stats/intervals.h"
#include "stats/metrics.h"
#include "stats/job_metrics.h"

#define N 20
#define L 3
#define K 4
#define EPOCHS 3

static const char *label_names[L] = {"metastasis", "arthritis", "normal"};

static uint8_t all_truth[N * L];
static int64_t all_patient[N];

static void make_layout(sc_results_layout *lay, int16_t *assign, sc_job_row *rows,
                        char **metric_names)
{
    for (int i = 0; i < N; i++) {
        assign[i] = (int16_t)(i % K);
        all_patient[i] = 500 + i;
        for (int j = 0; j < L; j++) all_truth[i * L + j] = (uint8_t)((i + j) % 2);
    }
    for (int j = 0; j < K; j++) {
        memset(&rows[j], 0, sizeof rows[j]);
        rows[j].id = j;
        rows[j].fold = (int16_t)j;
        snprintf(rows[j].augmentation, SC_ROW_NAME, "original");
        snprintf(rows[j].architecture, SC_ROW_NAME, "dspic");
        rows[j].seed = 1000 + (uint64_t)j;
        rows[j].rank = -1;
        rows[j].n_test = N / K;
        rows[j].n_train = N - N / K;
    }
    *lay = (sc_results_layout){.version = "test", .experiment_text = "name = \"t\";",
                               .experiment_hash = 42, .experiment_path = "t.cfg",
                               .dataset_path = "d.h5", .dataset_hash = 7, .seed = 9, .l = L,
                               .label_names = label_names, .threshold = 0.5, .confidence = 0.95,
                               .repeats = 1, .k = K, .n = N, .truth = all_truth,
                               .patient = all_patient, .assignment = assign,
                               .n_jobs = K, .rows = rows, .epochs = EPOCHS,
                               .n_metrics = st_job_metrics_count(L),
                               .metric_names = (const char *const *)metric_names};
}

/* A results file at path from make_layout, with blas_core (NULL: none). */
static sc_results *create(const char *path, const char *blas_core, int16_t *assign,
                          sc_job_row *rows, char **names)
{
    sc_results_layout lay;
    make_layout(&lay, assign, rows, names);
    lay.blas_core = blas_core;
    sc_results *res = NULL;
    assert_int_equal(sc_results_create(MPI_COMM_SELF, path, &lay, &res), 0);
    return res;
}

static void test_round_trip_and_summary(void **state)
{
    (void)state;
    const char *path = "test_results.h5";
    int16_t assign[N];
    sc_job_row rows[K];
    char **names = st_job_metric_names(label_names, L);
    assert_non_null(names);
    sc_results *res = create(path, NULL, assign, rows, names);

    /* Jobs 0..2 done with known scores; job 3 left running (as if killed). */
    int M = st_job_metrics_count(L);
    double f1[3];
    for (int j = 0; j < 3; j++) {
        float scores[(N / K) * L];
        uint8_t truth[(N / K) * L];
        for (int i = 0; i < (N / K) * L; i++) {
            truth[i] = (uint8_t)((i + j) % 2);
            scores[i] = truth[i] ? 0.9f - 0.1f * (float)(i % (j + 2)) : 0.2f;
        }
        double metrics[64];
        int64_t counts[L * 4];
        st_counts_from_scores(scores, truth, N / K, L, 0.5, counts);
        assert_int_equal(st_job_metrics(scores, truth, N / K, L, 0.5, metrics), 0);
        f1[j] = metrics[4];
        float hist[EPOCHS] = {0.7f, 0.5f, 0.4f};
        assert_int_equal(sc_results_write_job(res, j, scores, counts, metrics, hist), 0);
        sc_job_row r = rows[j];
        r.status = SC_JOB_DONE;
        r.rank = 1;
        r.seconds = 1.5;
        assert_int_equal(sc_results_write_row(res, &r), 0);
    }
    sc_job_row r3 = rows[3];
    r3.status = SC_JOB_RUNNING;
    assert_int_equal(sc_results_write_row(res, &r3), 0);
    assert_int_equal(sc_results_close(res), 0);

    sc_results_file rf;
    assert_int_equal(sc_results_open(path, &rf), 0);
    assert_int_equal(rf.n_jobs, K);
    assert_int_equal(rf.l, L);
    assert_string_equal(rf.label_names[1], "arthritis");
    assert_int_equal(rf.n_metrics, M);
    assert_string_equal(rf.metric_names[4], "macro_f1");
    assert_string_equal(rf.experiment, "name = \"t\";");
    assert_string_equal(rf.blas_core, ""); /* not given: not written, read as empty */
    assert_int_equal(rf.rows[0].status, SC_JOB_DONE);
    assert_int_equal(rf.rows[3].status, SC_JOB_RUNNING);
    assert_int_equal(rf.assignment[7], 3);
    assert_memory_equal(rf.truth, all_truth, sizeof all_truth);
    assert_true(rf.patient[19] == 519);
    int32_t idx[N / K];
    float sc[(N / K) * L];
    int64_t cnt[L * 4];
    double met[64];
    float hist[EPOCHS];
    assert_int_equal(sc_results_read_job(&rf, 1, idx, sc, cnt, met, hist), 0);
    for (int i = 0; i < N / K; i++) assert_int_equal(idx[i], 1 + K * i);
    assert_float_equal(hist[2], 0.4f, 0);
    assert_float_equal(met[4], f1[1], 0);
    /* An unwritten job reads as NaN and -1: a killed run is recognizable. */
    assert_int_equal(sc_results_read_job(&rf, 3, NULL, sc, cnt, met, hist), 0);
    assert_true(isnan(sc[0]) && isnan(met[0]) && isnan(hist[0]));
    assert_true(cnt[0] == -1);

    sc_summary s;
    assert_int_equal(sc_summary_compute(&rf, &s), 0);
    assert_int_equal(s.n_cells, 1);
    const sc_summary_row *row = sc_summary_find(&s, 0, "macro_f1");
    assert_non_null(row);
    assert_int_equal(row->n, 3);
    assert_int_equal(row->n_jobs, 4);
    assert_int_equal(row->n_done, 3);
    st_interval want;
    assert_int_equal(st_interval_corrected(f1, 3, 5.0 / 15.0, 0.95, &want), 0);
    assert_float_equal(row->mean, (f1[0] + f1[1] + f1[2]) / 3, 1e-12);
    assert_float_equal(row->lo, want.lo, 1e-12);
    assert_float_equal(row->hi, want.hi, 1e-12);
    sc_results_free(&rf);

    /* /summary/table is written and readable. */
    assert_int_equal(sc_summary_write(path, &s), 0);
    assert_int_equal(sc_summary_write(path, &s), 0); /* replaced, not duplicated */
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, "/summary/table", H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t sp = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), M);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);
    sc_summary_free(&s);
    st_job_metric_names_free(names, L);
    remove(path);
}

/* The OpenBLAS kernels of the workers, when given, are read back (spectcv info prints them). */
static void test_blas_core_attribute(void **state)
{
    (void)state;
    const char *path = "test_results_core.h5";
    int16_t assign[N];
    sc_job_row rows[K];
    char **names = st_job_metric_names(label_names, L);
    assert_non_null(names);
    assert_int_equal(sc_results_close(create(path, "Haswell", assign, rows, names)), 0);
    sc_results_file rf;
    assert_int_equal(sc_results_open(path, &rf), 0);
    assert_string_equal(rf.blas_core, "Haswell");
    sc_results_free(&rf);
    st_job_metric_names_free(names, L);
    remove(path);
}

static void test_reader_rejects_foreign_files(void **state)
{
    (void)state;
    sc_results_file rf;
    assert_int_equal(sc_results_open("no_such_results.h5", &rf), -1);
    hid_t f = H5Fcreate("foreign.h5", H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    assert_int_equal(sc_results_open("foreign.h5", &rf), -1);
    remove("foreign.h5");
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_summary),
        cmocka_unit_test(test_blas_core_attribute),
        cmocka_unit_test(test_reader_rejects_foreign_files),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    MPI_Finalize();
    return rc;
}
