/* tests/unit/test_phantom_set.c: the phantom as a data set: parameter checks, the plan,
 * determinism and independence of scans, label consistency with the findings, and realism
 * checks that would catch a phantom solvable through an artefact (confounders in every class,
 * counts independent of the labels). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "data/phantom.h"
#include "util/error.h"

#define H 128
#define W 32

static void params(sc_phantom_params *p)
{
    sc_phantom_defaults(p);
    p->patients = 600;
    p->h = H;
    p->w = W;
}

static void test_defaults_and_checks(void **state)
{
    (void)state;
    sc_phantom_params p;
    sc_phantom_defaults(&p);
    assert_int_equal(sc_phantom_check(&p), 0);
    assert_int_equal(p.h, 1024);
    assert_int_equal(p.w, 256);
    sc_phantom_params q = p;
    q.patients = 0;
    assert_int_equal(sc_phantom_check(&q), -1);
    assert_non_null(strstr(sc_err_msg(), "--patients"));
    q = p;
    q.scans_min = 3;
    q.scans_max = 2;
    assert_int_equal(sc_phantom_check(&q), -1);
    assert_non_null(strstr(sc_err_msg(), "--scans-per-patient"));
    q = p;
    q.p_metastasis = 1.5;
    assert_int_equal(sc_phantom_check(&q), -1);
    assert_non_null(strstr(sc_err_msg(), "--p-metastasis"));
    q = p;
    q.difficulty = -1;
    assert_int_equal(sc_phantom_check(&q), -1);
    assert_non_null(strstr(sc_err_msg(), "--difficulty"));
    q = p;
    q.h = 8;
    assert_int_equal(sc_phantom_check(&q), -1);
    assert_non_null(strstr(sc_err_msg(), "--size"));
    q = p;
    q.counts_min = 5e6;
    assert_int_equal(sc_phantom_check(&q), -1);
    assert_non_null(strstr(sc_err_msg(), "--counts"));
    assert_null(sc_phantom_new(&q));
}

/* The plan: patient-major, scans per patient in range, labels constant per patient with
 * normal == neither disease; prevalences and co-occurrence near the defaults. */
static void test_plan(void **state)
{
    (void)state;
    sc_phantom_params p;
    params(&p);
    p.patients = 4000;
    sc_phantom_scan_id *v;
    int64_t n;
    assert_int_equal(sc_phantom_plan(&p, &v, &n), 0);
    assert_true(n >= 4000 && n <= 8000);
    int64_t pat = 0, met = 0, arth = 0, both = 0, normal = 0;
    for (int64_t i = 0; i < n; i++) {
        const uint8_t *l = v[i].labels;
        assert_int_equal(l[SC_PH_NORMAL], !(l[SC_PH_METASTASIS] || l[SC_PH_ARTHRITIS]));
        assert_true(v[i].n_scans >= 1 && v[i].n_scans <= 2 && v[i].scan < v[i].n_scans);
        if (v[i].scan == 0) {
            assert_int_equal(v[i].patient, pat);
            pat++;
            met += l[0];
            arth += l[1];
            both += l[0] && l[1];
            normal += l[2];
        } else {
            assert_int_equal(v[i].patient, v[i - 1].patient);
            assert_memory_equal(l, v[i - 1].labels, SC_PH_LABELS);
        }
    }
    assert_int_equal(pat, 4000);
    assert_true(fabs(met / 4000.0 - 0.35) < 0.03);
    assert_true(fabs(arth / 4000.0 - 0.20) < 0.03);
    assert_true(normal > met && met > arth); /* normal largest, metastasis second */
    double co = (double)both / (4000 - normal);
    assert_true(co > 0.10 && co < 0.20);
    free(v);
    /* more patients: the first ones unchanged */
    sc_phantom_scan_id *w;
    int64_t m;
    p.patients = 4100;
    assert_int_equal(sc_phantom_plan(&p, &w, &m), 0);
    assert_true(m > n);
    free(w);
}

/* Same seed, same image; scan (p, s) does not depend on what was generated before; another
 * seed, another image. */
static void test_determinism(void **state)
{
    (void)state;
    sc_phantom_params p;
    params(&p);
    sc_phantom *a = sc_phantom_new(&p), *b = sc_phantom_new(&p);
    size_t n = 2 * H * W;
    uint16_t *ia = malloc(n * 2), *ib = malloc(n * 2);
    for (int pt = 0; pt < 6; pt++) assert_int_equal(sc_phantom_scan(a, pt, 0, ia, NULL), 0);
    /* patient 5 scan 0 again, on a fresh generator, directly */
    assert_int_equal(sc_phantom_scan(b, 5, 0, ib, NULL), 0);
    assert_memory_equal(ia, ib, n * 2);
    sc_phantom_params q = p;
    q.seed = 2;
    sc_phantom *c = sc_phantom_new(&q);
    assert_int_equal(sc_phantom_scan(c, 5, 0, ib, NULL), 0);
    assert_true(memcmp(ia, ib, n * 2) != 0);
    /* a different difficulty changes lesions, never the anatomy of a normal patient */
    sc_phantom_scan_id *plan;
    int64_t np;
    assert_int_equal(sc_phantom_plan(&p, &plan, &np), 0);
    int64_t normal = -1;
    for (int64_t i = 0; i < np && normal < 0; i++)
        if (plan[i].labels[SC_PH_NORMAL]) normal = plan[i].patient;
    free(plan);
    q = p;
    q.difficulty = 3;
    sc_phantom *d = sc_phantom_new(&q);
    assert_int_equal(sc_phantom_scan(a, normal, 0, ia, NULL), 0);
    assert_int_equal(sc_phantom_scan(d, normal, 0, ib, NULL), 0);
    assert_memory_equal(ia, ib, n * 2);
    free(ia);
    free(ib);
    sc_phantom_free(a);
    sc_phantom_free(b);
    sc_phantom_free(c);
    sc_phantom_free(d);
}

/* Rank AUC of x for positives vs negatives (ties count half). */
static double auc(const double *x, const uint8_t *y, int n)
{
    double s = 0, pos = 0, neg = 0;
    for (int i = 0; i < n; i++) {
        if (!y[i]) continue;
        pos++;
        for (int j = 0; j < n; j++)
            if (!y[j]) s += x[i] > x[j] ? 1 : (x[i] == x[j] ? 0.5 : 0);
    }
    for (int j = 0; j < n; j++) neg += !y[j];
    return s / (pos * neg);
}

/* Findings agree with labels; benign hot spots are frequent in every class; totals and
 * background are not predictive of the labels. */
static void test_findings_and_realism(void **state)
{
    (void)state;
    sc_phantom_params p;
    params(&p);
    sc_phantom_scan_id *plan;
    int64_t n;
    assert_int_equal(sc_phantom_plan(&p, &plan, &n), 0);
    sc_phantom *g = sc_phantom_new(&p);
    uint16_t *img = malloc(sizeof(uint16_t) * 2 * H * W);
    double *tot = malloc(sizeof(double) * n), *bgv = malloc(sizeof(double) * n);
    uint8_t *lab[3];
    for (int j = 0; j < 3; j++) lab[j] = malloc((size_t)n);
    int benign[2] = {0}, count[2] = {0}, inj[2] = {0}, superscans = 0;
    for (int64_t i = 0; i < n; i++) {
        sc_phantom_truth t;
        assert_int_equal(sc_phantom_scan(g, plan[i].patient, plan[i].scan, img, &t), 0);
        assert_memory_equal(t.labels, plan[i].labels, 3);
        int met = t.labels[0], arth = t.labels[1], normal = t.labels[2];
        assert_int_equal(met, t.met_hot + t.met_cold > 0);
        assert_int_equal(arth, t.arth_spots > 0);
        count[!normal]++;
        benign[!normal] += t.benign_spots > 0;
        inj[!normal] += t.injection;
        superscans += t.superscan;
        double s = 0, corner = 0;
        for (int k = 0; k < 2 * H * W; k++) s += img[k];
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 3; c++) corner += img[r * W + c];
        /* totals in the clinical range (Poisson noise aside) */
        assert_true(s / 2 > 0.99 * p.counts_min && s / 2 < 1.01 * p.counts_max);
        tot[i] = s;
        bgv[i] = corner;
        for (int j = 0; j < 3; j++) lab[j][i] = t.labels[j];
    }
    double rate_n = (double)benign[0] / count[0], rate_d = (double)benign[1] / count[1];
    print_message("benign hot spots: normal %.2f, diseased %.2f; injection %.2f / %.2f\n", rate_n,
                  rate_d, (double)inj[0] / count[0], (double)inj[1] / count[1]);
    assert_true(rate_n > 0.45);           /* "any hot spot" is not the answer */
    assert_true(fabs(rate_n - rate_d) < 0.12); /* same rates in every class */
    assert_true(superscans < n / 20);
    for (int j = 0; j < 3; j++) {
        double a = auc(tot, lab[j], (int)n), b = auc(bgv, lab[j], (int)n);
        print_message("label %d: AUC(total counts) %.3f, AUC(corner background) %.3f\n", j, a, b);
        assert_true(a > 0.4 && a < 0.6);
        assert_true(b > 0.4 && b < 0.6);
    }
    for (int j = 0; j < 3; j++) free(lab[j]);
    free(tot);
    free(bgv);
    free(img);
    free(plan);
    sc_phantom_free(g);
}

/* Bladder hot, background near zero, at the native size. */
static void test_count_ranges_native(void **state)
{
    (void)state;
    sc_phantom_params p;
    sc_phantom_defaults(&p);
    p.patients = 4;
    sc_phantom *g = sc_phantom_new(&p);
    size_t n = 1024 * 256;
    uint16_t *img = malloc(2 * n * sizeof *img);
    for (int pt = 0; pt < 4; pt++) {
        assert_int_equal(sc_phantom_scan(g, pt, 0, img, NULL), 0);
        double corner = 0, body = 0;
        int nb = 0;
        uint16_t mx = 0;
        for (int r = 0; r < 40; r++)
            for (int c = 0; c < 30; c++) corner += img[n + r * 256 + c];
        for (size_t i = 0; i < n; i++) {
            if (img[i] > mx) mx = img[i];
            if (img[i] > 4) {
                body += img[i];
                nb++;
            }
        }
        corner /= 40 * 30;
        body /= nb;
        assert_true(corner < 2.0);
        assert_true(body > 10 && body < 80);
        assert_true(mx > 5 * body); /* bladder (or a hotter finding) */
    }
    free(img);
    sc_phantom_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_checks),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_findings_and_realism),
        cmocka_unit_test(test_count_ranges_native),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
