/* results/report.c: see report.h.  Order: read everything, compute the summary, then write
 * the CSV files, the figures (and render them), and the three renderings of the document. */
#include "results/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/report_parts.h"
#include "util/error.h"
#include "util/sys.h"

void sc_report_options_default(sc_report_options *o)
{
    o->bootstrap = SC_SUMMARY_BOOTSTRAP_DEFAULT;
    o->render = 1;
    o->gnuplot = NULL;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int sc_report_default_dir(const char *results_path, char *out, size_t n)
{
    const char *b = base_name(results_path);
    size_t len = strlen(b);
    if (len > 3 && !strcmp(b + len - 3, ".h5")) len -= 3;
    SC_CHECK(len > 0, "%s: cannot derive a report folder name (give one with -o DIR)",
             results_path);
    SC_CHECK(snprintf(out, n, "%.*s_report", (int)len, b) < (int)n,
             "%s: report folder name too long", results_path);
    return 0;
fail:
    return -1;
}

/* The folder must be a writable directory: say so before any work is done. */
static int prepare_dir(const char *dir)
{
    char probe[4200];
    SC_TRY(sc_mkdir_p(dir));
    snprintf(probe, sizeof probe, "%s/.spectcv-write-test", dir);
    FILE *f = fopen(probe, "wb");
    SC_CHECK(f, "%s: the report folder is not writable", dir);
    fclose(f);
    remove(probe);
    return 0;
fail:
    return -1;
}

int sc_report_build(const char *results_path, const char *dir, const sc_report_options *opt,
                    sc_report_result *res)
{
    sc_results_file rf;
    sc_summary s = {0};
    sc_cv_data d = {0};
    rp_fig *figs = NULL;
    sc_gan_result *gan = NULL;
    int n_figs = 0, rc = -1, have_rf = 0;
    rp_doc doc = {0};
    rp_buf md = {0}, html = {0}, tex = {0};
    memset(res, 0, sizeof *res);

    SC_TRY(sc_results_open(results_path, &rf));
    have_rf = 1;
    SC_TRY(prepare_dir(dir)); /* before the statistics, which can take a while */
    sc_summary_options so = {.bootstrap = opt->bootstrap};
    SC_TRY(sc_summary_compute_opts(&rf, &so, &s));
    SC_TRY(sc_cv_load(&rf, s.n_cells, (const char(*)[SC_ROW_NAME])s.cell_arch,
                      (const char(*)[SC_ROW_NAME])s.cell_aug, &d));
    gan = sc_xcalloc((size_t)(rf.n_gan ? rf.n_gan : 1), sizeof *gan);
    for (int k = 0; k < rf.n_gan; k++) {
        gan[k].job = -1;
        if (rf.gan_rows[k].status == SC_JOB_DONE) SC_TRY(sc_results_read_gan(&rf, k, &gan[k]));
    }
    rp_ctx c = {.rf = &rf, .s = &s, .d = &d, .dir = dir, .results_name = base_name(results_path),
                .gan = gan};
    c.has_ref = st_reference_macro(rf.truth, rf.n, rf.l, c.ref) == 0;
    SC_TRY(rp_write_csv(&c));
    SC_TRY(rp_write_figures(&c, &figs, &n_figs));
    SC_TRY(rp_gan_figures(&c, &figs, &n_figs));
    if (opt->render) {
        int r = rp_render_figures(&c, opt->gnuplot, figs, n_figs, res->note, sizeof res->note);
        SC_TRY(r < 0);
        res->figures_rendered = r;
    } else {
        snprintf(res->note, sizeof res->note, "figures not rendered (scripts only, as asked)");
    }
    rp_build_doc(&c, figs, n_figs, res->figures_rendered, &doc);
    rp_render_markdown(&doc, &md);
    char figdir[4200];
    snprintf(figdir, sizeof figdir, "%s/figures", dir);
    SC_TRY(rp_render_html(&doc, figdir, &html));
    rp_render_tex(&doc, &tex);
    SC_TRY(rp_buf_save(&md, dir, "summary.md"));
    SC_TRY(rp_buf_save(&html, dir, "index.html"));
    SC_TRY(rp_buf_save(&tex, dir, "tables.tex"));
    rc = 0;
fail:
    rp_buf_free(&md);
    rp_buf_free(&html);
    rp_buf_free(&tex);
    rp_doc_free(&doc);
    free(figs);
    for (int k = 0; gan && k < rf.n_gan; k++) sc_gan_result_free(&gan[k]);
    free(gan);
    sc_cv_free(&d);
    sc_summary_free(&s);
    if (have_rf) sc_results_free(&rf);
    return rc;
}
