/* tests/unit/test_report.c: `spectcv report` on the designed results file of
 * report_fixture.c (4 cells, 4 folds, one failed job, one still running): the predictions CSV
 * recomputes the stored counts and metrics bit for bit; summary.md holds the expected values;
 * a second report is byte-identical (figures included when gnuplot renders them); missing and
 * failed jobs are marked; bad inputs fail with messages naming the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/commands.h"
#include "results/report.h"
#include "results/results_read.h"
#include "stats/intervals.h"
#include "stats/job_metrics.h"
#include "stats/metrics.h"
#include "stats/reference.h"
#include "tests/unit/report_fixture.h"
#include "util/error.h"
#include "util/sys.h"

static const char *path = "report_fixture.h5";
static fx_results fx;
static sc_report_result first; /* of the report in rep_a */

static int setup(void **state)
{
    (void)state;
    if (fx_make(path, 1, &fx)) return -1;
    sc_report_options opt;
    sc_report_options_default(&opt);
    opt.bootstrap = 500; /* the default 2000 works too; this keeps the test quick */
    return sc_report_build(path, "rep_a", &opt, &first);
}

static int teardown(void **state)
{
    (void)state;
    remove(path);
    return 0;
}

static char *slurp(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    char *s = sc_read_file(p, NULL);
    assert_non_null(s);
    return s;
}

static int gnuplot_on_path(void)
{
    const char *p = getenv("PATH");
    char buf[4096];
    while (p && *p) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)n, p);
        if (access(buf, X_OK) == 0) return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

/* Re-read predictions.csv and recompute each done job's counts and metrics vector with the
 * stats functions: they must equal the stored ones bit for bit. */
static void test_predictions_recompute(void **state)
{
    (void)state;
    char *csv = slurp("rep_a", "predictions.csv");
    char *line = strtok(csv, "\n");
    assert_string_equal(line, "job,repeat,fold,augmentation,architecture,sample,patient,label,"
                              "score,truth");
    static const char *const labels[FX_L] = {"metastasis", "arthritis", "normal"};
    float scores[FX_MAX_JOBS][FX_N * FX_L];
    uint8_t truth[FX_MAX_JOBS][FX_N * FX_L];
    int rows[FX_MAX_JOBS] = {0}, n_lines = 0;
    while ((line = strtok(NULL, "\n"))) {
        char aug[32], arch[32], label[32];
        int job, rep, fold, sample, t;
        long long patient;
        float score;
        assert_int_equal(sscanf(line, "%d,%d,%d,%31[^,],%31[^,],%d,%lld,%31[^,],%g,%d", &job,
                                &rep, &fold, aug, arch, &sample, &patient, label, &score, &t),
                         10);
        assert_int_equal(fx.status[job], SC_JOB_DONE);
        assert_int_equal(fold, fx.fold[job]);
        assert_int_equal(fx.assign[sample], fold);
        assert_int_equal(patient, fx.patient[sample]);
        int k = rows[job] % FX_L;
        assert_string_equal(label, labels[k]);
        assert_int_equal(t, fx.truth[sample * FX_L + k]);
        scores[job][rows[job]] = score;
        truth[job][rows[job]] = (uint8_t)t;
        rows[job]++;
        n_lines++;
    }
    free(csv);
    sc_results_file rf;
    assert_int_equal(sc_results_open(path, &rf), 0);
    int done = 0, M = st_job_metrics_count(FX_L);
    for (int j = 0; j < fx.n_jobs; j++) {
        if (fx.status[j] != SC_JOB_DONE) {
            assert_int_equal(rows[j], 0);
            continue;
        }
        done++;
        int n = rows[j] / FX_L;
        assert_int_equal(n, fx.n_test[j]);
        int64_t counts[FX_L * 4], stored_counts[FX_L * 4];
        double metrics[64], stored[64];
        st_counts_from_scores(scores[j], truth[j], n, FX_L, rf.threshold, counts);
        assert_int_equal(st_job_metrics(scores[j], truth[j], n, FX_L, rf.threshold, metrics), 0);
        assert_int_equal(sc_results_read_job(&rf, j, NULL, NULL, stored_counts, stored, NULL), 0);
        assert_memory_equal(counts, stored_counts, sizeof counts);
        assert_memory_equal(metrics, stored, (size_t)M * sizeof(double));
    }
    assert_int_equal(done, 14);
    assert_int_equal(n_lines, 14 * 12 * FX_L);
    sc_results_free(&rf);
}

/* The line of the first table whose cell is (aug, arch). */
static char *summary_row(const char *md, const char *aug, const char *arch, char *out,
                         size_t n)
{
    const char *at = strstr(md, "## Summary");
    assert_non_null(at);
    for (const char *l = at; (l = strchr(l, '\n')); l++) {
        const char *e = strchr(l + 1, '\n');
        size_t len = e ? (size_t)(e - l - 1) : strlen(l + 1);
        snprintf(out, n, "%.*s", (int)len, l + 1);
        char a[64], b[64];
        if (sscanf(out, "| %63s | %63s |", a, b) == 2 && !strcmp(a, aug) && !strcmp(b, arch))
            return out;
    }
    fail_msg("no summary row for %s x %s", aug, arch);
    return NULL;
}

static void test_summary_values(void **state)
{
    (void)state;
    char *md = slurp("rep_a", "summary.md");
    static const char *const aug[2] = {"original", "geometric"};
    static const char *const arch[2] = {"dspic", "alexnet"};
    double best[5], worst[5];
    for (int k = 0; k < 5; k++) best[k] = -1, worst[k] = 2;
    int clipped = 0;
    for (int c = 0; c < FX_CELLS; c++) {
        char line[1024];
        summary_row(md, aug[c / 2], arch[c % 2], line, sizeof line);
        /* folds: done/all, daggered when some are missing */
        char want[128];
        int nd = 0;
        for (int j = 0; j < fx.n_jobs; j++) nd += fx.cell[j] == c && fx.status[j] == SC_JOB_DONE;
        snprintf(want, sizeof want, "%d/4%s |", nd, nd < 4 ? "\xe2\x80\xa0" : "");
        assert_non_null(strstr(line, want));
        for (int k = 0; k < 5; k++) { /* macro accuracy .. macro F1 = metrics[0..4] */
            double v[FX_K], n_test = 0, n_train = 0;
            int J = 0;
            for (int j = 0; j < fx.n_jobs; j++) {
                if (fx.cell[j] != c) continue;
                n_test += fx.n_test[j];
                n_train += FX_N - fx.n_test[j];
                if (fx.status[j] == SC_JOB_DONE) v[J++] = fx.metrics[j][k];
            }
            st_interval ci;
            assert_int_equal(st_interval_corrected(v, J, n_test / n_train, 0.95, &ci), 0);
            /* shown clipped to [0, 1], a clipped bound marked with a section sign */
            double lo = ci.lo, hi = ci.hi;
            const int moved = st_clip_unit(&lo, &hi);
            clipped |= moved;
            snprintf(want, sizeof want, "%.4f [%.4f%s, %.4f%s]", ci.mean, lo,
                     moved & ST_CLIPPED_LO ? "\xc2\xa7" : "", hi,
                     moved & ST_CLIPPED_HI ? "\xc2\xa7" : "");
            if (!strstr(line, want)) fail_msg("'%s' not in '%s'", want, line);
            if (ci.mean > best[k]) best[k] = ci.mean;
            if (ci.mean < worst[k]) worst[k] = ci.mean;
        }
    }
    char want[512];
    snprintf(want, sizeof want, "Best (worst) cell means: accuracy %.4f (%.4f), precision %.4f "
             "(%.4f), sensitivity %.4f (%.4f), specificity %.4f (%.4f), F1 %.4f (%.4f).",
             best[0], worst[0], best[1], worst[1], best[2], worst[2], best[3], worst[3], best[4],
             worst[4]);
    if (!strstr(md, want)) fail_msg("missing: %s", want);
    /* the fixture has intervals past 1: the legend says what the mark means */
    assert_true(clipped & ST_CLIPPED_HI);
    assert_non_null(strstr(md, "\xc2\xa7 : bound clipped to [0, 1] (the metric is a proportion"));
    assert_non_null(strstr(md, "95% Nadeau\xe2\x80\x93" "Bengio corrected resampled t interval"));
    /* the experiment, whole, in a fence longer than its own ``` */
    assert_non_null(strstr(md, "````\nname = \"fixture\";\nseed = 7;\n# a ``` fence\n````"));
    assert_non_null(strstr(md, "`data/fixture.h5` (hash `0000000000000def`)"));
    /* McNemar worked out by hand (test_report_summary.c): b = 8, c = 4, exact p 0.3877 */
    assert_non_null(strstr(md, "| original \xc3\x97 dspic   | geometric \xc3\x97 dspic   | set"));
    assert_non_null(strstr(md, "|    48 |   8 |   4 | exact | 0.3877 |"));
    free(md);
    char *tex = slurp("rep_a", "tables.tex");
    assert_non_null(strstr(tex, "\\toprule"));
    assert_non_null(strstr(tex, "original & alexnet & 3/4$^\\dagger$ &"));
    assert_non_null(strstr(tex, "augmentation $\\times$ architecture"));
    assert_non_null(strstr(tex, "1.0000\\S{}]"));
    assert_non_null(strstr(tex, "\\S{} : bound clipped to [0, 1]."));
    free(tex);
}

/* Sorted names in dir (files and subfolders). */
static int list_dir(const char *dir, struct dirent ***names)
{
    int n = scandir(dir, names, NULL, alphasort);
    assert_true(n >= 0);
    return n;
}

static void compare_trees(const char *a, const char *b, int *n_files)
{
    struct dirent **na, **nb;
    int n = list_dir(a, &na), m = list_dir(b, &nb);
    assert_int_equal(n, m);
    for (int i = 0; i < n; i++) {
        assert_string_equal(na[i]->d_name, nb[i]->d_name);
        if (na[i]->d_name[0] == '.') continue;
        char pa[512], pb[512];
        snprintf(pa, sizeof pa, "%s/%s", a, na[i]->d_name);
        snprintf(pb, sizeof pb, "%s/%s", b, nb[i]->d_name);
        struct stat st;
        assert_int_equal(stat(pa, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            compare_trees(pa, pb, n_files);
        } else {
            size_t la, lb;
            char *x = sc_read_file(pa, &la), *y = sc_read_file(pb, &lb);
            assert_non_null(x);
            assert_non_null(y);
            if (la != lb || memcmp(x, y, la)) fail_msg("%s and %s differ", pa, pb);
            free(x);
            free(y);
            (*n_files)++;
        }
    }
    for (int i = 0; i < n; i++) free(na[i]), free(nb[i]);
    free(na);
    free(nb);
}

static void test_byte_identical(void **state)
{
    (void)state;
    sc_report_options opt;
    sc_report_options_default(&opt);
    opt.bootstrap = 500;
    sc_report_result second;
    assert_int_equal(sc_report_build(path, "rep_b", &opt, &second), 0);
    int n = 0;
    compare_trees("rep_a", "rep_b", &n);
    /* 11 files, and per figure (5 + 2 labels x 3) a script and its data, plus
     * per_fold_means.dat; rendered: an SVG and a PNG each */
    int figs = 2 + 2 * FX_L + 1, want = 11 + 2 * figs + 1;
    assert_int_equal(first.figures_rendered, gnuplot_on_path());
    if (first.figures_rendered) want += 2 * figs;
    assert_int_equal(n, want);
    char *html = slurp("rep_a", "index.html");
    int imgs = 0;
    for (const char *p = html; (p = strstr(p, "<img ")); p++) imgs++;
    assert_int_equal(imgs, first.figures_rendered ? figs : 0);
    /* self-contained: every image is a data URI */
    for (const char *p = html; (p = strstr(p, " src=\"")); p++)
        assert_memory_equal(p + 6, "data:image/svg+xml;base64,", 26);
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "<script"));
    free(html);
}

static void test_missing_and_failed_marked(void **state)
{
    (void)state;
    char *md = slurp("rep_a", "summary.md");
    assert_non_null(strstr(md, "Jobs: 16 \xe2\x80\x94 14 done, 1 failed, 1 running, 0 pending."));
    assert_non_null(strstr(md, "Incomplete sweep: 2 of 16 jobs have no results"));
    const char *sec = strstr(md, "## Failed and missing jobs");
    assert_non_null(sec);
    assert_non_null(strstr(sec, "| 0011 |      0 |    2 | geometric    | alexnet      | failed  | "
                                FX_FAILED_MSG));
    assert_non_null(strstr(sec, "| 0013 |      0 |    3 | original     | alexnet      | running | "
                                "not finished"));
    /* per fold: no numbers for the two, a dash instead */
    assert_non_null(strstr(md, "| 0013 |      0 |    3 | original     | alexnet      | running |"
                               "         12 |        \xe2\x80\x94 |"));
    free(md);
    char *html = slurp("rep_a", "index.html");
    assert_non_null(strstr(html, FX_FAILED_MSG));
    free(html);
    char *csv = slurp("rep_a", "per_fold.csv");
    const char *l11 = strstr(csv, "\n11,0,2,geometric,alexnet,failed,2,0.5,36,12,,,");
    assert_non_null(l11);
    assert_non_null(strstr(l11, "," FX_FAILED_MSG "\n"));
    assert_non_null(strstr(csv, "\n13,0,3,original,alexnet,running,1,0,36,12,,,"));
    free(csv);
}

static void test_no_render_and_missing_gnuplot(void **state)
{
    (void)state;
    sc_report_options opt;
    sc_report_options_default(&opt);
    opt.bootstrap = 0;
    opt.gnuplot = "/no/such/gnuplot";
    sc_report_result r;
    assert_int_equal(sc_report_build(path, "rep_c", &opt, &r), 0);
    assert_int_equal(r.figures_rendered, 0);
    assert_non_null(strstr(r.note, "/no/such/gnuplot not found"));
    assert_int_equal(access("rep_c/figures/metrics.gp", R_OK), 0);
    assert_int_equal(access("rep_c/figures/metrics.dat", R_OK), 0);
    assert_int_equal(access("rep_c/figures/metrics.svg", R_OK), -1);
    /* metrics.dat: per metric the cells' mean lo hi, then the trivial predictors' scores on
     * the file's truths (as printed to 6 digits). */
    sc_results_file rf;
    assert_int_equal(sc_results_open(path, &rf), 0);
    double ref[ST_REF_N][ST_N_BASIC];
    assert_int_equal(st_reference_macro(rf.truth, rf.n, rf.l, ref), 0);
    char *dat = slurp("rep_c/figures", "metrics.dat"), *lines = NULL;
    int rows_seen = 0;
    for (char *ln = strtok_r(dat, "\n", &lines); ln; ln = strtok_r(NULL, "\n", &lines)) {
        if (ln[0] == '#') continue;
        char *fields = NULL;
        assert_non_null(strtok_r(ln, " ", &fields)); /* the metric's title */
        double v[64];
        int nv = 0;
        for (char *t = strtok_r(NULL, " ", &fields); t && nv < 64; t = strtok_r(NULL, " ", &fields))
            v[nv++] = strtod(t, NULL);
        assert_true(rows_seen < ST_N_BASIC);
        assert_int_equal(nv, 3 * FX_CELLS + ST_REF_N);
        for (int r = 0; r < ST_REF_N; r++)
            assert_true(fabs(v[3 * FX_CELLS + r] - ref[r][rows_seen]) < 1e-5);
        rows_seen++;
    }
    assert_int_equal(rows_seen, ST_N_BASIC);
    free(dat);
    sc_results_free(&rf);
    assert_int_equal(access("rep_c/bootstrap.csv", R_OK), -1); /* bootstrap off */
    char *md = slurp("rep_c", "summary.md");
    assert_non_null(strstr(md, "The figures are not rendered"));
    assert_non_null(strstr(md, "the bootstrap was disabled"));
    free(md);
    opt.render = 0;
    assert_int_equal(sc_report_build(path, "rep_c", &opt, &r), 0);
    assert_int_equal(r.figures_rendered, 0);
}

/* cmd_report with a NULL-terminated argument list (copied: argv is not const). */
static int run_report(const char *arg0, ...)
{
    char *argv[16];
    int argc = 0;
    va_list ap;
    va_start(ap, arg0);
    for (const char *a = arg0; a && argc < 15; a = va_arg(ap, const char *))
        argv[argc++] = sc_xstrdup(a);
    va_end(ap);
    argv[argc] = NULL;
    int rc = cmd_report(argc, argv);
    for (int i = 0; i < argc; i++) free(argv[i]);
    return rc;
}

static void test_bad_inputs(void **state)
{
    (void)state;
    sc_report_options opt;
    sc_report_options_default(&opt);
    opt.render = 0;
    sc_report_result r;
    assert_int_equal(sc_report_build("no_such.h5", "rep_x", &opt, &r), -1);
    assert_non_null(strstr(sc_err_msg(), "no_such.h5: cannot open the results file"));
    FILE *f = fopen("text.h5", "w");
    fputs("not hdf5\n", f);
    fclose(f);
    assert_int_equal(sc_report_build("text.h5", "rep_x", &opt, &r), -1);
    assert_non_null(strstr(sc_err_msg(), "text.h5: not an HDF5 file"));
    hid_t h = H5Fcreate("foreign.h5", H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(h);
    assert_int_equal(sc_report_build("foreign.h5", "rep_x", &opt, &r), -1);
    assert_non_null(strstr(sc_err_msg(), "foreign.h5: missing attribute 'version' (not a spectcv "
                                         "results file?)"));
    /* a folder that cannot be created: its parent is a file */
    assert_int_equal(sc_report_build(path, "text.h5/report", &opt, &r), -1);
    assert_non_null(strstr(sc_err_msg(), "text.h5/report"));
    assert_int_equal(access("rep_x", F_OK), -1); /* nothing written for a bad input */

    char name[64];
    assert_int_equal(sc_report_default_dir("runs/run1.h5", name, sizeof name), 0);
    assert_string_equal(name, "run1_report");
    assert_int_equal(sc_report_default_dir("plain", name, sizeof name), 0);
    assert_string_equal(name, "plain_report");
    assert_int_equal(sc_report_default_dir("dir/.h5", name, sizeof name), 0);
    assert_string_equal(name, ".h5_report");

    /* the command: exit codes 0 (help), 2 (usage), 1 (bad input) */
    assert_int_equal(run_report("report", "--help", NULL), 0);
    assert_int_equal(run_report("report", NULL), 2);
    assert_int_equal(run_report("report", path, "--frobnicate", NULL), 2);
    assert_int_equal(run_report("report", path, "--bootstrap", "many", NULL), 2);
    assert_int_equal(run_report("report", path, "--bootstrap", "1", NULL), 2);
    assert_int_equal(run_report("report", "no_such.h5", "-o", "rep_x", NULL), 1);
    assert_int_equal(run_report("report", path, "-o", "rep_d", "--no-render", "--bootstrap", "0",
                                NULL),
                     0);
    assert_int_equal(access("rep_d/summary.md", R_OK), 0);
    remove("text.h5");
    remove("foreign.h5");
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_predictions_recompute),
        cmocka_unit_test(test_summary_values),
        cmocka_unit_test(test_byte_identical),
        cmocka_unit_test(test_missing_and_failed_marked),
        cmocka_unit_test(test_no_render_and_missing_gnuplot),
        cmocka_unit_test(test_bad_inputs),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    MPI_Finalize();
    return rc;
}
