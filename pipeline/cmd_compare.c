/* pipeline/cmd_compare.c: `spectcv compare A.h5 B.h5 [C.h5 ...]`: results files side by side,
 * with paired tests against the first (results/compare.h).  Rank 0 does the work; other ranks
 * (under mpirun) only agree on the exit status. */
#include <stdio.h>
#include <string.h>

#include "pipeline/cli.h"
#include "pipeline/commands.h"
#include "results/compare.h"
#include "util/error.h"

static void help(void)
{
    printf("usage: spectcv compare REFERENCE.h5 OTHER.h5 [OTHER.h5 ...] [--baseline AUG/ARCH]\n"
           "                       [--metric NAME ...] [--csv FILE] [--partial]\n\n"
           "Put the cells (augmentation x architecture) of several results files side by\n"
           "side: per metric, each cell's mean over folds with its corrected resampled t\n"
           "interval (the numbers of `spectcv report`), then paired tests against the first\n"
           "file, the reference: every cell of another file against the reference's cell of\n"
           "the same augmentation and architecture, and against the --baseline cell.  A test\n"
           "is the corrected resampled paired t-test on the per-fold differences other -\n"
           "reference over the (repeat, fold) pairs done in both, with Holm's adjustment over\n"
           "the tests of each metric; and McNemar's test on the pooled predictions of each\n"
           "repeat (the whole label set right), with Holm per repeat.  The files must come\n"
           "from the same data set (its hash) and the same folds (the fold assignment): an\n"
           "ablation run with the reference's data set and seed.  Their experiments and\n"
           "architectures may differ.\n\n"
           "  --baseline AUG/ARCH  also test every cell of the other files against this cell\n"
           "                       of the reference (e.g. original/dspic)\n"
           "  --metric NAME        a per-job metric, by name or NAME for macro_NAME (f1,\n"
           "                       accuracy, sensitivity, ...); repeat for several (default:\n"
           "                       macro_f1 and macro_accuracy)\n"
           "  --csv FILE           also write every number to FILE: a row per (metric, file,\n"
           "                       cell), kind \"cell\", a row per t-test, kind \"test\", a row\n"
           "                       per McNemar test, kind \"mcnemar\"\n"
           "  --partial            compare files with jobs not done (failed, running or\n"
           "                       pending) on their done folds; without it they are refused\n\n"
           "Exit status 1 (with the file and what differs) for a file that is not a results\n"
           "file, another data set or other folds.  docs/report.md explains the output.\n");
}

int cmd_compare(int argc, char **argv)
{
    const char *paths[SC_CMP_MAX_FILES], *metrics[SC_CMP_MAX_METRICS], *csv = NULL;
    sc_compare_options opt = {.paths = paths, .metrics = metrics};
    for (int i = 1; i < argc; i++) {
        const char *val;
        if (cli_is_help(argv[i])) {
            if (cli_rank() == 0) help();
            return SC_EXIT_OK;
        } else if (!strcmp(argv[i], "--baseline")) {
            if (cli_value(argc, argv, &i, &opt.baseline)) return cli_usage_error("compare");
        } else if (!strcmp(argv[i], "--metric")) {
            if (cli_value(argc, argv, &i, &val)) return cli_usage_error("compare");
            if (opt.n_metrics == SC_CMP_MAX_METRICS) {
                sc_err_set(NULL, 0, "at most %d --metric options", SC_CMP_MAX_METRICS);
                return cli_usage_error("compare");
            }
            metrics[opt.n_metrics++] = val;
        } else if (!strcmp(argv[i], "--csv")) {
            if (cli_value(argc, argv, &i, &csv)) return cli_usage_error("compare");
        } else if (!strcmp(argv[i], "--partial")) {
            opt.partial = 1;
        } else if (argv[i][0] == '-') {
            sc_err_set(NULL, 0, "unknown option '%s'", argv[i]);
            return cli_usage_error("compare");
        } else {
            if (opt.n_paths == SC_CMP_MAX_FILES) {
                sc_err_set(NULL, 0, "at most %d results files", SC_CMP_MAX_FILES);
                return cli_usage_error("compare");
            }
            paths[opt.n_paths++] = argv[i];
        }
    }
    if (opt.n_paths < 2) {
        sc_err_set(NULL, 0, "compare needs at least two results files (got %d): the reference "
                   "and one to compare with it", opt.n_paths);
        return cli_usage_error("compare");
    }
    if (cli_rank() != 0) return SC_EXIT_OK;
    sc_comparison cmp;
    if (sc_compare_build(&opt, &cmp)) {
        sc_err_print();
        return SC_EXIT_FAIL;
    }
    sc_compare_print(stdout, &cmp);
    int rc = SC_EXIT_OK;
    if (csv) {
        if (sc_compare_write_csv(&cmp, csv)) {
            sc_err_print();
            rc = SC_EXIT_FAIL;
        } else {
            printf("\nevery number in %s\n", csv);
        }
    }
    sc_compare_free(&cmp);
    return rc;
}
