/* pipeline/import_bs80k.c: the BS-80K source of `spectcv import --bs80k DIR` (import.h,
 * docs/import.md).
 *
 * The release (Huang et al., Comput Biol Med 2022) has DIR/wholeBodyANT/ and
 * DIR/wholeBodyPOST/, each with its images (JPEG) and a list <folder>.txt of lines
 * "filename label", 0 normal, 1 abnormal.  The naming rule that ties a patient's ANT and POST
 * images together is not published, so they are paired by identical file stem (the name
 * without its extension), and the stem is the patient id: one two-view scan per patient,
 * anterior and posterior (stored as seen from behind, so mirrored), with one label "abnormal",
 * 1 when either view's label is 1.  An image with no partner is a problem, or with
 * --skip-unpaired is left out and counted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/import.h"
#include "util/error.h"

static const char *const folders[2] = {"wholeBodyANT", "wholeBodyPOST"};

typedef struct {
    char *file, *stem;
    int label;
    int64_t line;
    int64_t partner; /* index in the other list, -1 if none */
} entry;

typedef struct {
    char *dir, *list_path[2];
    entry *e[2];
    int64_t n[2];
    int64_t *rows; /* ANT indices of the paired scans, in ANT list order */
    int64_t n_rows, next_row;
    char file_buf[2][4200];
    imp_bs80k_stats stats;
} bs_ctx;

/* Read one list; problems to pr.  -1 only if the file cannot be read. */
static int read_list(bs_ctx *c, int side, imp_problems *pr)
{
    const char *path = c->list_path[side];
    FILE *f = fopen(path, "r");
    SC_CHECK(f, "%s: cannot open the BS-80K list: %s (expected DIR/%s/%s.txt)", path,
             strerror(errno), folders[side], folders[side]);
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    int64_t line = 0, cap_e = 0;
    while ((len = getline(&buf, &cap, f)) >= 0) {
        line++;
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' ' ||
                           buf[len - 1] == '\t'))
            buf[--len] = '\0';
        char *s = buf;
        if (line == 1 && !strncmp(s, "\xEF\xBB\xBF", 3)) s += 3;
        while (*s == ' ' || *s == '\t') s++;
        if (!*s) continue; /* blank line */
        /* the label is the last field, the file name everything before it (names may hold
         * spaces) */
        char *sep = s + strlen(s);
        while (sep > s && sep[-1] != ' ' && sep[-1] != '\t') sep--;
        if (sep == s) {
            imp_problem(pr, "%s:%lld: expected 'filename label', got '%s'", path,
                        (long long)line, s);
            continue;
        }
        const char *lab = sep;
        char *end = sep;
        while (end > s && (end[-1] == ' ' || end[-1] == '\t')) end--;
        *end = '\0';
        if (strcmp(lab, "0") && strcmp(lab, "1")) {
            imp_problem(pr, "%s:%lld: label '%s' of %s is not 0 or 1", path, (long long)line,
                        lab, s);
            continue;
        }
        if (c->n[side] == cap_e) {
            cap_e = cap_e ? 2 * cap_e : 1024;
            c->e[side] = sc_xrealloc(c->e[side], (size_t)cap_e * sizeof *c->e[side]);
        }
        entry *e = &c->e[side][c->n[side]++];
        e->file = sc_xstrdup(s);
        e->stem = sc_xstrdup(s);
        char *slash = strrchr(e->stem, '/'), *dot = strrchr(e->stem, '.');
        if (dot && dot > e->stem && (!slash || dot > slash + 1)) *dot = '\0';
        e->label = lab[0] - '0';
        e->line = line;
        e->partner = -1;
    }
    free(buf);
    SC_CHECK(!ferror(f), "%s: read error", path);
    fclose(f);
    return 0;
fail:
    if (f) fclose(f);
    return -1;
}

static const entry *sort_base;
static int cmp_stem(const void *a, const void *b)
{
    const entry *x = &sort_base[*(const int64_t *)a], *y = &sort_base[*(const int64_t *)b];
    int d = strcmp(x->stem, y->stem);
    return d ? d : (x->line > y->line) - (x->line < y->line);
}

/* Indices of side's entries sorted by stem; duplicated stems are problems. */
static int64_t *sorted_by_stem(bs_ctx *c, int side, imp_problems *pr)
{
    int64_t *idx = sc_xmalloc((size_t)(c->n[side] + 1) * sizeof *idx);
    for (int64_t i = 0; i < c->n[side]; i++) idx[i] = i;
    sort_base = c->e[side];
    qsort(idx, (size_t)c->n[side], sizeof *idx, cmp_stem);
    for (int64_t i = 1; i < c->n[side]; i++) {
        const entry *a = &c->e[side][idx[i - 1]], *b = &c->e[side][idx[i]];
        if (!strcmp(a->stem, b->stem))
            imp_problem(pr, "%s:%lld: %s has the stem '%s' of %s at line %lld (one image per "
                        "patient and view)", c->list_path[side], (long long)b->line, b->file,
                        b->stem, a->file, (long long)a->line);
    }
    return idx;
}

static int64_t find_stem(const bs_ctx *c, const int64_t *idx, int side, const char *stem)
{
    int64_t lo = 0, hi = c->n[side] - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        int d = strcmp(c->e[side][idx[mid]].stem, stem);
        if (!d) return idx[mid];
        if (d < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1;
}

static void pair(bs_ctx *c, int skip_unpaired, imp_problems *pr)
{
    int64_t *post = sorted_by_stem(c, 1, pr);
    free(sorted_by_stem(c, 0, pr));
    c->rows = sc_xmalloc((size_t)(c->n[0] + 1) * sizeof *c->rows);
    for (int64_t i = 0; i < c->n[0]; i++) {
        entry *a = &c->e[0][i];
        int64_t j = find_stem(c, post, 1, a->stem);
        if (j >= 0 && c->e[1][j].partner < 0) {
            a->partner = j;
            c->e[1][j].partner = i;
            c->rows[c->n_rows++] = i;
            c->stats.disagreements += a->label != c->e[1][j].label;
        }
    }
    for (int side = 0; side < 2; side++)
        for (int64_t i = 0; i < c->n[side]; i++) {
            const entry *e = &c->e[side][i];
            if (e->partner >= 0) continue;
            if (skip_unpaired) {
                c->stats.unpaired_skipped++;
                continue;
            }
            imp_problem(pr, "%s:%lld: %s has no %s image of the same stem in %s (pass "
                        "--skip-unpaired to leave such patients out)", c->list_path[side],
                        (long long)e->line, e->file, side ? "anterior" : "posterior",
                        c->list_path[1 - side]);
        }
    free(post);
}

static int bs_rewind(void *vc)
{
    ((bs_ctx *)vc)->next_row = 0;
    return 0;
}

static void bs_where(void *vc, int64_t key, char *buf, size_t n)
{
    const bs_ctx *c = vc;
    const entry *a = &c->e[0][key], *p = &c->e[1][a->partner];
    snprintf(buf, n, "%s:%lld and %s.txt:%lld (patient %s)", c->list_path[0],
             (long long)a->line, folders[1], (long long)p->line, a->stem);
}

static int bs_next(void *vc, imp_row *row, imp_problems *pr)
{
    (void)pr; /* the lists were checked when opened */
    bs_ctx *c = vc;
    if (c->next_row >= c->n_rows) return 0;
    const int64_t k = c->rows[c->next_row++];
    const entry *a = &c->e[0][k], *p = &c->e[1][a->partner];
    memset(row, 0, sizeof *row);
    row->key = k;
    bs_where(c, k, row->where, sizeof row->where);
    row->n_files = 2;
    snprintf(c->file_buf[0], sizeof c->file_buf[0], "%s/%s", folders[0], a->file);
    snprintf(c->file_buf[1], sizeof c->file_buf[1], "%s/%s", folders[1], p->file);
    row->files[0] = c->file_buf[0];
    row->files[1] = c->file_buf[1];
    row->labels[0] = (uint8_t)(a->label | p->label);
    row->patient = a->stem;
    return 1;
}

int imp_bs80k_open(const imp_bs80k_options *o, imp_problems *pr, imp_source *src)
{
    memset(src, 0, sizeof *src);
    bs_ctx *c = sc_xcalloc(1, sizeof *c);
    src->ctx = c;
    c->dir = sc_xstrdup(o->dir);
    for (int s = 0; s < 2; s++)
        if (asprintf(&c->list_path[s], "%s/%s/%s.txt", o->dir, folders[s], folders[s]) < 0)
            SC_FAIL("out of memory");
    src->root = c->dir;
    src->n_labels = 1;
    src->label_names[0] = "abnormal";
    src->n_views = 2;
    src->view_names[0] = "anterior";
    src->view_names[1] = "posterior";
    src->view_mirrored[0] = 0;
    src->view_mirrored[1] = 1;
    src->rewind = bs_rewind;
    src->next = bs_next;
    src->where = bs_where;
    SC_TRY(read_list(c, 0, pr));
    SC_TRY(read_list(c, 1, pr));
    pair(c, o->skip_unpaired, pr);
    return 0;
fail:
    imp_bs80k_close(src);
    return -1;
}

void imp_bs80k_stats_get(const imp_source *src, imp_bs80k_stats *st)
{
    *st = ((const bs_ctx *)src->ctx)->stats;
}

void imp_bs80k_close(imp_source *src)
{
    bs_ctx *c = src->ctx;
    if (!c) return;
    for (int s = 0; s < 2; s++) {
        for (int64_t i = 0; i < c->n[s]; i++) {
            free(c->e[s][i].file);
            free(c->e[s][i].stem);
        }
        free(c->e[s]);
        free(c->list_path[s]);
    }
    free(c->rows);
    free(c->dir);
    free(c);
    src->ctx = NULL;
}
