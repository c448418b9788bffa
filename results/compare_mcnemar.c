/* results/compare_mcnemar.c: McNemar's test between cells of two results files (compare.h), on
 * the pooled out-of-fold predictions of the folds of one repeat done in both.  The folds are the
 * same (checked), so the two pools hold the same scans in the same order; that is checked again
 * here, scan by scan, since the test means nothing otherwise.  A scan is right when each job's
 * decisions (score >= the job's threshold) give its whole label set. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "results/compare.h"
#include "results/summary_data.h"
#include "stats/compare.h"
#include "util/error.h"

static int one(const sc_comparison *c, const sc_cv_data *d, sc_cmp_mcnemar *m, int *ja, int *jb)
{
    const sc_results_file *r = &c->rf[0], *o = &c->rf[m->file];
    sc_pool pa = {0}, pb = {0};
    int na = sc_cv_cell_jobs(r, &d[0], m->ref_cell, m->repeat, ja), n = 0, rc = -1;
    for (int i = 0; i < na; i++) {
        int k = sc_cv_job_at(o, &d[m->file], m->cell, m->repeat, r->rows[ja[i]].fold);
        if (k < 0) continue;
        ja[n] = ja[i];
        jb[n++] = k;
    }
    if (n == 0) return sc_paired_mcnemar_run(NULL, NULL, NULL, 0, r->l, -1, &m->mc);
    sc_pool_jobs(r, &d[0], ja, n, &pa);
    sc_pool_jobs(o, &d[m->file], jb, n, &pb);
    SC_CHECK(pa.m == pb.m && !memcmp(pa.sample, pb.sample, (size_t)pa.m * sizeof *pa.sample),
             "%s: the test scans of repeat %d differ from %s's (a damaged file?)", o->path,
             m->repeat, r->path);
    /* Each job's own decisions (its thresholds with train.validation, else its file's), as the
     * report's McNemar counts them (summary_compare.c). */
    if (sc_paired_mcnemar_run(pa.decision, pb.decision, pa.truth, pa.m, r->l, -1, &m->mc)) {
        sc_err_prefix("%s: McNemar of %s/%s against %s's %s/%s", o->path,
                      c->s[m->file].cell_aug[m->cell], c->s[m->file].cell_arch[m->cell], r->path,
                      c->s[0].cell_aug[m->ref_cell], c->s[0].cell_arch[m->ref_cell]);
        goto fail;
    }
    rc = 0;
fail:
    sc_pool_free(&pa);
    sc_pool_free(&pb);
    return rc;
}

int sc_compare_mcnemar(sc_comparison *c)
{
    int pairs = 0, max_jobs = 0, rc = -1;
    for (int i = 0; i < c->n_tests; i++) pairs += c->tests[i].metric == 0;
    for (int f = 0; f < c->n_files; f++)
        if (c->rf[f].n_jobs > max_jobs) max_jobs = c->rf[f].n_jobs;
    const int repeats = c->rf[0].repeats;
    sc_cv_data *d = sc_xcalloc((size_t)c->n_files, sizeof *d);
    int *ja = sc_xmalloc((size_t)max_jobs * sizeof *ja), *jb = sc_xmalloc((size_t)max_jobs * sizeof *jb);
    c->mcnemar = sc_xcalloc((size_t)(repeats * pairs + 1), sizeof *c->mcnemar);
    c->n_mcnemar = 0;
    if (pairs > 0)
        for (int f = 0; f < c->n_files; f++)
            SC_TRY(sc_cv_load(&c->rf[f], c->s[f].n_cells,
                              (const char(*)[SC_ROW_NAME])c->s[f].cell_arch,
                              (const char(*)[SC_ROW_NAME])c->s[f].cell_aug, &d[f]));
    for (int r = 0; r < repeats && pairs > 0; r++) {
        sc_cmp_mcnemar *family = c->mcnemar + c->n_mcnemar;
        for (int i = 0; i < c->n_tests; i++) {
            const sc_cmp_test *t = &c->tests[i];
            if (t->metric != 0) continue;
            sc_cmp_mcnemar *m = &c->mcnemar[c->n_mcnemar++];
            m->file = t->file;
            m->cell = t->cell;
            m->ref_cell = t->ref_cell;
            m->baseline = t->baseline;
            m->repeat = r;
            SC_TRY(one(c, d, m, ja, jb));
        }
        SC_TRY(sc_holm_rows(family, sizeof *family, offsetof(sc_cmp_mcnemar, mc.p),
                            offsetof(sc_cmp_mcnemar, mc.p_holm), pairs));
    }
    rc = 0;
fail:
    for (int f = 0; f < c->n_files; f++) sc_cv_free(&d[f]);
    free(d);
    free(ja);
    free(jb);
    return rc;
}
