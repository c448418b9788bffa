/* pipeline/cmd_run.c: `spectcv run EXPERIMENT.cfg`: the whole sweep.
 *
 * Every rank parses the experiment, opens the data set and computes the same folds and grid
 * (all deterministic), so only job ids travel in messages.  Stages that can fail agree on the
 * outcome (pipe_agree) so that no rank is left waiting in a collective call. */
#include <libgen.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "augment/gan.h"
#include "data/dataset.h"
#include "data/preprocess.h"
#include "folds/folds.h"
#include "jobs/checkpoint.h"
#include "jobs/dag.h"
#include "jobs/grid.h"
#include "jobs/scheduler.h"
#include "jobs/train_job.h"
#include "nn/weights.h"
#include "pipeline/cli.h"
#include "pipeline/commands.h"
#include "pipeline/experiment.h"
#include "pipeline/run_info.h"
#include "pipeline/run_plan.h"
#include "pipeline/shared_data.h"
#include "results/results.h"
#include "results/results_read.h"
#include "results/summary.h"
#include "stats/job_metrics.h"
#include "util/agree.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/stop.h"
#include "util/sys.h"
#include "util/version.h"

static void help(void)
{
    printf("usage: spectcv run EXPERIMENT.cfg [-o results.h5] [--data DATA.h5]\n"
           "                  [--force | --resume [--retry-failed]] [--dry-run] [--quiet] [-v]\n\n"
           "Run the cross-validation sweep an experiment file describes (docs/config.md):\n"
           "jobs = repeats x folds x augmentations x architectures.  Under mpirun, rank 0 hands\n"
           "jobs to the other ranks as they ask (run with as many ranks as cores + 1: the\n"
           "master sleeps while it waits); with one rank, it runs every job itself.  Results\n"
           "are identical for any number of ranks.  With a GAN augmentation, a GAN job per\n"
           "(repeat, fold) runs first and the classifier jobs that use its samples wait for it\n"
           "(docs/gan.md).  The ranks of a node share one copy of the resized data set, which\n"
           "they load in slices into MPI shared memory: a node holds the data once, and each\n"
           "rank adds only its network and workspace (docs/formats.md).\n\n"
           "  -o FILE      results file (default results.h5); never overwritten without --force\n"
           "  --data FILE  use this data set instead of the experiment's data.path\n"
           "  --force      overwrite an existing results file\n"
           "  --resume     continue the sweep of an existing results file: only the jobs that\n"
           "               are not done run (refused if the experiment, the data set or an\n"
           "               architecture differs from what started it); the final file is\n"
           "               the same as an uninterrupted run's\n"
           "  --retry-failed  with --resume, run the failed jobs again too\n"
           "  --checkpoint SECONDS  a job writes its training state to RESULTS.checkpoints/\n"
           "               every SECONDS (default 1800) and when the sweep is stopped, and\n"
           "               --resume continues it from there; 0: no checkpoints\n"
           "  --dry-run    validate everything, print the folds, the jobs with their\n"
           "               dependencies and estimated times (one training step of each\n"
           "               architecture is timed here), the wall time and the memory per rank\n"
           "               and per node; run nothing\n"
           "  --ranks N    with --dry-run: plan for N ranks (default: this run's)\n"
           "  --ranks-per-node M  with --dry-run: M of them per node (default: this node's)\n"
           "  --calibrate FILE  with --dry-run: take the times of the jobs that the results\n"
           "               file FILE finished (this experiment, or one with the same\n"
           "               architectures and input size) instead of timing them\n"
           "  --blas-core NAME  run OpenBLAS's NAME kernels on every rank (e.g. Haswell), so\n"
           "               that mixed nodes give bit-identical numbers; refused if a worker\n"
           "               cannot (its kernels are in the file's /provenance)\n"
           "  --quiet      print only the final tables\n"
           "  -v           also print every job's loss per epoch (a GAN job's D and G losses), as\n"
           "               the workers finish them\n\n"
           "SIGTERM, SIGINT or SIGUSR1 (to any rank; mpirun forwards SIGUSR1) stop the sweep\n"
           "cleanly: no more jobs start, running ones stop at their next step (checkpointed),\n"
           "the file is closed and resumable (docs/cluster.md).\n\n"
           "Exit status: 0 every job done; 3 the sweep completed but some jobs failed (their\n"
           "rows say why; --resume --retry-failed runs them again); 4 stopped by SIGTERM or\n"
           "SIGINT (--resume continues); 1 an error; 2 a usage error.\n");
}

/* After a stage that may fail on some ranks: all agree (util/agree.h); the lowest failing
 * rank's message becomes everyone's.  Returns 0 if every rank succeeded. */
static int pipe_agree(int rc) { return sc_agree(MPI_COMM_WORLD, rc); }

/* Compute the summary from the closed results file, store it in /summary, print the tables. */
static int write_summary(const char *out, const char *resume_hint, int bootstrap, double wall,
                         int *any_failed)
{
    sc_results_file rf;
    sc_summary s;
    int rc = -1, have_s = 0;
    sc_summary_options opt = {.bootstrap = bootstrap};
    if (sc_results_open(out, &rf)) return -1;
    if (sc_summary_compute_opts(&rf, &opt, &s)) goto fail;
    have_s = 1;
    sc_results_free(&rf); /* the writer reopens the file read-write */
    if (sc_summary_write(out, &s)) {
        sc_err_append(resume_hint);
        goto fail_closed;
    }
    if (sc_results_open(out, &rf)) goto fail_closed;
    printf("\n");
    sc_summary_print_jobs(stdout, &rf);
    sc_summary_print(stdout, &rf, &s);
    int failed = 0;
    for (int j = 0; j < rf.n_jobs + rf.n_gan; j++) failed += rf.rows[j].status == SC_JOB_FAILED;
    *any_failed = failed > 0;
    printf("\n%d jobs%s (%d failed) in %.1f s; results in %s\n", rf.n_jobs + rf.n_gan,
           rf.n_gan ? " with the GAN jobs" : "", failed, wall, out);
    if (failed)
        printf("%d jobs failed (their messages are above and in the file's /jobs/table); "
               "`spectcv run ... --resume --retry-failed` runs them again\n", failed);
    rc = 0;
fail:
    sc_results_free(&rf);
fail_closed:
    if (have_s) sc_summary_free(&s);
    return rc;
}

static int exec_job(void *ctx, int job, uint64_t dep_hash, sc_job_row *row)
{
    return sc_run_job(ctx, job, dep_hash, row);
}

/* BLAS threads for this rank: what the experiment asks, capped so that the worker ranks on
 * this node times threads never exceed its cores (the master sleeps, so it does not count). */
static int threads_for_rank(int wanted, int *threads, int *capped, int *node_ranks)
{
    MPI_Comm node = MPI_COMM_NULL;
    int rank, size, rc = -1;
    SC_TRY(sc_comm_rank_size(MPI_COMM_WORLD, &rank, &size));
    SC_MPI(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node));
    int is_worker = size == 1 || rank != 0, workers = 0;
    SC_MPI(MPI_Allreduce(&is_worker, &workers, 1, MPI_INT, MPI_SUM, node));
    SC_MPI(MPI_Comm_size(node, node_ranks));
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1) cores = 1;
    int cap = workers > 0 ? (int)(cores / workers) : 1;
    if (cap < 1) cap = 1;
    *capped = wanted > cap;
    *threads = wanted > cap ? cap : wanted;
    rc = 0;
fail:
    if (node != MPI_COMM_NULL && MPI_Comm_free(&node) != MPI_SUCCESS && rc == 0) {
        sc_err_set(__FILE__, __LINE__, "MPI_Comm_free failed");
        rc = -1;
    }
    return rc;
}

/* Labels used by the experiment: indices into the data set's labels. */
static int select_labels(const sc_experiment *e, const sc_dataset *ds, int *idx, int *l)
{
    if (e->n_labels_used == 0) {
        for (int j = 0; j < ds->l; j++) idx[j] = j;
        *l = ds->l;
        return 0;
    }
    for (int i = 0; i < e->n_labels_used; i++) {
        idx[i] = -1;
        for (int j = 0; j < ds->l; j++)
            if (!strcmp(e->labels_used[i], ds->label_names[j])) idx[i] = j;
        SC_CHECK(idx[i] >= 0, "%s: data.labels: '%s' is not a label of %s", e->path,
                 e->labels_used[i], ds->path);
    }
    *l = e->n_labels_used;
    return 0;
fail:
    return -1;
}

/* data.views: the views the networks see (all when absent).  The data set hash stays that of
 * every stored view, so that sweeps on one view and on two compare (spectcv compare). */
static int select_views(const sc_experiment *e, sc_dataset *ds)
{
    if (e->n_views_used == 0) return 0;
    const char *names[16];
    for (int i = 0; i < e->n_views_used; i++) names[i] = e->views_used[i];
    if (sc_ds_select_views(ds, names, e->n_views_used)) {
        sc_err_prefix("%s: data.views", e->path);
        return -1;
    }
    return 0;
}

/* What --resume runs: jobs done in the file stay done (with the output hash their row
 * records); failed ones stay failed unless retry; the rest (pending, or running when the sweep
 * stopped) run.  The file's rows must be this sweep's jobs. */
static int resume_plan(const char *path, const sc_job_row *rows, const sc_job_row *file,
                       int n, int retry, int8_t **finished, uint64_t **hashes)
{
    *finished = sc_xcalloc((size_t)(n ? n : 1), 1);
    *hashes = sc_xcalloc((size_t)(n ? n : 1), sizeof **hashes);
    for (int j = 0; j < n; j++) {
        const sc_job_row *a = &rows[j], *b = &file[j];
        SC_CHECK(a->id == b->id && a->repeat == b->repeat && a->fold == b->fold &&
                     a->kind == b->kind && a->seed == b->seed &&
                     !strncmp(a->augmentation, b->augmentation, SC_ROW_NAME) &&
                     !strncmp(a->architecture, b->architecture, SC_ROW_NAME),
                 "%s: /jobs/table row %d is not this sweep's job %d", path, j, j);
        if (b->status == SC_JOB_DONE) {
            (*finished)[j] = SC_DAG_DONE;
            (*hashes)[j] = b->output_hash;
        } else if (b->status == SC_JOB_FAILED && !retry) {
            (*finished)[j] = SC_DAG_FAILED;
        }
    }
    return 0;
fail:
    return -1;
}

static void print_resume(const char *path, const sc_job_row *file, int n, int retry)
{
    int count[4] = {0};
    for (int j = 0; j < n; j++) count[file[j].status]++;
    printf("resuming %s: %d of %d jobs done, %d failed (%s), %d running when it stopped and %d "
           "pending: %d to run\n", path, count[SC_JOB_DONE], n, count[SC_JOB_FAILED],
           retry ? "run again: --retry-failed" : "kept; --retry-failed runs them again",
           count[SC_JOB_RUNNING], count[SC_JOB_PENDING],
           count[SC_JOB_RUNNING] + count[SC_JOB_PENDING] + (retry ? count[SC_JOB_FAILED] : 0));
    fflush(stdout);
}

/* The command line of `run`. */
typedef struct {
    const char *exp_path, *out, *data;
    int force, dry, quiet, verbose, resume, retry;
    int plan_ranks, plan_per_node; /* --dry-run's what-if */
    const char *calibrate, *blas_pin;
    double ckpt_every;
} run_opts;

/* Everything a sweep holds, the same on every rank up to the results file; run_free frees it. */
typedef struct {
    int rank, size;
    sc_experiment e;
    sc_dataset ds;
    int have_e, have_ds;
    int lab[SC_DS_MAX_LABELS], l;         /* the labels used: their data set indices */
    const char *names[SC_DS_MAX_LABELS]; /* and names */
    uint8_t *truth;                      /* [n][l] */
    int16_t *assign;                     /* [repeats][n] */
    sc_val_splits vs;                    /* train.validation */
    sc_job *jobs;
    int n_jobs, *order, *depends;
    int threads, capped, node_ranks;
    sc_run_info_set ri;
    sc_shared_data sd;
    char **metric_names;
    sc_job_row *rows, *file_rows; /* the grid's rows; with --resume the file's */
    int8_t *finished;             /* --resume: what each job needs (jobs/dag.h) */
    uint64_t *hashes;
    sc_results *res;
} run_state;

/* Options into o.  Returns -1 to go on, or the exit status (--help, a usage error). */
static int parse_options(int argc, char **argv, int rank, run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->out = "results.h5";
    o->ckpt_every = 1800;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            if (rank == 0) help();
            return SC_EXIT_OK;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (cli_value(argc, argv, &i, &o->out)) return cli_usage_error("run");
        } else if (!strcmp(a, "--data")) {
            if (cli_value(argc, argv, &i, &o->data)) return cli_usage_error("run");
        } else if (!strcmp(a, "--force")) {
            o->force = 1;
        } else if (!strcmp(a, "--resume")) {
            o->resume = 1;
        } else if (!strcmp(a, "--retry-failed")) {
            o->retry = 1;
        } else if (!strcmp(a, "--checkpoint")) {
            const char *v = NULL;
            if (cli_value(argc, argv, &i, &v) || cli_double(a, v, 0, 1e9, &o->ckpt_every))
                return cli_usage_error("run");
        } else if (!strcmp(a, "--dry-run")) {
            o->dry = 1;
        } else if (!strcmp(a, "--ranks") || !strcmp(a, "--ranks-per-node")) {
            const char *v = NULL;
            int *into = !strcmp(a, "--ranks") ? &o->plan_ranks : &o->plan_per_node;
            if (cli_value(argc, argv, &i, &v) || cli_int(a, v, 1, 1 << 24, into))
                return cli_usage_error("run");
        } else if (!strcmp(a, "--blas-core")) { /* applied before main (pipeline/main.c) */
            if (cli_value(argc, argv, &i, &o->blas_pin)) return cli_usage_error("run");
        } else if (!strcmp(a, "--calibrate")) {
            if (cli_value(argc, argv, &i, &o->calibrate)) return cli_usage_error("run");
        } else if (!strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o->verbose = 1;
        } else if (cli_positional(a, &o->exp_path)) {
            return cli_usage_error("run");
        }
    }
    if (!o->exp_path) {
        sc_err_set(NULL, 0, "missing the experiment file");
        return cli_usage_error("run");
    }
    if (o->force && o->resume) {
        sc_err_set(NULL, 0, "--force starts the sweep again, --resume continues it: not both");
        return cli_usage_error("run");
    }
    if ((o->plan_ranks || o->plan_per_node || o->calibrate) && !o->dry) {
        sc_err_set(NULL, 0, "--ranks, --ranks-per-node and --calibrate go with --dry-run");
        return cli_usage_error("run");
    }
    if (o->retry && !o->resume) {
        sc_err_set(NULL, 0, "--retry-failed goes with --resume");
        return cli_usage_error("run");
    }
    return -1;
}

/* Refuse to overwrite results, or to resume none (decided on rank 0, the only one that prints). */
static int check_output(const run_opts *o, int rank)
{
    int rc = 0;
    if (rank == 0 && !o->dry && !o->force && !o->resume && sc_file_exists(o->out)) {
        sc_err_set(NULL, 0, "%s exists; refusing to overwrite results (--resume continues its "
                   "sweep, --force starts it again, or choose another -o)", o->out);
        rc = -1;
    }
    if (rank == 0 && !o->dry && o->resume && !sc_file_exists(o->out)) {
        sc_err_set(NULL, 0, "%s: --resume: no such results file (run without --resume to start "
                   "the sweep)", o->out);
        rc = -1;
    }
    return rc;
}

/* The experiment, the data set's labels and views, the folds, the jobs with their order and
 * costs, the threads and the run's provenance: every rank the same.  Every rank returns the
 * same: -1 when any failed. */
static int load(run_state *s, const run_opts *o, int argc, char **argv)
{
    sc_experiment *e = &s->e;
    int rc = sc_experiment_load(o->exp_path, o->data, e);
    s->have_e = rc == 0;
    if (rc == 0) rc = sc_fault_step("experiment");
    if (pipe_agree(rc)) return -1;
    if (pipe_agree(check_output(o, s->rank))) return -1;

    rc = sc_ds_open(MPI_COMM_WORLD, e->data_path, &s->ds);
    s->have_ds = rc == 0;
    if (pipe_agree(rc)) return -1;
    const sc_dataset *ds = &s->ds;
    const int64_t n = ds->n;
    rc = select_labels(e, ds, s->lab, &s->l);
    if (rc == 0) rc = select_views(e, &s->ds);
    if (pipe_agree(rc)) return -1;
    const int l = s->l;
    s->truth = sc_xmalloc((size_t)n * (size_t)l);
    for (int64_t i = 0; i < n; i++)
        for (int j = 0; j < l; j++) s->truth[i * l + j] = ds->labels[i * ds->l + s->lab[j]];
    for (int j = 0; j < l; j++) s->names[j] = ds->label_names[s->lab[j]];

    s->assign = sc_xmalloc((size_t)e->folds.repeats * (size_t)n * sizeof *s->assign);
    rc = sc_folds_assign(n, l, s->truth, ds->patient, s->names, &e->folds, e->seed, s->assign);
    if (rc == 0) rc = sc_grid_make(e, s->assign, n, s->truth, l, &s->jobs, &s->n_jobs);
    if (rc == 0 && e->validation > 0) {
        rc = sc_val_splits_make(e, s->assign, n, s->truth, l, ds->patient, &s->vs);
        if (rc == 0) sc_val_splits_by_job(&s->vs, s->jobs, s->n_jobs, e->folds.k);
    }
    if (pipe_agree(rc)) return -1;
    s->threads = 1, s->node_ranks = 1;
    rc = threads_for_rank(e->threads, &s->threads, &s->capped, &s->node_ranks);
    if (pipe_agree(rc)) return -1;
    s->order = sc_xmalloc((size_t)s->n_jobs * sizeof *s->order);
    rc = s->rank == 0 ? sc_grid_costs(e, ds->v, l, s->jobs, s->n_jobs) : 0;
    if (pipe_agree(rc)) return -1;
    /* every rank needs the GAN's layout and the architectures' hashes (the results file is
     * created collectively) */
    rc = sc_run_info_make(MPI_COMM_WORLD, e, ds->v, l, s->jobs, s->n_jobs, argc, argv, s->threads,
                          &s->ri);
    if (pipe_agree(rc)) return -1;
    /* OpenBLAS takes a name it does not know, or kernels this CPU cannot run, as its own choice */
    if (o->blas_pin && (s->ri.kernels_differ || strcasecmp(s->ri.blas_core, o->blas_pin))) {
        sc_err_set(NULL, 0, "--blas-core %s: the workers run %s kernels (OpenBLAS's names: "
                   "Haswell, SkylakeX, Cooperlake, Zen, ...; a CPU runs only those its "
                   "instructions allow)", o->blas_pin,
                   s->ri.kernels_differ ? "different" : s->ri.blas_core);
        return -1;
    }
    sc_grid_order(s->jobs, s->n_jobs, s->order);
    s->depends = sc_xmalloc(sizeof(int) * (size_t)s->n_jobs);
    for (int j = 0; j < s->n_jobs; j++) s->depends[j] = s->jobs[j].depends;
    return 0;
}

/* Print the plan (rank 0, unless --quiet) and, with --dry-run, its estimate of time and memory. */
static int plan(const run_state *s, const run_opts *o, int64_t base_rss)
{
    const int ranks = o->dry && o->plan_ranks ? o->plan_ranks : s->size;
    if (s->rank == 0 && !o->quiet)
        sc_plan_print(&s->e, &s->ds, s->lab, s->l, s->truth, s->assign, s->n_jobs, ranks,
                      s->threads, s->capped);
    if (!o->dry) return 0;
    /* the plan is rank 0's (it times the architectures); the others wait for its word */
    sc_dry_cfg dc = {.ranks = o->plan_ranks ? o->plan_ranks : s->size, .threads = s->threads,
                     .per_node = o->plan_per_node, .calibrate_path = o->calibrate,
                     .base_bytes = base_rss};
    if (!dc.per_node) dc.per_node = o->plan_ranks ? o->plan_ranks : s->node_ranks;
    const int rc =
        s->rank == 0 ? sc_plan_dry_run(&s->e, &s->ds, s->l, s->jobs, s->order, s->n_jobs, &dc) : 0;
    return pipe_agree(rc) ? -1 : 0;
}

/* The images in shared memory, the results file created (or reopened with --resume, with what
 * is left to run) and the checkpoints' folder. */
static int open_results(run_state *s, const run_opts *o)
{
    const sc_experiment *e = &s->e;
    const int l = s->l, n_jobs = s->n_jobs;
    /* Images: one copy per node, which the node's ranks load in slices into a shared-memory
     * window (pipeline/shared_data.h); every rank gets the data set's hash. */
    int rc = sc_shared_data_load(MPI_COMM_WORLD, &s->ds, e->in_h, e->in_w, e->norm, &s->sd);
    if (pipe_agree(rc)) return -1;
    uint64_t dhash = s->sd.content_hash;

    s->metric_names = st_job_metric_names(s->names, l);
    rc = s->metric_names ? 0 : -1;
    if (pipe_agree(rc)) return -1;
    s->rows = sc_xmalloc((size_t)n_jobs * sizeof *s->rows);
    for (int j = 0; j < n_jobs; j++) sc_grid_row(e, &s->jobs[j], &s->rows[j]);
    sc_results_layout lay = {
        .version = SPECTCV_VERSION, .experiment_text = e->text, .experiment_hash = e->hash,
        .experiment_path = e->path, .dataset_path = e->data_path, .dataset_hash = dhash,
        .seed = e->seed, .l = l, .label_names = s->names, .threshold = e->threshold,
        .confidence = e->confidence, .repeats = e->folds.repeats, .k = e->folds.k, .n = s->ds.n,
        .truth = s->truth, .patient = s->ds.patient, .assignment = s->assign, .n_jobs = n_jobs,
        .rows = s->rows, .epochs = e->epochs, .n_metrics = st_job_metrics_count(l),
        .metric_names = (const char *const *)s->metric_names, .val_count = s->vs.job_count,
        .val_patients = s->vs.job_patients, .val_index = s->vs.job_index};
    sc_run_info_layout(&s->ri, &lay);
    if (s->rank == 0 && s->ri.kernels_differ && !o->quiet)
        printf("warning: the workers run different OpenBLAS kernels (/provenance in the results "
               "file says which): their numbers can differ in rounding from a run on other "
               "nodes; --blas-core NAME (or OPENBLAS_CORETYPE, the same everywhere) pins one set "
               "for bit-identical results\n");
    if (o->resume) {
        s->file_rows = sc_xmalloc((size_t)n_jobs * sizeof *s->file_rows);
        rc = sc_results_reopen(MPI_COMM_WORLD, o->out, &lay, &s->res, s->file_rows);
        if (rc == 0)
            rc = resume_plan(o->out, s->rows, s->file_rows, n_jobs, o->retry, &s->finished,
                             &s->hashes);
    } else {
        rc = sc_results_create(MPI_COMM_WORLD, o->out, &lay, &s->res);
    }
    if (pipe_agree(rc)) return -1;
    if (o->resume && s->rank == 0 && !o->quiet)
        print_resume(o->out, s->file_rows, n_jobs, o->retry);
    char ckpt_dir[SC_PATH_MAX];
    rc = sc_ckpt_dir(o->out, ckpt_dir, sizeof ckpt_dir);
    if (rc == 0 && s->rank == 0 && o->ckpt_every > 0) rc = sc_mkdir_p(ckpt_dir);
    if (rc == 0) rc = sc_fault_step("checkpoints");
    return pipe_agree(rc) ? -1 : 0;
}

/* The sweep itself: rank 0 schedules, the others run jobs; then the results file is closed.
 * Returns 0 when every job ran (*wall: its seconds), 1 when a signal stopped it (resumable),
 * -1 on an error. */
static int run_jobs(run_state *s, const run_opts *o, double *wall)
{
    const int n_jobs = s->n_jobs;
    double t0 = sc_now();
    sc_job_ctx jc = {.e = &s->e, .n = s->ds.n, .v = s->ds.v, .l = s->l, .images = s->sd.images,
                     .count_scale = s->sd.count_scale, .view_mirrored = s->ds.view_mirrored,
                     .truth = s->truth, .assignment = s->assign, .jobs = s->jobs, .res = s->res,
                     .rank = s->rank, .threads = s->threads, .gan_h = s->ri.gan.h,
                     .gan_w = s->ri.gan.w, .verbose = o->verbose && !o->quiet,
                     .results_path = o->out, .ckpt_every = o->ckpt_every,
                     .val = s->vs.parts ? &s->vs : NULL};
    sc_progress pc;
    sc_progress_init(&pc, &s->e, s->jobs, n_jobs, NULL, s->size > 1 ? s->size - 1 : 1, o->quiet);
    if (s->finished)
        for (int j = 0; j < n_jobs; j++) pc.left[j] = s->finished[j] == SC_DAG_TO_RUN;
    sc_schedule_cfg sc = {.order = s->order, .n = n_jobs, .depends = s->depends,
                          .finished = s->finished, .hashes = s->hashes, .rows = s->rows,
                          .res = s->res, .exec = exec_job, .exec_ctx = &jc,
                          .done = sc_progress_done, .done_ctx = &pc};
    int sched_rc = sc_schedule(MPI_COMM_WORLD, &sc);
    sc_progress_free(&pc);
    char sched_msg[SC_ERR_MAX];
    snprintf(sched_msg, sizeof sched_msg, "%s", sc_err_msg());
    int rc = sc_results_close(s->res);
    s->res = NULL;
    if (rc == 0) rc = sc_fault_step("results-close");
    if (pipe_agree(rc)) return -1;
    if (sched_rc < 0) {
        sc_err_set(NULL, 0, "%s", sched_msg);
        return -1;
    }
    if (sched_rc == 1) { /* stopped: closed, resumable */
        if (s->rank == 0) {
            printf("\nthe sweep was stopped by %s; %s holds every finished job. Continue it with:"
                   "\n  spectcv run %s -o %s --resume\n", sc_stop_name(sc_stop_requested()),
                   o->out, o->exp_path, o->out);
            fflush(stdout);
        }
        return 1;
    }
    if (s->rank == 0) sc_ckpt_cleanup(o->out); /* every job ran: no checkpoint is needed any more */
    *wall = sc_now() - t0;
    return 0;
}

/* The summary, by rank 0 alone from the closed file; *any_failed on every rank. */
static int finish(const run_state *s, const run_opts *o, double wall, int *any_failed)
{
    *any_failed = 0;
    char hint[2 * 4096 + 128];
    snprintf(hint, sizeof hint, "; every job is in the file: once there is room, `spectcv run "
             "%s -o %s --resume` writes the summary", o->exp_path, o->out);
    int rc = s->rank == 0 ? write_summary(o->out, hint, s->e.bootstrap, wall, any_failed) : 0;
    if (rc == 0) rc = sc_fault_step("summary");
    if (pipe_agree(rc)) return -1;
    rc = MPI_Bcast(any_failed, 1, MPI_INT, 0, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
    if (rc) sc_err_set(__FILE__, __LINE__, "MPI_Bcast of the jobs' outcome failed");
    return pipe_agree(rc) ? -1 : 0;
}

/* Frees what the steps made (each rank, also after a failure) and returns status, or
 * SC_EXIT_FAIL when the node's shared images cannot be freed. */
static int run_free(run_state *s, int status)
{
    if (s->res) sc_results_close(s->res);
    if (s->metric_names) st_job_metric_names_free(s->metric_names, s->l);
    if (sc_shared_data_free(&s->sd)) { /* collective over the node: every rank comes here */
        sc_err_print();
        status = SC_EXIT_FAIL;
    }
    free(s->rows);
    free(s->order);
    free(s->depends);
    free(s->file_rows);
    free(s->finished);
    free(s->hashes);
    sc_run_info_free(&s->ri);
    sc_val_splits_free(&s->vs);
    free(s->jobs);
    free(s->assign);
    free(s->truth);
    if (s->have_ds) sc_ds_close(&s->ds);
    if (s->have_e) sc_experiment_free(&s->e);
    return status;
}

/* Every step that can fail agrees on the outcome over the ranks before it returns, so that all
 * ranks take the same branch here. */
int cmd_run(int argc, char **argv)
{
    const int64_t base_rss = sc_peak_rss(); /* MPI and the libraries: what every rank holds */
    run_state s;
    memset(&s, 0, sizeof s);
    if (sc_comm_rank_size(MPI_COMM_WORLD, &s.rank, &s.size)) {
        sc_err_print();
        return SC_EXIT_FAIL;
    }
    run_opts o;
    const int usage = parse_options(argc, argv, s.rank, &o);
    if (usage >= 0) return usage;

    int status = SC_EXIT_FAIL, any_failed = 0, ran;
    double wall = 0;
    sc_stop_install(); /* from here a signal stops the sweep cleanly, not the process */
    if (load(&s, &o, argc, argv) || plan(&s, &o, base_rss)) goto fail;
    if (o.dry) {
        status = SC_EXIT_OK;
        goto done;
    }
    if (open_results(&s, &o)) goto fail;
    ran = run_jobs(&s, &o, &wall);
    if (ran < 0) goto fail;
    if (ran == 1) {
        status = SC_EXIT_STOPPED;
        goto done;
    }
    if (finish(&s, &o, wall, &any_failed)) goto fail;
    status = any_failed ? SC_EXIT_JOBS_FAILED : SC_EXIT_OK;
    goto done;
fail:
    if (s.rank == 0) sc_err_print();
    status = SC_EXIT_FAIL;
done:
    return run_free(&s, status);
}
