/* data/phantom_write.c: the data-set driver of the phantom: generates every scan of the plan
 * in file order, streams it to the data set writer, and optionally writes previews (the first
 * few scans of each label combination) with an index. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "data/phantom.h"
#include "data/preview.h"
#include "util/error.h"
#include "util/sys.h"
#include "util/version.h"

/* Label combination: 0 normal, 1 metastasis, 2 arthritis, 3 both. */
static int combo(const uint8_t *labels)
{
    return labels[SC_PH_METASTASIS] + 2 * labels[SC_PH_ARTHRITIS];
}

static const char *const combo_name[4] = {"normal", "metastasis", "arthritis",
                                          "metastasis+arthritis"};

typedef struct {
    char file[128];
    int64_t index, patient;
    int scan, combo;
    sc_phantom_truth truth;
} preview_entry;

static int write_index(const char *dir, const preview_entry *e, int n,
                       const sc_phantom_params *p)
{
    char path[4096], desc[512];
    int rc = -1;
    FILE *html = NULL, *txt = NULL;
    sc_phantom_describe(p, desc, sizeof desc);
    snprintf(path, sizeof path, "%s/index.html", dir);
    SC_CHECK((html = fopen(path, "w")) != NULL, "%s: cannot write", path);
    snprintf(path, sizeof path, "%s/index.txt", dir);
    SC_CHECK((txt = fopen(path, "w")) != NULL, "%s: cannot write", path);
    fprintf(html,
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>spectcv synth "
            "preview</title>\n<style>body{font-family:sans-serif} figure{display:inline-block;"
            "margin:8px;vertical-align:top} img{height:720px}</style></head><body>\n"
            "<h1>spectcv synth preview</h1>\n<p>%s</p>\n<p>Inverse grey, shared window at the "
            "99th percentile of body counts, gamma 0.6. Anterior left, posterior right (the "
            "posterior view is seen from behind).</p>\n",
            desc);
    fprintf(txt, "# %s\n# file\tscan\tpatient\tscan_of_patient\tlabels\tmet_hot\tmet_cold\t"
                 "arthritis_spots\tbenign_spots\tinjection\tsuperscan\n",
            desc);
    for (int i = 0; i < n; i++) {
        const sc_phantom_truth *t = &e[i].truth;
        fprintf(html,
                "<figure><img src=\"%s\" alt=\"%s\"><figcaption>%s<br>scan %" PRId64
                ", patient %" PRId64 " (scan %d)<br>metastases %d hot, %d cold; arthritis spots "
                "%d; benign spots %d%s%s</figcaption></figure>\n",
                e[i].file, combo_name[e[i].combo], combo_name[e[i].combo], e[i].index,
                e[i].patient, e[i].scan, t->met_hot, t->met_cold, t->arth_spots,
                t->benign_spots, t->injection ? " (injection site)" : "",
                t->superscan ? "; superscan" : "");
        fprintf(txt, "%s\t%" PRId64 "\t%" PRId64 "\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", e[i].file,
                e[i].index, e[i].patient, e[i].scan, combo_name[e[i].combo], t->met_hot,
                t->met_cold, t->arth_spots, t->benign_spots, t->injection, t->superscan);
    }
    fprintf(html, "</body></html>\n");
    SC_CHECK(!ferror(html) && !ferror(txt), "%s: write error", dir);
    rc = 0;
fail:
    if (html && fclose(html) != 0 && rc == 0) {
        sc_err_set(NULL, 0, "%s/index.html: write error", dir);
        rc = -1;
    }
    if (txt && fclose(txt) != 0 && rc == 0) {
        sc_err_set(NULL, 0, "%s/index.txt: write error", dir);
        rc = -1;
    }
    return rc;
}

static int write_preview(const char *dir, const sc_phantom_params *p, const uint16_t *img,
                         const sc_phantom_scan_id *id, int64_t index,
                         const sc_phantom_truth *truth, preview_entry *e)
{
    char path[4096], title[128];
    int c = combo(id->labels);
    snprintf(e->file, sizeof e->file, "scan%06" PRId64 "_p%" PRId64 "_s%d_%s.png", index,
             id->patient, id->scan, combo_name[c]);
    snprintf(path, sizeof path, "%s/%s", dir, e->file);
    snprintf(title, sizeof title, "%s  P%" PRId64 " S%d", combo_name[c], id->patient, id->scan);
    e->index = index;
    e->patient = id->patient;
    e->scan = id->scan;
    e->combo = c;
    e->truth = *truth;
    return sc_preview_write(path, img, p->h, p->w, title);
}

int sc_phantom_write(const sc_phantom_params *p, const char *path,
                     const sc_phantom_write_opts *opts, sc_phantom_summary *sum)
{
    int rc = -1;
    sc_phantom_scan_id *plan = NULL;
    sc_ds_writer *wr = NULL;
    sc_phantom *g = NULL;
    uint16_t *img = NULL;
    preview_entry *prev = NULL;
    int n_prev = 0, per_set = opts && opts->preview_per_set > 0 ? opts->preview_per_set : 3;
    int prev_count[4] = {0};
    int64_t prev_patient[4] = {-1, -1, -1, -1}; /* previews show different patients */
    const char *pdir = opts ? opts->preview_dir : NULL;
    int64_t n = 0;
    char buf[512];
    double t0 = sc_now();
    memset(sum, 0, sizeof *sum);

    SC_TRY(sc_phantom_plan(p, &plan, &n));
    if (pdir) {
        SC_TRY(sc_mkdir_p(pdir));
        prev = sc_xcalloc(4 * (size_t)per_set, sizeof *prev);
    }
    SC_TRY(sc_ds_writer_open(path, n, SC_PH_VIEWS, p->h, p->w, SC_PH_LABELS,
                             sc_phantom_label_names, sc_phantom_view_names, &wr));
    SC_TRY(sc_ds_writer_mirrored(wr, (const int[]){0, 1})); /* phantom_render.c: posterior */
    SC_TRY(sc_ds_writer_attr(wr, "generator", "spectcv synth: whole-body bone-scan phantom"));
    SC_TRY(sc_ds_writer_attr(wr, "version", SPECTCV_VERSION));
    sc_phantom_describe(p, buf, sizeof buf);
    SC_TRY(sc_ds_writer_attr(wr, "parameters", buf));
    snprintf(buf, sizeof buf, "%" PRIu64, p->seed);
    SC_TRY(sc_ds_writer_attr(wr, "seed", buf));
    if (!(g = sc_phantom_new(p))) goto fail; /* the error is set */
    img = sc_xmalloc((size_t)SC_PH_VIEWS * p->h * p->w * sizeof *img);
    for (int64_t i = 0; i < n; i++) {
        sc_phantom_truth truth;
        SC_TRY(sc_phantom_scan(g, plan[i].patient, plan[i].scan, img, &truth));
        /* the plan's labels and the generator's must agree: both come from the same stream */
        SC_CHECK(!memcmp(truth.labels, plan[i].labels, SC_PH_LABELS),
                 "phantom: scan %" PRId64 ": labels differ between plan and generator", i);
        SC_TRY(sc_ds_writer_put(wr, i, img, plan[i].labels, plan[i].patient));
        for (int j = 0; j < SC_PH_LABELS; j++) sum->positives[j] += plan[i].labels[j];
        int c = combo(plan[i].labels);
        if (pdir && prev_count[c] < per_set && prev_patient[c] != plan[i].patient) {
            SC_TRY(write_preview(pdir, p, img, &plan[i], i, &truth, &prev[n_prev]));
            n_prev++;
            prev_count[c]++;
            prev_patient[c] = plan[i].patient;
        }
        if (opts && opts->progress && opts->progress(opts->ctx, i + 1, n))
            SC_FAIL("%s: interrupted after %" PRId64 " of %" PRId64 " scans; no file written",
                    path, i + 1, n);
    }
    SC_TRY(sc_ds_writer_close(wr));
    wr = NULL;
    if (pdir) SC_TRY(write_index(pdir, prev, n_prev, p));
    sum->scans = n;
    sum->patients = p->patients;
    sum->previews = n_prev;
    sum->seconds = sc_now() - t0;
    rc = 0;
fail:
    if (wr) sc_ds_writer_abort(wr);
    sc_phantom_free(g);
    free(img);
    free(plan);
    free(prev);
    return rc;
}
