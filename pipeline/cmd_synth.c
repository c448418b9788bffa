/* pipeline/cmd_synth.c: `spectcv synth`: write a synthetic whole-body bone-scan data set.
 *
 * Serial: under mpirun, rank 0 generates and writes; the other ranks only agree on the exit
 * status.  SIGINT / SIGTERM stop the run after the current scan and remove the partial file. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/phantom.h"
#include "pipeline/cli.h"
#include "pipeline/commands.h"
#include "util/error.h"

static int progress(void *ctx, int64_t done, int64_t total)
{
    (void)ctx;
    (void)done;
    (void)total;
    return cli_stop_asked();
}

static void usage(FILE *out, const sc_phantom_params *d)
{
    fprintf(out,
            "usage: spectcv synth -o FILE.h5 [options]\n\n"
            "Write a synthetic whole-body bone-scintigraphy data set: anterior and posterior\n"
            "views (uint16 counts), labels metastasis, arthritis, normal (= neither), patient\n"
            "ids. Deterministic from --seed. The model and its sources: docs/phantom.md.\n\n"
            "options (default in brackets):\n"
            "  -o, --output FILE          data set to write (required); written as FILE.partial\n"
            "                             and renamed when complete; an existing FILE is replaced\n"
            "  --patients N               number of patients [%" PRId64 "]\n"
            "  --scans-per-patient A..B   scans per patient, uniform in A..B, or one number N\n"
            "                             (follow-ups share anatomy and disease) [%d..%d]\n"
            "  --p-metastasis P           patient-level prevalence of metastasis [%g]\n"
            "  --p-arthritis P            patient-level prevalence of arthritis [%g]\n"
            "  --difficulty X             0 (large, bright lesions) .. 1 (clinical ranges) .. 4\n"
            "                             (faint, small: near chance); scales lesion contrast\n"
            "                             by 2^(1-X) and size by 1.25^(1-X) [%g]\n"
            "  --seed S                   random seed (non-negative integer) [%" PRIu64 "]\n"
            "  --size HxW                 size of each view; the anatomy scales with it [%dx%d]\n"
            "  --counts MIN..MAX          total counts per view [%.0f..%.0f]\n"
            "  --preview DIR              write PNG previews of a few scans of each label\n"
            "                             combination and an index (index.html, index.txt)\n"
            "  --preview-per-set K        previews per label combination [3]\n"
            "  -q, --quiet                no summary line\n"
            "  -h, --help                 this help\n",
            d->patients, d->scans_min, d->scans_max, d->p_metastasis, d->p_arthritis,
            d->difficulty, d->seed, d->h, d->w, d->counts_min, d->counts_max);
}

int cmd_synth(int argc, char **argv)
{
    sc_phantom_params p, d;
    sc_phantom_defaults(&p);
    d = p;
    const char *out = NULL, *val;
    sc_phantom_write_opts opts = {.preview_per_set = 3, .progress = progress};
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            if (cli_rank() == 0) usage(stdout, &d);
            return SC_EXIT_OK;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (a[0] != '-') {
            sc_err_set(NULL, 0, "unexpected argument '%s'", a);
            return cli_usage_error("synth");
        }
        if (cli_value(argc, argv, &i, &val)) return cli_usage_error("synth");
        long lv;
        int bad;
        if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            bad = !val[0];
            if (bad) sc_err_set(NULL, 0, "option %s: expected a file name", a);
            out = val;
        } else if (!strcmp(a, "--patients")) {
            bad = cli_long(a, val, 1, 100000000, &lv);
            p.patients = lv;
        } else if (!strcmp(a, "--scans-per-patient")) {
            bad = cli_int_range(a, val, 1, SC_PH_MAX_SCANS, &p.scans_min, &p.scans_max);
        } else if (!strcmp(a, "--p-metastasis")) {
            bad = cli_double(a, val, 0, 1, &p.p_metastasis);
        } else if (!strcmp(a, "--p-arthritis")) {
            bad = cli_double(a, val, 0, 1, &p.p_arthritis);
        } else if (!strcmp(a, "--difficulty")) {
            bad = cli_double(a, val, 0, SC_PH_MAX_DIFFICULTY, &p.difficulty);
        } else if (!strcmp(a, "--seed")) {
            bad = cli_u64(a, val, &p.seed);
        } else if (!strcmp(a, "--size")) {
            bad = cli_hw(a, val, &p.h, &p.w);
        } else if (!strcmp(a, "--counts")) {
            bad = cli_double_range(a, val, 1e4, 1e9, &p.counts_min, &p.counts_max);
        } else if (!strcmp(a, "--preview")) {
            bad = !val[0];
            if (bad) sc_err_set(NULL, 0, "option %s: expected a directory", a);
            opts.preview_dir = val;
        } else if (!strcmp(a, "--preview-per-set")) {
            bad = cli_int(a, val, 1, 1000, &opts.preview_per_set);
        } else {
            sc_err_set(NULL, 0, "unknown option '%s'", a);
            bad = 1;
        }
        if (bad) return cli_usage_error("synth");
    }
    if (!out) {
        sc_err_set(NULL, 0, "missing -o FILE.h5 (the data set to write)");
        return cli_usage_error("synth");
    }
    if (sc_phantom_check(&p)) return cli_usage_error("synth");
    if (cli_rank() != 0) return SC_EXIT_OK;

    sc_phantom_summary sum;
    cli_stop_catch();
    int rc = sc_phantom_write(&p, out, &opts, &sum);
    cli_stop_release();
    if (rc) {
        sc_err_print();
        return SC_EXIT_FAIL;
    }
    if (!quiet) {
        printf("synth: wrote %s: %" PRId64 " scans of %" PRId64 " patients, 2 views %dx%d; "
               "metastasis %" PRId64 ", arthritis %" PRId64 ", normal %" PRId64
               "; %.2f s, %.1f scans/s",
               out, sum.scans, sum.patients, p.h, p.w, sum.positives[SC_PH_METASTASIS],
               sum.positives[SC_PH_ARTHRITIS], sum.positives[SC_PH_NORMAL], sum.seconds,
               sum.seconds > 0 ? (double)sum.scans / sum.seconds : 0.0);
        if (opts.preview_dir) printf("; %d previews in %s", sum.previews, opts.preview_dir);
        printf("\n");
    }
    return SC_EXIT_OK;
}
