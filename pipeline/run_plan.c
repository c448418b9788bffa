/* pipeline/run_plan.c: see run_plan.h. */
#include "pipeline/run_plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folds/folds.h"
#include "nn/nn.h"
#include "util/error.h"
#include "util/sys.h"
#include "util/version.h"

void sc_fmt_duration(double s, char *buf, size_t n)
{
    if (isnan(s)) snprintf(buf, n, "?");
    else if (s < 10) snprintf(buf, n, "%.1f s", s);
    else if (s < 90) snprintf(buf, n, "%.0f s", s);
    else if (s < 5400) snprintf(buf, n, "%.1f min", s / 60);
    else if (s < 172800) snprintf(buf, n, "%.1f h", s / 3600);
    else snprintf(buf, n, "%.1f days", s / 86400);
}

static const char *stratify_desc(int mode)
{
    switch (mode) {
    case SC_STRATIFY_NONE: return "not stratified";
    case SC_STRATIFY_POWERSET: return "stratified by label set";
    case SC_STRATIFY_ITERATIVE: return "iterative stratification by label";
    default: return "stratified by label set";
    }
}

/* What a test fold without a positive (no_pos) or without a negative scan of a label does to its
 * metrics: with TP = FN = 0 the sensitivity is 0/0, and precision TP/(TP+FP) and F1
 * 2TP/(2TP+FP+FN) are 0/0 only where the label is never predicted (0/FP = 0 otherwise); with
 * FP = TN = 0 the specificity is 0/0 and precision TP/TP is 0/0 where it is never predicted (F1's
 * denominator holds FN + TP = the fold's size).  Each such value is set to 0 and counted
 * (zero_division=0, docs/statistics.md section 1); the AUC is undefined (NaN). */
static const char *zero_denominators(int no_pos)
{
    return no_pos ? "its sensitivity has a zero denominator (its precision and F1 too where the "
                    "label is never predicted)"
                  : "its specificity has a zero denominator (its precision too where the label "
                    "is never predicted)";
}

/* A label constant over the data set, or over some test folds, trains (a balanced positive
 * weight is 1 without positives) but some of its metrics have a zero denominator there: said
 * before the sweep, not only in the report's footnote.  pos[j]: the label's positive scans. */
static void undefined_notes(const sc_dataset *ds, const char *const *names, int l,
                            const uint8_t *truth, const int64_t *pos, const int16_t *assign,
                            int repeats, int k)
{
    for (int j = 0; j < l; j++) {
        if (pos[j] == 0 || pos[j] == ds->n) {
            printf("note: label '%s' is %s in every scan: in every test fold %s: such values "
                   "are set to 0 and counted (docs/statistics.md section 1); its AUC is "
                   "undefined (NaN)\n",
                   names[j], pos[j] ? "positive" : "negative", zero_denominators(pos[j] == 0));
            continue;
        }
        int no_pos = 0, no_neg = 0;
        for (int r = 0; r < repeats; r++)
            for (int f = 0; f < k; f++) {
                int64_t p = 0, m = 0;
                for (int64_t i = 0; i < ds->n; i++)
                    if (assign[(int64_t)r * ds->n + i] == f) {
                        m++;
                        p += truth[i * l + j];
                    }
                no_pos += p == 0;
                no_neg += p == m;
            }
        for (int side = 0; side < 2; side++) {
            int folds = side ? no_neg : no_pos;
            if (folds)
                printf("note: label '%s' has no %s scan in %d of %d test folds: there %s: "
                       "such values are set to 0 and counted; its AUC is undefined (NaN), left "
                       "out of its mean\n", names[j], side ? "negative" : "positive", folds,
                       repeats * k,
                       zero_denominators(!side));
        }
    }
}

void sc_plan_print(const sc_experiment *e, const sc_dataset *ds, const int *lab, int l,
                   const uint8_t *truth, const int16_t *assign, int n_jobs, int size,
                   int threads, int capped)
{
    printf("spectcv %s: experiment '%s' (%s)\n", SPECTCV_VERSION, e->name, e->path);
    printf("data: %s: %lld scans, %lld patients, %d views %dx%d -> %dx%d (%s normalization)\n",
           ds->path, (long long)ds->n, (long long)ds->n_patients, ds->v_file, ds->h, ds->w,
           e->in_h, e->in_w, sc_norm_name(e->norm));
    if (ds->v < ds->v_file) { /* data.views */
        printf("views used:");
        for (int k = 0; k < ds->v; k++) printf(" %s", ds->view_names[k]);
        printf(" (%d of %d)\n", ds->v, ds->v_file);
    }
    printf("labels:");
    int64_t pos[SC_DS_MAX_LABELS];
    for (int j = 0; j < l; j++) {
        pos[j] = 0;
        for (int64_t i = 0; i < ds->n; i++) pos[j] += truth[i * l + j];
        printf(" %s %lld%s", ds->label_names[lab[j]], (long long)pos[j], j + 1 < l ? "," : "\n");
    }
    int64_t rare = 0, rare_patients = 0;
    if (e->folds.stratify == SC_STRATIFY_AUTO)
        rare = sc_folds_rare_sets(ds->n, l, truth, ds->patient, e->folds.k, e->folds.by_patient,
                                  &rare_patients);
    printf("folds: %d-fold x %d repeat%s, %s, %s; test scans per fold:", e->folds.k,
           e->folds.repeats, e->folds.repeats > 1 ? "s" : "",
           e->folds.by_patient ? "grouped by patient" : "ungrouped",
           rare ? "stratified by label set (the rare sets by label)"
                : stratify_desc(e->folds.stratify));
    for (int f = 0; f < e->folds.k; f++) {
        int64_t t, tr;
        sc_folds_sizes(assign, ds->n, f, &t, &tr);
        printf(" %lld", (long long)t);
    }
    printf(" (repeat 0)\n");
    const char *unit = e->folds.by_patient ? "patients" : "scans";
    if (rare)
        printf("notice: %lld label set%s with fewer %s than folds (%lld %s in all): spread by "
               "iterative stratification over single labels (docs/config.md, Folds)\n",
               (long long)rare, rare > 1 ? "s" : "", unit, (long long)rare_patients, unit);
    const char *names[SC_DS_MAX_LABELS];
    for (int j = 0; j < l; j++) names[j] = ds->label_names[lab[j]];
    /* counting only; its one error (a fold out of range) cannot happen after sc_folds_assign */
    if (sc_folds_quality_print(stdout, assign, e->folds.repeats, ds->n, l, truth, ds->patient,
                               e->folds.k, names))
        printf("fold quality: %s\n", sc_err_msg());
    undefined_notes(ds, names, l, truth, pos, assign, e->folds.repeats, e->folds.k);
    int cells = 0, excluded = 0;
    for (int a = 0; a < e->n_aug; a++)
        for (int m = 0; m < e->n_arch; m++) {
            cells += !(e->excluded[a] >> m & 1u);
            excluded += e->excluded[a] >> m & 1u;
        }
    const int n_gan = e->uses_gan ? e->folds.repeats * e->folds.k : 0;
#define PLURAL(n) ((n) == 1 ? "" : "s")
    printf("jobs: %d = %d repeat%s x %d folds x %d cell%s (%d augmentation%s x %d architecture%s",
           n_jobs, e->folds.repeats, PLURAL(e->folds.repeats), e->folds.k, cells, PLURAL(cells),
           e->n_aug, PLURAL(e->n_aug), e->n_arch, PLURAL(e->n_arch));
#undef PLURAL
    if (excluded) printf(", %d excluded", excluded);
    printf(")");
    if (n_gan) printf(" + %d GAN jobs", n_gan);
    printf("; %d epochs, default batch %d\n", e->epochs, e->train.batch);
    for (int m = 0; m < e->n_arch; m++) {
        const sc_train_cfg *t = &e->arch[m].train;
        static const char *const opt[] = {"sgd", "adam", "adamw"};
        printf("  %-16s %s lr %g, batch %d, weight decay %g%s\n", e->arch[m].name,
               opt[t->optim.kind], (double)t->optim.lr, t->batch, (double)t->optim.weight_decay,
               t->pos_weight == SC_POSW_BALANCED ? ", balanced positive weights" : "");
    }
    if (n_gan) {
        const sc_gan_cfg *g = &e->gan;
        char per[64] = "enough to double each training part";
        if (g->samples_per_set) snprintf(per, sizeof per, "%d", g->samples_per_set);
        printf("gan: %s + %s, z %d, %d epochs, batch %d, Adam lr %g (betas %g, %g), real target "
               "%g%s; samples per label set: %s\n", g->g_name, g->d_name, g->train.z,
               g->train.epochs, g->train.batch, (double)g->train.optim.lr,
               (double)g->train.optim.beta1, (double)g->train.optim.beta2,
               (double)g->train.real_target, g->train.mismatch ? ", mismatch term" : "", per);
    }
    printf("ranks: %d (%s), %d compute thread%s per worker%s\n", size,
           size == 1 ? "one rank runs every job" : "rank 0 dispatches, the others train", threads,
           threads > 1 ? "s" : "", capped ? " (capped to the cores of the node)" : "");
    fflush(stdout);
}


static const char *job_what(const sc_experiment *e, const sc_job *j, char *buf, size_t n)
{
    if (j->kind == SC_JOB_GAN) snprintf(buf, n, "GAN %s+%s", e->gan.g_name, e->gan.d_name);
    else snprintf(buf, n, "%s/%s", e->aug[j->aug].name, e->arch[j->arch].name);
    return buf;
}

static const char *fmt_bytes(double b, char *buf, size_t n)
{
    if (b < 1e9) snprintf(buf, n, "%.0f MB", b / 1e6);
    else snprintf(buf, n, "%.2f GB", b / 1e9);
    return buf;
}

int sc_plan_dry_run(const sc_experiment *e, const sc_dataset *ds, int l, const sc_job *jobs,
                    const int *order, int n_jobs, const sc_dry_cfg *c)
{
    sc_cost_model m;
    memset(&m, 0, sizeof m);
    if (c->calibrate_path && sc_cost_calibrate_file(&m, c->calibrate_path, e, jobs, n_jobs))
        return -1;
    printf("dry run: timing three training steps of each architecture%s here (%d thread%s, "
           "OpenBLAS %s kernels)...\n", e->uses_gan ? " and of the GAN" : "", c->threads,
           c->threads > 1 ? "s" : "", nn_blas_core());
    fflush(stdout);
    if (sc_cost_calibrate_bench(&m, e, ds->v, l, c->threads, jobs, n_jobs)) return -1;
    m.base_bytes = (size_t)c->base_bytes;
    printf("seconds per unit of cost (training multiply-adds):");
    for (int k = 0; k <= e->n_arch; k++) {
        if (!m.s_per_cost[k]) continue;
        printf(" %s %.3g (%s%s)", k < e->n_arch ? e->arch[k].name : "GAN", m.s_per_cost[k],
               !strcmp(m.source[k], "file") ? "from jobs of " : "timed here",
               !strcmp(m.source[k], "file") ? c->calibrate_path : "");
    }
    printf("\n\njobs in dispatch order (highest priority first: a job's cost plus the costliest "
           "job waiting for it):\n");
    double total = 0, longest = 0;
    int longest_id = -1;
    char what[2 * SC_NAME_MAX + 8], t[32];
    for (int i = 0; i < n_jobs; i++) {
        const sc_job *j = &jobs[order[i]];
        const double s = sc_cost_seconds(&m, e, j);
        total += s;
        if (s > longest) longest = s, longest_id = j->id;
        sc_fmt_duration(s, t, sizeof t);
        printf("  job %04d r%d f%d %-24s %9s  train %lld%s, test %lld", j->id, j->repeat, j->fold,
               job_what(e, j, what, sizeof what), t,
               (long long)(j->kind == SC_JOB_GAN || e->aug[j->aug].real ? j->n_train : j->n_synth),
               j->kind == SC_JOB_GAN ? " scans"
               : e->aug[j->aug].real ? (j->n_synth ? " scans + samples" : " scans")
                                     : " samples",
               (long long)j->n_test);
        if (j->kind == SC_JOB_GAN) printf(", makes %lld samples", (long long)j->n_synth);
        if (j->depends >= 0) printf(", after job %04d", j->depends);
        printf("\n");
    }
    const int workers = c->ranks > 1 ? c->ranks - 1 : 1;
    const double wall = sc_cost_makespan(&m, e, jobs, order, n_jobs, NULL, workers);
    char tt[32], tl[32], tw[32], tb[32];
    sc_fmt_duration(total, tt, sizeof tt);
    sc_fmt_duration(longest, tl, sizeof tl);
    sc_fmt_duration(wall, tw, sizeof tw);
    sc_fmt_duration(fmax(longest, total / workers), tb, sizeof tb);
    printf("\nwork: %s in %d jobs; the longest %s (job %04d)\n", tt, n_jobs, tl, longest_id);
    printf("wall time on %d rank%s (%d worker%s): about %s (the scheduler's rule on these "
           "times; no schedule is shorter than %s)\n", c->ranks, c->ranks > 1 ? "s" : "",
           workers, workers > 1 ? "s" : "", tw, tb);

    /* memory: the resized data set once per node (an MPI shared window), each rank its own */
    const double data = (double)ds->n * ds->v * e->in_h * e->in_w * sizeof(float) +
                        (double)ds->n * ds->v * sizeof(float);
    size_t job = 0;
    for (int k = 0; k <= e->n_arch; k++)
        if (m.job_bytes[k] > job) job = m.job_bytes[k];
    const int per_node = c->per_node < c->ranks ? c->per_node : c->ranks;
    const double node = data + (double)per_node * (double)m.base_bytes + (double)(per_node - (c->ranks > 1 ? 1 : 0)) * (double)job;
    char b1[32], b2[32], b3[32], b4[32];
    printf("memory: the resized data set %s, once per node (shared by its ranks); each rank %s "
           "of its own (MPI, libraries); a worker during a job (networks with gradients and "
           "optimizer state, activations, batches%s):", fmt_bytes(data, b1, sizeof b1),
           fmt_bytes((double)m.base_bytes, b2, sizeof b2),
           e->uses_gan ? ", the GAN's samples" : "");
    for (int k = 0, first = 1; k <= e->n_arch; k++) {
        if (!m.job_bytes[k]) continue;
        printf("%s %s %s", first ? "" : ",", k < e->n_arch ? e->arch[k].name : "GAN",
               fmt_bytes((double)m.job_bytes[k], b3, sizeof b3));
        first = 0;
    }
    printf("; a node of %d rank%s: about %s (the largest)\n", per_node, per_node > 1 ? "s" : "",
           fmt_bytes(node, b4, sizeof b4));
    fflush(stdout);
    return 0;
}

void sc_progress_init(sc_progress *p, const sc_experiment *e, const sc_job *jobs, int n_jobs,
                      const int8_t *todo, int workers, int quiet)
{
    memset(p, 0, sizeof *p);
    p->quiet = quiet;
    p->workers = workers > 0 ? workers : 1;
    p->e = e;
    p->jobs = jobs;
    p->n_jobs = n_jobs;
    p->left = sc_xcalloc((size_t)(n_jobs ? n_jobs : 1), 1);
    for (int j = 0; j < n_jobs; j++) p->left[j] = todo ? todo[j] : 1;
    p->t0 = sc_now();
}

void sc_progress_free(sc_progress *p)
{
    free(p->left);
    p->left = NULL;
}

/* The time still needed: at least the longest job left, and the work left over the workers;
 * kinds not calibrated yet take the mean rate of those that are. */
static double eta(const sc_progress *p)
{
    double s = 0, c = 0, left = 0, longest = 0;
    for (int k = 0; k < SC_COST_KINDS; k++) s += p->model.done_s[k], c += p->model.done_cost[k];
    if (!(c > 0)) return NAN;
    for (int j = 0; j < p->n_jobs; j++) {
        if (!p->left[j]) continue;
        double t = sc_cost_seconds(&p->model, p->e, &p->jobs[j]);
        if (isnan(t)) t = p->jobs[j].cost * s / c;
        left += t;
        longest = fmax(longest, t);
    }
    return fmax(longest, left / p->workers);
}

void sc_progress_done(void *ctx, const sc_job_row *row, int n_done, int n_total)
{
    sc_progress *p = ctx;
    if (row->status != SC_JOB_PENDING && row->id >= 0 && row->id < p->n_jobs) {
        p->left[row->id] = 0;
        if (row->status == SC_JOB_DONE)
            sc_cost_add_done(&p->model, p->e, &p->jobs[row->id], row->seconds);
    }
    if (p->quiet) return;
    char what[2 * SC_ROW_NAME + 8], el[32], left[32], took[32];
    if (row->kind == SC_JOB_GAN) snprintf(what, sizeof what, "GAN %s", row->architecture);
    else snprintf(what, sizeof what, "%s/%s", row->augmentation, row->architecture);
    const int wd = n_total >= 1000 ? 4 : n_total >= 100 ? 3 : 2;
    printf("[%*d/%d] job %04d r%d f%d %s: ", wd, n_done, n_total, row->id, row->repeat, row->fold,
           what);
    sc_fmt_duration(row->seconds, took, sizeof took);
    if (row->status == SC_JOB_PENDING) printf("%s", row->message);
    else if (row->status == SC_JOB_DONE) printf("done in %s on rank %d", took, row->rank);
    else if (row->rank < 0) printf("FAILED: %s", row->message);
    else printf("FAILED on rank %d: %s", row->rank, row->message);
    sc_fmt_duration(sc_now() - p->t0, el, sizeof el);
    const double e = eta(p);
    sc_fmt_duration(e, left, sizeof left);
    if (n_done < n_total && !isnan(e)) printf(" | elapsed %s, ETA %s\n", el, left);
    else printf(" | elapsed %s\n", el);
    fflush(stdout); /* under Slurm, stdout is a file: each line as it happens */
}
