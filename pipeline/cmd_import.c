/* pipeline/cmd_import.c: `spectcv import`: a researcher's scans (a CSV of diagnoses naming
 * image files) or the BS-80K release, into the data set file (docs/import.md).
 *
 * Serial: under mpirun, rank 0 imports; the other ranks only agree on the exit status.  Every
 * problem found is listed (up to IMP_MAX_LISTED), with the line of the list it comes from;
 * any problem means exit 1 and no file: neither the output nor OUTPUT.partial. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/image_read.h"
#include "pipeline/cli.h"
#include "pipeline/commands.h"
#include "pipeline/import.h"
#include "util/error.h"

#define DEFAULT_VIEWS "anterior,posterior"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: spectcv import --csv LIST.csv [--root DIR] [--views NAMES] -o FILE.h5\n"
            "       spectcv import --bs80k DIR [--skip-unpaired] -o FILE.h5\n\n"
            "Import whole-body scans into a data set file (docs/import.md).\n\n"
            "The CSV has a header naming its columns: 'patient' (any non-empty id), either\n"
            "'path' (one file holding every view) or one column per view (named by --views),\n"
            "and every other column is a label (0 or 1). One row per scan.\n"
            "BS-80K: DIR/wholeBodyANT/ and DIR/wholeBodyPOST/ with their .txt lists; ANT and POST\n"
            "images of one stem make one scan, label 'abnormal' = either view's label.\n\n"
            "image formats (told by their first bytes): PGM (P5, 8/16 bit), PNG (greyscale,\n"
            "1-16 bit), JPEG (greyscale), DICOM (every transfer syntax GDCM decodes, docs/dicom.md).\n"
            "Counts are stored as they are (uint16).\n\n"
            "options:\n"
            "  --csv FILE         the list of scans (see above)\n"
            "  --root DIR         folder the CSV's file names are relative to [the CSV's folder]\n"
            "  --views NAMES      comma-separated names of the per-view path columns\n"
            "                     [" DEFAULT_VIEWS "]\n"
            "  --bs80k DIR        import the BS-80K whole-body images instead of a CSV\n"
            "  --skip-unpaired    BS-80K: leave out (and count) images with no partner view\n"
            "                     instead of refusing them\n"
            "  -o, --output FILE  data set to write (required); written as FILE.partial and\n"
            "                     renamed when complete\n"
            "  --force            replace FILE if it exists (only once the import succeeded)\n"
            "  -q, --quiet        no summary\n"
            "  -h, --help         this help\n");
}

static void print_summary(const char *out, const imp_summary *s, const imp_bs80k_stats *bs)
{
    printf("import: wrote %s: %" PRId64 " scans of %" PRId64 " patients, %d view%s (", out,
           s->scans, s->patients, s->v, s->v == 1 ? "" : "s");
    for (int j = 0; j < s->v; j++) printf("%s%s", j ? ", " : "", s->view_names[j]);
    printf(") of %dx%d from %s\n", s->h, s->w, s->formats);
    printf("import: positives:");
    for (int j = 0; j < s->l; j++)
        printf("%s %s %" PRId64, j ? "," : "", s->label_names[j], s->positives[j]);
    printf("; clipped negative pixels %" PRId64 "\n", s->clipped);
    if (bs)
        printf("import: BS-80K: %" PRId64 " scans whose ANT and POST labels disagree (labelled "
               "abnormal); %" PRId64 " unpaired images skipped\n",
               bs->disagreements, bs->unpaired_skipped);
    printf("import: %.2f s, %.1f scans/s\n", s->seconds,
           s->seconds > 0 ? (double)s->scans / s->seconds : 0.0);
}

int cmd_import(int argc, char **argv)
{
    const char *out = NULL, *csv = NULL, *root = NULL, *views = DEFAULT_VIEWS, *bs80k = NULL;
    const char *views_given = NULL;
    int force = 0, quiet = 0, skip_unpaired = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        if (cli_is_help(a)) {
            if (cli_rank() == 0) usage(stdout);
            return SC_EXIT_OK;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (!strcmp(a, "--force")) {
            force = 1;
            continue;
        }
        if (!strcmp(a, "--skip-unpaired")) {
            skip_unpaired = 1;
            continue;
        }
        if (a[0] != '-') {
            sc_err_set(NULL, 0, "unexpected argument '%s'", a);
            return cli_usage_error("import");
        }
        const char **slot = !strcmp(a, "-o") || !strcmp(a, "--output") ? &out
                            : !strcmp(a, "--csv")                      ? &csv
                            : !strcmp(a, "--root")                     ? &root
                            : !strcmp(a, "--views")                    ? &views_given
                            : !strcmp(a, "--bs80k")                    ? &bs80k
                                                                       : NULL;
        if (!slot) {
            sc_err_set(NULL, 0, "unknown option '%s'", a);
            return cli_usage_error("import");
        }
        if (cli_value(argc, argv, &i, &val)) return cli_usage_error("import");
        if (!val[0]) {
            sc_err_set(NULL, 0, "option %s: expected a non-empty value", a);
            return cli_usage_error("import");
        }
        *slot = val;
    }
    if (views_given) views = views_given;
    if (!out) sc_err_set(NULL, 0, "missing -o FILE.h5 (the data set to write)");
    else if (!csv == !bs80k) sc_err_set(NULL, 0, "give either --csv LIST.csv or --bs80k DIR");
    else if (bs80k && (root || views_given))
        sc_err_set(NULL, 0, "--root and --views go with --csv, not --bs80k");
    else if (csv && skip_unpaired) sc_err_set(NULL, 0, "--skip-unpaired goes with --bs80k");
    else goto parsed;
    return cli_usage_error("import");
parsed:
    if (cli_rank() != 0) return SC_EXIT_OK;

    imp_problems pr = {0};
    imp_source src;
    int rc;
    char *prov = NULL;
    if (csv) {
        imp_csv_options o = {.csv = csv, .root = root, .views = views};
        rc = imp_csv_open(&o, &pr, &src);
        if (asprintf(&prov, "csv:%s", csv) < 0) prov = NULL;
    } else {
        imp_bs80k_options o = {.dir = bs80k, .skip_unpaired = skip_unpaired};
        rc = imp_bs80k_open(&o, &pr, &src);
        if (asprintf(&prov, "bs80k:%s", bs80k) < 0) prov = NULL;
    }
    imp_summary sum;
    imp_bs80k_stats bs = {0};
    if (!rc) {
        imp_options opt = {.output = out, .force = force, .provenance = prov ? prov : "",
                           .stop = cli_stop_asked};
        cli_stop_catch();
        rc = imp_run(&src, &opt, &pr, &sum);
        cli_stop_release();
        if (bs80k) imp_bs80k_stats_get(&src, &bs);
        if (csv) imp_csv_close(&src);
        else imp_bs80k_close(&src);
    }
    free(prov);
    if (rc || pr.n) {
        if (pr.n && !cli_stop_asked()) { /* after a stop, the problems are incomplete (and may
                                         * be the stop's own: an interrupted read) */
            fprintf(stderr, "spectcv: error: import of %s: %" PRId64 " problem%s; no file "
                    "written:\n", csv ? csv : bs80k, pr.n, pr.n == 1 ? "" : "s");
            imp_problems_print(&pr);
        }
        if (rc < 0) sc_err_print();
        imp_problems_free(&pr);
        return SC_EXIT_FAIL;
    }
    imp_problems_free(&pr);
    if (!quiet) print_summary(out, &sum, bs80k ? &bs : NULL);
    return SC_EXIT_OK;
}
