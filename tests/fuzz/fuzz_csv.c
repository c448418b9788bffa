/* tests/fuzz/fuzz_csv.c: a label list through the CSV reader (data/csv.c: every record, a
 * rewind, every record again) and through the import's row validation (pipeline/import_csv.c's
 * header and rows, then import_core.c's imp_run: patients, duplicates), with `import`'s default
 * --views (anterior,posterior) and with views named otherwise.  The images the rows name are
 * looked up in an empty folder, so no scan is ever written; the output file never appears. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "data/csv.h"
#include "pipeline/import.h"
#include "tests/fuzz/common.h"
#include "util/error.h"

static char root[4096], output[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fz_path("images", root, sizeof root);
    if (mkdir(root, 0700)) fz_die("mkdir images");
    fz_path("out.h5", output, sizeof output);
    return 0;
}

static void read_records(const char *path)
{
    sc_csv *c;
    if (sc_csv_open(path, &c)) return;
    for (int pass = 0; pass < 2; pass++) {
        char **fields;
        int n;
        int64_t line;
        while (sc_csv_next(c, &fields, &n, &line) == 1) {
            size_t total = 0; /* touch every field: a bad pointer shows under ASan */
            for (int i = 0; i < n; i++) total += strlen(fields[i]);
            (void)total;
        }
        if (sc_csv_rewind(c)) break;
    }
    sc_csv_close(c);
}

static void import_rows(const char *path, const char *views)
{
    imp_problems pr = {0};
    imp_source src;
    const imp_csv_options o = {.csv = path, .root = root, .views = views};
    if (imp_csv_open(&o, &pr, &src) == 0) {
        const imp_options opt = {.output = output, .force = 1, .provenance = "csv:fuzz"};
        imp_summary sum;
        if (imp_run(&src, &opt, &pr, &sum) == 0) fz_die("an import wrote a file without images");
        imp_csv_close(&src);
    }
    imp_problems_free(&pr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4096];
    fz_write("labels.csv", data, size, path, sizeof path);
    read_records(path);
    sc_err_clear();
    import_rows(path, "anterior,posterior");
    sc_err_clear();
    import_rows(path, "a,,posterior");
    sc_err_clear();
    return 0;
}
