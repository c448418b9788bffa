/* pipeline/import.h: the pieces of `spectcv import` (cmd_import.c).
 *
 * A source (the researcher's CSV, import_csv.c, or the BS-80K release, import_bs80k.c) yields
 * rows: one scan each, with its image file(s), labels and patient id text, and a location for
 * messages ("labels.csv:12").  The core (import_core.c) reads the rows twice: once to count
 * them, check what the rows alone can tell and number the patients, then again to read each
 * scan's images, check them and stream them into the data set.  Every problem is collected
 * (import_problems.c) rather than stopping at the first; any problem means no file. */
#ifndef SC_PIPELINE_IMPORT_H
#define SC_PIPELINE_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "data/dataset.h"

/* ---- problems: every one kept for the listing, up to a cap ---- */
#define IMP_MAX_LISTED 50
typedef struct {
    char **msgs;
    int n_listed;
    int64_t n; /* all problems, listed or not */
} imp_problems;

void imp_problem(imp_problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print every listed problem on stderr, then "... and K more" past the cap. */
void imp_problems_print(const imp_problems *p);
void imp_problems_free(imp_problems *p);

/* ---- rows ---- */
typedef struct {
    char where[300];               /* "labels.csv:12", for messages */
    int64_t key;                   /* the source's handle on the row (imp_source.where) */
    int n_files;                   /* image files: 1 (all views in one) or one per view */
    const char *files[SC_DS_MAX_VIEWS]; /* relative to the source's root; "" = missing */
    uint8_t labels[SC_DS_MAX_LABELS];
    const char *patient; /* the id as given */
    int bad;             /* the row has a problem (already reported): no images are read */
} imp_row;

typedef struct imp_source {
    void *ctx;
    const char *root; /* folder the file names are relative to */
    int n_labels;
    const char *label_names[SC_DS_MAX_LABELS];
    /* views named by the source (one file per view), or 0: the views come from the files */
    int n_views;
    const char *view_names[SC_DS_MAX_VIEWS];
    int view_mirrored[SC_DS_MAX_VIEWS]; /* for named views; -1: decide from the name */
    /* Back to the first row. */
    int (*rewind)(void *ctx);
    /* The next row: 1, 0 at the end, -1 on an error that stops reading (message set).  Row
     * problems go to `pr` (NULL on the second pass: already reported) and set row->bad. */
    int (*next)(void *ctx, imp_row *row, imp_problems *pr);
    /* The location of the row with this key (for duplicate messages). */
    void (*where)(void *ctx, int64_t key, char *buf, size_t n);
} imp_source;

/* Options and results of the core. */
typedef struct {
    const char *output;
    int force;     /* replace an existing output */
    const char *provenance; /* the `source` attribute: what was imported, e.g. "csv:labels.csv" */
    int (*stop)(void); /* 1 when the user asked to stop (SIGINT, SIGTERM) */
} imp_options;

typedef struct {
    int64_t scans, patients, clipped;
    int v, h, w, l;
    int64_t positives[SC_DS_MAX_LABELS];
    char label_names[SC_DS_MAX_LABELS][SC_DS_NAME_MAX];
    char view_names[SC_DS_MAX_VIEWS][SC_DS_NAME_MAX];
    char formats[64]; /* "PNG", "PNG+DICOM", ... */
    double seconds;
} imp_summary;

/* Run the import; problems are collected in pr.  0 when the file was written, 1 on problems
 * (pr->n > 0), -1 on an error that stopped it (message set); no file is left but on 0. */
int imp_run(imp_source *src, const imp_options *opt, imp_problems *pr, imp_summary *sum);

/* `spectcv info`'s provenance block of the data set at path (of `scans` scans): for an import,
 * what was imported, when and by which version, the files by format and the DICOM transfer
 * syntaxes (pipeline/import_info.c); for another generator, its name.  -1 with a message when
 * what is there cannot be read. */
int imp_print_provenance(FILE *out, const char *path, int64_t scans);

/* The sources.  Both check everything they can alone, listing problems into pr.  0 when the
 * rows can be read, 1 when problems leave nothing to read (a broken header), -1 with a
 * message on an error (a missing or unreadable list). */
typedef struct {
    const char *csv, *root;
    const char *views; /* comma-separated names of the per-view path columns */
} imp_csv_options;
int imp_csv_open(const imp_csv_options *o, imp_problems *pr, imp_source *src);
void imp_csv_close(imp_source *src);

typedef struct {
    const char *dir;
    int skip_unpaired;
} imp_bs80k_options;
typedef struct {
    int64_t unpaired_skipped, disagreements;
} imp_bs80k_stats;
int imp_bs80k_open(const imp_bs80k_options *o, imp_problems *pr, imp_source *src);
void imp_bs80k_stats_get(const imp_source *src, imp_bs80k_stats *st);
void imp_bs80k_close(imp_source *src);

#endif
