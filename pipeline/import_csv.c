/* pipeline/import_csv.c: the CSV source of `spectcv import` (import.h, docs/import.md).
 *
 * The header names the columns: `patient` (the id), either `path` (one file holding every
 * view) or one column per view (the names given by --views, by default anterior and
 * posterior: those present), and every other column is a label of 0/1 values.  File names are
 * relative to the root (by default the CSV's folder). */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data/csv.h"
#include "pipeline/import.h"
#include "util/error.h"

typedef struct {
    char *path; /* the CSV as given, for messages */
    char *root;
    sc_csv *csv;
    int ncols;
    char **header; /* copies of the header's names */
    int col_patient, col_path;
    int col_view[SC_DS_MAX_VIEWS];
    int col_label[SC_DS_MAX_LABELS];
} csv_ctx;

static int is_printable_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) return 0;
    return 1;
}

/* 1 if name is one of the comma-separated views. */
static int in_list(const char *list, const char *name)
{
    const size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        const size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && !strncmp(p, name, n)) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

static int csv_rewind(void *vc)
{
    csv_ctx *c = vc;
    char **f;
    int n;
    int64_t line;
    SC_TRY(sc_csv_rewind(c->csv));
    SC_CHECK(sc_csv_next(c->csv, &f, &n, &line) == 1, "%s: the header is gone", c->path);
    return 0;
fail:
    return -1;
}

static void csv_where(void *vc, int64_t key, char *buf, size_t n)
{
    const csv_ctx *c = vc;
    snprintf(buf, n, "%s:%lld", c->path, (long long)key);
}

static int csv_next(void *vc, imp_row *row, imp_problems *pr)
{
    csv_ctx *c = vc;
    char **f;
    int n;
    int64_t line;
    int got = sc_csv_next(c->csv, &f, &n, &line);
    if (got <= 0) return got;
    memset(row, 0, sizeof *row);
    row->key = line;
    csv_where(c, line, row->where, sizeof row->where);
    imp_problems ignore = {0};
    imp_problems *p = pr ? pr : &ignore; /* second pass: the problems are known already */
    if (n != c->ncols) {
        imp_problem(p, "%s: %d fields, but the header has %d columns", row->where, n, c->ncols);
        row->bad = 1;
        imp_problems_free(&ignore);
        return 1;
    }
    row->patient = f[c->col_patient];
    if (!row->patient[0]) {
        imp_problem(p, "%s: column 'patient': empty patient id", row->where);
        row->bad = 1;
    }
    if (c->col_path >= 0) {
        row->n_files = 1;
        row->files[0] = f[c->col_path];
        if (!row->files[0][0]) {
            imp_problem(p, "%s: column 'path': empty file name", row->where);
            row->bad = 1;
        }
    } else {
        for (int j = 0; j < SC_DS_MAX_VIEWS && c->col_view[j] >= 0; j++) {
            row->files[j] = f[c->col_view[j]];
            row->n_files = j + 1;
            if (!row->files[j][0]) {
                imp_problem(p, "%s: view '%s': empty file name (the view is missing)",
                            row->where, c->header[c->col_view[j]]);
                row->bad = 1;
            }
        }
    }
    for (int j = 0; j < SC_DS_MAX_LABELS && c->col_label[j] >= 0; j++) {
        const char *v = f[c->col_label[j]];
        if (!strcmp(v, "0") || !strcmp(v, "1")) {
            row->labels[j] = (uint8_t)(v[0] - '0');
        } else {
            imp_problem(p, "%s: label '%s': value '%s' is not 0 or 1", row->where,
                        c->header[c->col_label[j]], v);
            row->bad = 1;
        }
    }
    imp_problems_free(&ignore);
    return 1;
}

/* Check the header and find the columns; problems to pr. */
static void read_header(csv_ctx *c, char **f, int n, int64_t line, const char *views,
                        imp_source *src, imp_problems *pr)
{
    c->ncols = n;
    c->header = sc_xcalloc((size_t)n, sizeof *c->header);
    c->col_patient = c->col_path = -1;
    for (int j = 0; j < SC_DS_MAX_VIEWS; j++) c->col_view[j] = -1;
    for (int j = 0; j < SC_DS_MAX_LABELS; j++) c->col_label[j] = -1;
    int nv = 0, nl = 0;
    for (int i = 0; i < n; i++) {
        c->header[i] = sc_xstrdup(f[i]);
        const char *h = f[i];
        int dup = 0;
        for (int k = 0; k < i; k++)
            if (!strcmp(c->header[k], h) ||
                ((!strcasecmp(h, "patient") || !strcasecmp(h, "path")) &&
                 !strcasecmp(c->header[k], h)))
                dup = 1;
        if (!h[0]) {
            imp_problem(pr, "%s:%lld: header: column %d has no name", c->path, (long long)line,
                        i + 1);
        } else if (dup) {
            imp_problem(pr, "%s:%lld: header: column '%s' appears twice", c->path,
                        (long long)line, h);
        } else if (!strcasecmp(h, "patient")) { /* any case: "Patient" is no label */
            c->col_patient = i;
        } else if (!strcasecmp(h, "path")) {
            c->col_path = i;
        } else if (strlen(h) >= SC_DS_NAME_MAX || !is_printable_ascii(h)) {
            imp_problem(pr, "%s:%lld: header: %s name '%s' is longer than %d or not printable "
                        "ASCII", c->path, (long long)line, in_list(views, h) ? "view" : "label",
                        h, SC_DS_NAME_MAX - 1);
        } else if (in_list(views, h)) {
            if (nv < SC_DS_MAX_VIEWS) c->col_view[nv] = i;
            nv++;
        } else {
            if (nl < SC_DS_MAX_LABELS) c->col_label[nl] = i;
            nl++;
        }
    }
    if (c->col_patient < 0)
        imp_problem(pr, "%s:%lld: header: no 'patient' column", c->path, (long long)line);
    if (c->col_path >= 0 && nv)
        imp_problem(pr, "%s:%lld: header: both a 'path' column and per-view columns; use one "
                    "or the other", c->path, (long long)line);
    if (c->col_path < 0 && !nv)
        imp_problem(pr, "%s:%lld: header: no 'path' column and no view column (%s; --views "
                    "names them)", c->path, (long long)line, views);
    if (nv > SC_DS_MAX_VIEWS)
        imp_problem(pr, "%s:%lld: header: %d view columns, at most %d", c->path,
                    (long long)line, nv, SC_DS_MAX_VIEWS);
    if (nl == 0)
        imp_problem(pr, "%s:%lld: header: no label columns (every column other than patient "
                    "and the paths is a 0/1 label)", c->path, (long long)line);
    if (nl > SC_DS_MAX_LABELS)
        imp_problem(pr, "%s:%lld: header: %d label columns, at most %d", c->path,
                    (long long)line, nl, SC_DS_MAX_LABELS);
    src->n_labels = nl < SC_DS_MAX_LABELS ? nl : SC_DS_MAX_LABELS;
    for (int j = 0; j < src->n_labels; j++) src->label_names[j] = c->header[c->col_label[j]];
    src->n_views = c->col_path >= 0 ? 0 : (nv < SC_DS_MAX_VIEWS ? nv : SC_DS_MAX_VIEWS);
    for (int j = 0; j < src->n_views; j++) {
        src->view_names[j] = c->header[c->col_view[j]];
        src->view_mirrored[j] = -1;
    }
}

int imp_csv_open(const imp_csv_options *o, imp_problems *pr, imp_source *src)
{
    memset(src, 0, sizeof *src);
    csv_ctx *c = sc_xcalloc(1, sizeof *c);
    src->ctx = c;
    c->path = sc_xstrdup(o->csv);
    if (o->root) {
        c->root = sc_xstrdup(o->root);
    } else {
        char *copy = sc_xstrdup(o->csv);
        c->root = sc_xstrdup(dirname(copy));
        free(copy);
    }
    src->root = c->root;
    src->rewind = csv_rewind;
    src->next = csv_next;
    src->where = csv_where;
    SC_TRY(sc_csv_open(o->csv, &c->csv));
    char **f;
    int n;
    int64_t line;
    int got = sc_csv_next(c->csv, &f, &n, &line);
    SC_TRY(got < 0);
    SC_CHECK(got == 1, "%s: empty file (expected a header line naming the columns)", o->csv);
    int64_t before = pr->n;
    read_header(c, f, n, line, o->views, src, pr);
    if (pr->n > before) { /* the rows cannot be read without a header */
        imp_csv_close(src);
        return 1;
    }
    return 0;
fail:
    imp_csv_close(src);
    return -1;
}

void imp_csv_close(imp_source *src)
{
    csv_ctx *c = src->ctx;
    if (!c) return;
    sc_csv_close(c->csv);
    for (int i = 0; c->header && i < c->ncols; i++) free(c->header[i]);
    free(c->header);
    free(c->path);
    free(c->root);
    free(c);
    src->ctx = NULL;
}
