/* pipeline/import_core.c: the two passes of `spectcv import` (import.h).
 *
 * Pass 1 counts the rows (the writer needs N up front), collects the row problems and numbers
 * the patients in order of first appearance.  Pass 2 reads each scan's images, one scan at a
 * time, checks them against the first good scan (views, size, mirroring) and, while no problem
 * has been found, streams them into OUTPUT.partial; it goes on checking after a problem so the
 * listing is complete, but stops writing.  Duplicated scans are found by a content hash of
 * their pixels, sorted at the end.  Memory: one scan's pixels, plus per scan a hash, a row key,
 * a label set and a patient id (the writer's), plus the patients' id strings. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "data/dataset.h"
#include "data/image_read.h"
#include "pipeline/import.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/sys.h"
#include "util/version.h"

/* ---- patient ids: distinct strings numbered in order of first appearance ---- */
typedef struct {
    char **names;  /* by id */
    int64_t *slot; /* open addressing: id + 1, 0 = empty */
    int64_t n, cap;
} id_map;

static uint64_t str_hash(const char *s) { return sc_hash(s, strlen(s)); }

static int64_t id_find(const id_map *m, const char *s, int64_t *pos)
{
    int64_t k = m->cap ? (int64_t)(str_hash(s) & (uint64_t)(m->cap - 1)) : 0;
    while (m->cap && m->slot[k]) {
        if (!strcmp(m->names[m->slot[k] - 1], s)) {
            *pos = k;
            return m->slot[k] - 1;
        }
        k = (k + 1) & (m->cap - 1);
    }
    *pos = k;
    return -1;
}

static int64_t id_intern(id_map *m, const char *s)
{
    int64_t pos, id = id_find(m, s, &pos);
    if (id >= 0) return id;
    if (2 * (m->n + 1) > m->cap) { /* grow and rehash */
        int64_t cap = m->cap ? 2 * m->cap : 1024;
        int64_t *slot = sc_xcalloc((size_t)cap, sizeof *slot);
        for (int64_t j = 0; j < m->n; j++) {
            int64_t k = (int64_t)(str_hash(m->names[j]) & (uint64_t)(cap - 1));
            while (slot[k]) k = (k + 1) & (cap - 1);
            slot[k] = j + 1;
        }
        free(m->slot);
        m->slot = slot;
        m->cap = cap;
        m->names = sc_xrealloc(m->names, (size_t)cap / 2 * sizeof *m->names);
        id_find(m, s, &pos);
    }
    m->names[m->n] = sc_xstrdup(s);
    m->slot[pos] = m->n + 1;
    return m->n++;
}

static void id_free(id_map *m)
{
    for (int64_t j = 0; j < m->n; j++) free(m->names[j]);
    free(m->names);
    free(m->slot);
}

/* ---- the reference layout (from the first good scan) ---- */
typedef struct {
    int known, v, h, w;
    char names[SC_DS_MAX_VIEWS][SC_DS_NAME_MAX];
    int mirrored[SC_DS_MAX_VIEWS];
} layout;

/* A path under the root, unless absolute. */
static char *join(const char *root, const char *file)
{
    if (file[0] == '/' || !root || !root[0]) return sc_xstrdup(file);
    char *p = NULL;
    if (asprintf(&p, "%s/%s", root, file) < 0) return sc_xstrdup(file);
    return p;
}

/* One scan read: its layout, pixels [v][h][w] and provenance. */
typedef struct {
    layout lay;
    uint16_t *pix; /* capacity cap values */
    size_t cap;
    int64_t clipped;
    float spacing[2];
    const char *uid[4][SC_DS_MAX_VIEWS]; /* sop, series, study, transfer syntax per file */
    char uid_store[4][SC_DS_MAX_VIEWS][65];
    int dicom_files;
    int64_t format_files[SC_IMG_DICOM + 1]; /* files read so far, by sc_image_format */
} scan;

static const char *const uid_names[4] = {"dicom_sop_instance_uid", "dicom_series_instance_uid",
                                         "dicom_study_instance_uid", "dicom_transfer_syntax"};

static void keep_dicom(scan *s, int file, const sc_image *im)
{
    const char *src[4] = {im->sop_instance_uid, im->series_instance_uid, im->study_instance_uid,
                          im->transfer_syntax};
    for (int u = 0; u < 4; u++) {
        snprintf(s->uid_store[u][file], 65, "%s", src[u]);
        s->uid[u][file] = s->uid_store[u][file];
    }
    if (!s->dicom_files) {
        s->spacing[0] = (float)im->spacing_row;
        s->spacing[1] = (float)im->spacing_col;
    }
    s->dicom_files++;
    s->clipped += im->n_clipped;
}

/* Read the images of a good row into s; problems to pr (0 if none, -1 if any). */
static int read_scan(const imp_source *src, const imp_row *row, scan *s, imp_problems *pr)
{
    int rc = 0;
    s->clipped = 0;
    s->dicom_files = 0;
    s->spacing[0] = s->spacing[1] = 0;
    memset(&s->lay, 0, sizeof s->lay);
    for (int u = 0; u < 4; u++)
        for (int f = 0; f < SC_DS_MAX_VIEWS; f++) s->uid[u][f] = "";
    for (int f = 0; f < row->n_files; f++) {
        const char *col = src->n_views ? src->view_names[f] : NULL;
        char *full = join(src->root, row->files[f]);
        sc_image im;
        if (sc_image_read(full, &im)) {
            imp_problem(pr, "%s: %s%s%s%s", row->where, col ? "view '" : "", col ? col : "",
                        col ? "': " : "", sc_err_msg());
            free(full);
            rc = -1;
            continue;
        }
        free(full);
        s->format_files[im.format]++;
        if (src->n_views && im.frames != 1) {
            imp_problem(pr, "%s: view '%s': %s has %d frames; a per-view column takes one view "
                        "per file (put multi-frame files in a 'path' column)", row->where, col,
                        row->files[f], im.frames);
            rc = -1;
        } else if (!src->n_views && im.frames > SC_DS_MAX_VIEWS) {
            imp_problem(pr, "%s: %s has %d frames, at most %d views", row->where, row->files[f],
                        im.frames, SC_DS_MAX_VIEWS);
            rc = -1;
        } else if (s->lay.h && (im.h != s->lay.h || im.w != s->lay.w)) {
            imp_problem(pr, "%s: view '%s' is %dx%d but view '%s' is %dx%d (all views of a scan "
                        "must have one size)", row->where, col, im.h, im.w, src->view_names[0],
                        s->lay.h, s->lay.w);
            rc = -1;
        }
        if (rc) {
            sc_image_free(&im);
            continue;
        }
        const int v = src->n_views ? src->n_views : im.frames;
        s->lay.v = v;
        s->lay.h = im.h;
        s->lay.w = im.w;
        const size_t per = (size_t)im.h * im.w, need = (size_t)v * per;
        if (need > s->cap) {
            s->pix = sc_xrealloc(s->pix, need * sizeof *s->pix);
            s->cap = need;
        }
        const int first = src->n_views ? f : 0;
        memcpy(s->pix + first * per, im.pixels, (size_t)im.frames * per * sizeof *s->pix);
        for (int k = 0; k < im.frames; k++) {
            const int j = first + k;
            if (src->n_views) {
                snprintf(s->lay.names[j], SC_DS_NAME_MAX, "%s", src->view_names[j]);
            } else if (im.view[k][0]) {
                snprintf(s->lay.names[j], SC_DS_NAME_MAX, "%s", im.view[k]);
            } else {
                snprintf(s->lay.names[j], SC_DS_NAME_MAX, im.frames == 1 ? "view" : "view%d",
                         k + 1);
            }
            /* mirroring: the file says (a DICOM frame whose view is known: data/dicom.h
             * decides from its orientation or view), else the source, else the name rule of
             * dataset.h */
            if (im.format == SC_IMG_DICOM && im.view[k][0]) s->lay.mirrored[j] = im.mirrored[k];
            else if (src->n_views && src->view_mirrored[j] >= 0)
                s->lay.mirrored[j] = src->view_mirrored[j];
            else s->lay.mirrored[j] = !strncasecmp(s->lay.names[j], "post", 4);
            if (src->n_views && im.format == SC_IMG_DICOM && im.view[0][0] &&
                strcasecmp(im.view[0], src->view_names[j]) &&
                (!strcasecmp(src->view_names[j], "anterior") ||
                 !strcasecmp(src->view_names[j], "posterior"))) {
                imp_problem(pr, "%s: view '%s': %s is a '%s' view by its DICOM header",
                            row->where, col, row->files[f], im.view[0]);
                rc = -1;
            }
        }
        if (im.format == SC_IMG_DICOM) keep_dicom(s, f, &im);
        sc_image_free(&im);
    }
    if (!rc && !src->n_views)
        for (int j = 0; j < s->lay.v; j++)
            for (int k = 0; k < j; k++)
                if (!strcmp(s->lay.names[j], s->lay.names[k])) {
                    imp_problem(pr, "%s: %s: frames %d and %d are both '%s' views", row->where,
                                row->files[0], k + 1, j + 1, s->lay.names[j]);
                    rc = -1;
                }
    return rc;
}

/* Compare a scan's layout with the reference; problems to pr. */
static int same_layout(const layout *ref, const layout *got, const imp_row *row,
                       const char *ref_where, imp_problems *pr)
{
    if (got->v != ref->v) {
        imp_problem(pr, "%s: %d views, but the first scan (%s) has %d", row->where, got->v,
                    ref_where, ref->v);
        return -1;
    }
    int rc = 0;
    if (got->h != ref->h || got->w != ref->w) {
        imp_problem(pr, "%s: image size %dx%d differs from the first scan's %dx%d (%s)",
                    row->where, got->h, got->w, ref->h, ref->w, ref_where);
        rc = -1;
    }
    for (int j = 0; j < ref->v; j++) {
        if (strcmp(got->names[j], ref->names[j])) {
            imp_problem(pr, "%s: view %d is '%s', but '%s' in the first scan (%s)", row->where,
                        j + 1, got->names[j], ref->names[j], ref_where);
            rc = -1;
        } else if (got->mirrored[j] != ref->mirrored[j]) {
            imp_problem(pr, "%s: view '%s' is %s, unlike in the first scan (%s)", row->where,
                        got->names[j], got->mirrored[j] ? "mirrored" : "not mirrored",
                        ref_where);
            rc = -1;
        }
    }
    return rc;
}

typedef struct {
    uint64_t hash;
    int64_t key;
    int64_t index;
} scan_hash;

static int cmp_hash(const void *a, const void *b)
{
    const scan_hash *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Every group of scans with identical pixels: the first named beside each other one. */
static void report_duplicates(const imp_source *src, scan_hash *h, int64_t n, imp_problems *pr)
{
    qsort(h, (size_t)n, sizeof *h, cmp_hash);
    char a[300], b[300];
    for (int64_t i = 1, first = 0; i < n; i++) {
        if (h[i].hash != h[first].hash) {
            first = i;
            continue;
        }
        src->where(src->ctx, h[first].key, a, sizeof a);
        src->where(src->ctx, h[i].key, b, sizeof b);
        imp_problem(pr, "%s: the same images as %s (a duplicated scan)", b, a);
    }
}

static int write_scan(sc_ds_writer *wr, const imp_source *src, int64_t i, const imp_row *row,
                      const scan *s, int64_t patient)
{
    SC_TRY(sc_ds_writer_put(wr, i, s->pix, row->labels, patient));
    SC_TRY(sc_ds_writer_put_meta_str(wr, "patient_id_text", i, 0, &row->patient));
    const int k = src->n_views ? row->n_files : 0;
    SC_TRY(sc_ds_writer_put_meta_str(wr, "source_path", i, k, row->files));
    SC_TRY(sc_ds_writer_put_meta_f32(wr, "pixel_spacing", i, 2, s->spacing));
    if (s->dicom_files)
        for (int u = 0; u < 4; u++)
            SC_TRY(sc_ds_writer_put_meta_str(wr, uid_names[u], i, k, s->uid[u]));
    return 0;
fail:
    return -1;
}

/* The formats read, "PNG+DICOM" (counts = 0), or with their files, "PNG 4, DICOM 2" (the
 * `formats` attribute, docs/import.md). */
static void formats_string(const int64_t *files, int counts, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int f = SC_IMG_PGM; f <= SC_IMG_DICOM; f++)
        if (files[f] > 0) {
            const char *name = sc_image_format_name((sc_image_format)f);
            size_t at = strlen(buf);
            if (counts)
                snprintf(buf + at, n - at, "%s%s %" PRId64, at ? ", " : "", name, files[f]);
            else snprintf(buf + at, n - at, "%s%s", at ? "+" : "", name);
        }
}

/* Now, UTC, as "2026-11-30T02:40:00Z" (the `imported` attribute). */
static void utc_now(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    if (t == (time_t)-1 || !gmtime_r(&t, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, 32, "unknown");
}

int imp_run(imp_source *src, const imp_options *opt, imp_problems *pr, imp_summary *sum)
{
    int rc = -1, got;
    id_map ids = {0};
    scan s = {0};
    layout ref = {0};
    char ref_where[300] = "";
    scan_hash *hashes = NULL;
    sc_ds_writer *wr = NULL;
    imp_row row;
    const double t0 = sc_now();
    memset(sum, 0, sizeof *sum);
    SC_CHECK(opt->force || !sc_file_exists(opt->output),
             "%s: the file exists; --force replaces it (only when the import succeeds)",
             opt->output);

    /* pass 1: count, check rows, number patients */
    int64_t n = 0;
    while ((got = src->next(src->ctx, &row, pr)) == 1) {
        n++;
        if (!row.bad) id_intern(&ids, row.patient);
    }
    SC_TRY(got);
    if (n == 0) imp_problem(pr, "no scans to import: the list has no rows (or, BS-80K, no pairs)");
    if (n == 0) goto done;
    if (opt->stop && opt->stop()) SC_FAIL("stopped by a signal; no file written");

    /* pass 2: read, check, write */
    SC_TRY(src->rewind(src->ctx));
    hashes = sc_xmalloc((size_t)n * sizeof *hashes);
    int64_t n_hashed = 0, i = 0;
    for (; (got = src->next(src->ctx, &row, NULL)) == 1; i++) {
        if (opt->stop && opt->stop()) SC_FAIL("stopped by a signal; no file written");
        SC_CHECK(i < n, "the list changed while it was read (more rows the second time)");
        if (row.bad || read_scan(src, &row, &s, pr)) continue;
        if (!ref.known) {
            ref = s.lay;
            ref.known = 1;
            snprintf(ref_where, sizeof ref_where, "%s", row.where);
        } else if (same_layout(&ref, &s.lay, &row, ref_where, pr)) {
            continue;
        }
        const size_t per = (size_t)ref.v * ref.h * ref.w;
        hashes[n_hashed++] = (scan_hash){sc_hash(s.pix, per * sizeof *s.pix), row.key, i};
        for (int j = 0; j < src->n_labels; j++) sum->positives[j] += row.labels[j];
        sum->clipped += s.clipped;
        if (pr->n) continue; /* checking only, from the first problem on */
        if (!wr) {
            const char *vn[SC_DS_MAX_VIEWS];
            for (int j = 0; j < ref.v; j++) vn[j] = ref.names[j];
            SC_TRY(sc_ds_writer_open(opt->output, n, ref.v, ref.h, ref.w, src->n_labels,
                                     src->label_names, vn, &wr));
        }
        int64_t pos, patient = id_find(&ids, row.patient, &pos);
        SC_CHECK(patient >= 0, "%s: the list changed while it was read", row.where);
        SC_TRY(write_scan(wr, src, i, &row, &s, patient));
    }
    SC_TRY(got);
    if (opt->stop && opt->stop()) SC_FAIL("stopped by a signal; no file written");
    SC_CHECK(i == n, "the list changed while it was read (fewer rows the second time)");
    report_duplicates(src, hashes, n_hashed, pr);
    if (pr->n) goto done;

    SC_TRY(sc_ds_writer_mirrored(wr, ref.mirrored));
    SC_TRY(sc_ds_writer_attr(wr, "generator", "spectcv import"));
    SC_TRY(sc_ds_writer_attr(wr, "version", SPECTCV_VERSION));
    SC_TRY(sc_ds_writer_attr(wr, "source", opt->provenance));
    {
        char formats[160], when[32];
        formats_string(s.format_files, 1, formats, sizeof formats);
        utc_now(when);
        SC_TRY(sc_ds_writer_attr(wr, "formats", formats));
        SC_TRY(sc_ds_writer_attr(wr, "imported", when));
    }
    {
        sc_ds_writer *w = wr;
        wr = NULL;
        SC_TRY(sc_ds_writer_close(w));
    }
    sum->scans = n;
    sum->patients = ids.n;
    sum->v = ref.v;
    sum->h = ref.h;
    sum->w = ref.w;
    sum->l = src->n_labels;
    for (int j = 0; j < src->n_labels; j++)
        snprintf(sum->label_names[j], SC_DS_NAME_MAX, "%s", src->label_names[j]);
    for (int j = 0; j < ref.v; j++) snprintf(sum->view_names[j], SC_DS_NAME_MAX, "%s", ref.names[j]);
    formats_string(s.format_files, 0, sum->formats, sizeof sum->formats);
    sum->seconds = sc_now() - t0;
    rc = 0;
done:
    if (pr->n) rc = 1;
fail:
    sc_ds_writer_abort(wr);
    free(hashes);
    free(s.pix);
    id_free(&ids);
    return rc;
}
