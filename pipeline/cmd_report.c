/* pipeline/cmd_report.c: `spectcv report results.h5 [-o DIR]`: the report folder of a results
 * file (results/report.h).  Rank 0 does the work; other ranks (under mpirun) only agree on the
 * exit status. */
#include <stdio.h>
#include <string.h>

#include "pipeline/cli.h"
#include "pipeline/commands.h"
#include "results/report.h"
#include "results/summary.h"
#include "util/error.h"

static void help(void)
{
    printf("usage: spectcv report RESULTS.h5 [-o DIR] [--bootstrap B] [--no-render]\n"
           "                      [--gnuplot PROGRAM]\n\n"
           "Build the report of a results file, from that file alone: summary.md and\n"
           "index.html (paper-style tables with corrected intervals, best and worst cells,\n"
           "per-label and per-fold tables, pooled proportions with Wilson and Clopper-Pearson\n"
           "intervals, BCa bootstrap over patients, paired comparisons with Holm-adjusted\n"
           "p-values, failed or missing jobs, the experiment), tables.tex (booktabs), CSV\n"
           "files (summary, per fold, every prediction, every statistic) and figures as\n"
           "gnuplot scripts, rendered to SVG and PNG when gnuplot is found.  Works on a sweep\n"
           "still running or interrupted: what is missing is marked.  The same results file\n"
           "gives the same files, byte for byte.  docs/report.md explains every output.\n\n"
           "  -o DIR             report folder (default: the results file's name without .h5,\n"
           "                     then _report, in the working directory); files in it are\n"
           "                     replaced\n"
           "  --bootstrap B      BCa bootstrap resamples (default 2000; 0: no bootstrap)\n"
           "  --no-render        write the figure scripts and data, do not run gnuplot\n"
           "  --gnuplot PROGRAM  the gnuplot to run (default: gnuplot on PATH)\n");
}

int cmd_report(int argc, char **argv)
{
    const char *path = NULL, *dir = NULL, *val;
    sc_report_options opt;
    sc_report_options_default(&opt);
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            if (cli_rank() == 0) help();
            return SC_EXIT_OK;
        } else if (!strcmp(argv[i], "-o")) {
            if (cli_value(argc, argv, &i, &dir)) return cli_usage_error("report");
        } else if (!strcmp(argv[i], "--bootstrap")) {
            if (cli_value(argc, argv, &i, &val) ||
                cli_int("--bootstrap", val, 0, SC_SUMMARY_BOOTSTRAP_MAX, &opt.bootstrap))
                return cli_usage_error("report");
            if (sc_summary_bootstrap_check(opt.bootstrap)) {
                sc_err_prefix("--bootstrap");
                return cli_usage_error("report");
            }
        } else if (!strcmp(argv[i], "--no-render")) {
            opt.render = 0;
        } else if (!strcmp(argv[i], "--gnuplot")) {
            if (cli_value(argc, argv, &i, &opt.gnuplot)) return cli_usage_error("report");
        } else if (cli_positional(argv[i], &path)) {
            return cli_usage_error("report");
        }
    }
    if (!path) {
        sc_err_set(NULL, 0, "missing the results file to report on");
        return cli_usage_error("report");
    }
    if (cli_rank() != 0) return SC_EXIT_OK;
    char def[4096];
    if (!dir) {
        if (sc_report_default_dir(path, def, sizeof def)) {
            sc_err_print();
            return SC_EXIT_FAIL;
        }
        dir = def;
    }
    sc_report_result res;
    if (sc_report_build(path, dir, &opt, &res)) {
        sc_err_print();
        return SC_EXIT_FAIL;
    }
    if (!res.figures_rendered) fprintf(stderr, "spectcv: note: %s\n", res.note);
    printf("report of %s in %s/ (open %s/index.html or %s/summary.md)\n", path, dir, dir, dir);
    return SC_EXIT_OK;
}
