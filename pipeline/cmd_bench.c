/* pipeline/cmd_bench.c: `spectcv bench`: time training steps of an architecture (nn/bench.c)
 * and print throughput, achieved GFLOP/s against the measured sgemm peak, and memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "augment/gan_bench.h"
#include "jobs/sched_bench.h"
#include "nn/bench.h"
#include "nn/nn.h"
#include "pipeline/cli.h"
#include "pipeline/commands.h"
#include "util/error.h"

static void usage(void)
{
    printf("usage: spectcv bench [--arch NAME] [--input VxHxW] [--batch B] [--threads T]\n"
           "                     [--steps N] [--warmup N] [--outputs N] [--json] [--profile]\n"
           "       spectcv bench --arch NAME --input VxHxW (--describe | --arch-json)\n"
           "       spectcv bench --gan [--generator NAME] [--discriminator NAME] [--views V]\n"
           "                     [--outputs L] [--z N] [--batch B] [--threads T] [--steps N]\n"
           "                     [--warmup N] [--json]\n"
           "       mpirun -np R spectcv bench --scheduler [--jobs N] [--mean S] [--sigma X]\n"
           "                     [--seed N] [--times FILE] [--json]\n\n"
           "Times full training steps (forward, backward, Adam) of an architecture on random\n"
           "data after a warm-up, and prints images/s, the achieved GFLOP/s (conv and dense\n"
           "layers: 2 x multiply-adds forward, x 3 for forward + backward, counted as the\n"
           "direct convolution; Winograd layers do fewer, so the rate is an effective one),\n"
           "the single-thread cblas_sgemm peak measured in the same run and the ratio, the conv\n"
           "layers' own GFLOP/s, and the peak resident memory next to the sum of the network's\n"
           "arenas.\n\n"
           "  --arch NAME     architecture name or file (default dspic; see configs/archs)\n"
           "  --input VxHxW   views x height x width (default 2x256x64)\n"
           "  --batch B       images per step (default 8)\n"
           "  --threads T     threads of the network (default 1; OpenBLAS runs one per call)\n"
           "  --steps N       timed steps (default 10; the median is reported)\n"
           "  --warmup N      untimed steps first (default 2)\n"
           "  --outputs N     outputs (labels) of the network (default 3)\n"
           "  --json          print exactly one JSON object instead of the table\n"
           "  --profile       also print the time of each layer (forward, backward)\n"
           "  --blas-core NAME  OpenBLAS's NAME kernels (e.g. Haswell, SkylakeX, Cooperlake)\n"
           "  --describe      print the layers (output shapes, parameters) and exit\n"
           "  --arch-json     print the resolved architecture as JSON and exit\n\n"
           "With --gan, times one training step of the conditional GAN instead (docs/gan.md):\n"
           "the generator's forward pass, the discriminator's step on a real and a synthetic\n"
           "batch, and the generator's step through the discriminator, both Adam updates (the\n"
           "default step: without gan.mismatch).  GFLOP/s count 3 generator and 8\n"
           "discriminator forward passes per sample.\n"
           "  --generator NAME      generator architecture (default gan_g: 2 x 256 x 64)\n"
           "  --discriminator NAME  discriminator architecture (default gan_d)\n"
           "  --views V             views of a scan (default 2); --outputs is the labels\n"
           "  --z N                 noise values per sample (default 100); batch default 32\n\n"
           "With --scheduler (under mpirun, 2 ranks or more), times the sweep's master/worker\n"
           "loop itself on jobs that sleep: the makespan against the lower bound max(longest\n"
           "job, total / workers), next to the longest-first list schedule and the static\n"
           "round-robin split of job arrays (both computed), and the jobs dispatched per second.\n"
           "  --jobs N      jobs (default 200)\n"
           "  --mean S      mean job time in seconds (default 1; 0: trivial jobs, the dispatch rate)\n"
           "  --sigma X     log-normal shape of the times (default 1: heavy-tailed; 0: equal)\n"
           "  --seed N      seed of the times (default 1)\n"
           "  --times FILE  the job times instead, in seconds, one per line\n");
}

/* FILE: one time (seconds, >= 0) per line; *n of them into *out (caller frees). */
static int read_times(const char *path, double **out, int *n)
{
    FILE *f = fopen(path, "r");
    int cap = 0, line = 0;
    char buf[256];
    *out = NULL;
    *n = 0;
    SC_CHECK(f, "%s: cannot open the job times", path);
    while (fgets(buf, sizeof buf, f)) {
        line++;
        char *p = buf, *end;
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
        if (!*p) continue; /* blank line */
        double t = strtod(p, &end);
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n') end++;
        SC_CHECK(end != p && *end == '\0' && t >= 0 && t < 1e7, "%s:%d: expected a time in "
                 "seconds, got '%.40s'", path, line, p);
        if (*n == cap) *out = sc_xrealloc(*out, sizeof **out * (size_t)(cap = cap ? 2 * cap : 256));
        (*out)[(*n)++] = t;
    }
    SC_CHECK(*n > 0, "%s: no job times", path);
    fclose(f);
    return 0;
fail:
    if (f) fclose(f);
    free(*out);
    *out = NULL;
    return -1;
}

static int bench_scheduler(sc_sched_bench_cfg *c, const char *times_path, int json)
{
    double *times = NULL;
    sc_sched_bench_result r;
    if (times_path) {
        if (read_times(times_path, &times, &c->n_jobs)) goto fail;
        c->times = times;
    }
    if (sc_sched_bench(MPI_COMM_WORLD, c, &r)) goto fail;
    free(times);
    if (cli_rank() != 0) return SC_EXIT_OK;
    if (json)
        printf("{\"jobs\": %d, \"workers\": %d, \"mean_s\": %.6g, \"sigma\": %.6g, "
               "\"seed\": %llu, \"makespan_s\": %.6g, \"bound_s\": %.6g, \"ratio\": %.6g, "
               "\"longest_s\": %.6g, \"total_s\": %.6g, \"lpt_s\": %.6g, "
               "\"round_robin_s\": %.6g, \"jobs_per_s\": %.6g, \"master_cpu_s\": %.6g}\n", c->n_jobs, r.workers,
               c->mean, c->sigma, (unsigned long long)c->seed, r.makespan, r.bound,
               r.bound > 0 ? r.makespan / r.bound : 0.0, r.longest, r.total, r.lpt,
               r.round_robin, r.jobs_per_s,
               r.master_cpu);
    else if (r.bound > 0)
        printf("bench --scheduler: %d jobs on %d workers (%s)\n"
               "  makespan      %.3f s = %.4f x the bound %.3f s (longest %.3f s, total %.3f s)\n"
               "  longest-first %.3f s = %.4f x (computed, no dispatch cost)\n"
               "  round-robin   %.3f s = %.4f x (computed: job i on worker i mod %d)\n"
               "  dispatch      %.1f jobs/s; the master used %.2f s of CPU (%.2f%% of a core)\n",
               c->n_jobs, r.workers, times_path ? times_path : "log-normal times", r.makespan,
               r.makespan / r.bound, r.bound, r.longest, r.total, r.lpt, r.lpt / r.bound,
               r.round_robin, r.round_robin / r.bound, r.workers, r.jobs_per_s, r.master_cpu,
               100.0 * r.master_cpu / r.makespan);
    else
        printf("bench --scheduler: %d trivial jobs on %d workers in %.3f s: %.0f jobs/s; the "
               "master used %.2f s of CPU\n", c->n_jobs, r.workers, r.makespan, r.jobs_per_s,
               r.master_cpu);
    return SC_EXIT_OK;
fail:
    free(times);
    if (cli_rank() == 0) sc_err_print();
    return SC_EXIT_FAIL;
}

static int bench_gan(const char *gen, const char *dis, int views, const nn_shape *shape, int z,
                     const nn_bench_cfg *c, int json)
{
    char gp[4096], dp[4096];
    if (nn_arch_resolve(gen, NULL, gp, sizeof gp) || nn_arch_resolve(dis, NULL, dp, sizeof dp)) {
        sc_err_print();
        return SC_EXIT_FAIL;
    }
    aug_gan_bench_cfg cfg = {gp, dp, views, shape->n_out, z, shape->batch, c->threads, c->steps,
                             c->warmup};
    aug_gan_bench_result r;
    if (aug_gan_bench(&cfg, &r)) {
        sc_err_print();
        return SC_EXIT_FAIL;
    }
    if (cli_rank() != 0) return SC_EXIT_OK;
    if (json)
        printf("{\"generator\": \"%s\", \"discriminator\": \"%s\", \"scan\": [%d, %d, %d], "
               "\"labels\": %d, \"z\": %d, \"batch\": %d, \"threads\": %d, \"steps\": %d, "
               "\"warmup\": %d, \"step_s\": %.6g, \"samples_per_s\": %.6g, "
               "\"gflop_per_step\": %.6g, \"gflops\": %.6g, \"g_params\": %zu, "
               "\"d_params\": %zu, \"blas_core\": \"%s\"}\n",
               gen, dis, views, r.h, r.w, shape->n_out, z, shape->batch, c->threads, c->steps,
               c->warmup, r.step_s, r.samples_per_s, r.gflop, r.gflops, r.g_params, r.d_params,
               nn_blas_core());
    else
        printf("bench --gan: %s + %s, scans %dx%dx%d, %d labels, z %d, batch %d, %d thread%s, "
               "%d steps after %d warm-up\n"
               "  step          %.4f s (median)    %.2f samples/s\n"
               "  compute       %.3f GFLOP/step     %.2f GFLOP/s   (%zu + %zu parameters, "
               "OpenBLAS %s kernels)\n",
               gen, dis, views, r.h, r.w, shape->n_out, z, shape->batch, c->threads,
               c->threads > 1 ? "s" : "", c->steps, c->warmup, r.step_s, r.samples_per_s, r.gflop,
               r.gflops, r.g_params, r.d_params, nn_blas_core());
    return SC_EXIT_OK;
}

static void print_json(const char *arch, const nn_shape *s, const nn_bench_cfg *c,
                       const nn_bench_result *r)
{
    const nn_arena_sizes *a = &r->arenas;
    printf("{\"arch\": \"%s\", \"input\": [%d, %d, %d], \"batch\": %d, \"threads\": %d, "
           "\"steps\": %d, \"warmup\": %d, \"step_s\": %.6g, \"images_per_s\": %.6g, "
           "\"gflop_per_step\": %.6g, \"gflops\": %.6g, \"sgemm_peak_gflops\": %.6g, "
           "\"sgemm_n\": %d, \"ratio\": %.4g, \"conv_gflops\": %.6g, \"conv_peak_ratio\": %.4g, "
           "\"conv_time_share\": %.4g, \"peak_rss_bytes\": %lld, \"rss_before_bytes\": %lld, "
           "\"arena_bytes\": %zu, \"rss_arena_ratio\": %.4g, \"arenas\": {\"params\": %zu, "
           "\"grads\": %zu, \"optim\": %zu, \"state\": %zu, \"activations\": %zu, "
           "\"workspace\": %zu}, \"num_params\": %zu, \"forward_macs_per_image\": %.6g, "
           "\"blas_core\": \"%s\"}\n",
           arch, s->in_c, s->in_h, s->in_w, s->batch, c->threads, c->steps, c->warmup, r->step_s,
           r->images_per_s, r->train_gflop, r->gflops, r->sgemm_peak, r->sgemm_n,
           r->gflops / r->sgemm_peak, r->conv_gflops, r->conv_gflops / r->sgemm_peak,
           r->conv_share, (long long)r->peak_rss, (long long)r->rss_before, r->arena_total,
           (double)r->peak_rss / (double)r->arena_total, a->params, a->grads, a->optim, a->state,
           a->activations, a->workspace, r->num_params, r->forward_macs, nn_blas_core());
}

static void print_table(const char *arch, const nn_shape *s, const nn_bench_cfg *c,
                        const nn_bench_result *r)
{
    const double MB = 1048576.0;
    const nn_arena_sizes *a = &r->arenas;
    printf("bench: %s, input %dx%dx%d, batch %d, %d thread%s, %d steps after %d warm-up\n", arch,
           s->in_c, s->in_h, s->in_w, s->batch, c->threads, c->threads > 1 ? "s" : "", c->steps,
           c->warmup);
    printf("  step          %.4f s (median)    %.2f images/s\n", r->step_s, r->images_per_s);
    printf("  compute       %.3f GFLOP/step     %.2f GFLOP/s   (%.4g GMAC forward per image, "
           "%zu parameters)\n", r->train_gflop, r->gflops, r->forward_macs * 1e-9, r->num_params);
    printf("  sgemm peak    %.2f GFLOP/s (one thread, %d^3, OpenBLAS %s kernels)   "
           "achieved/peak %.2f\n", r->sgemm_peak, r->sgemm_n, nn_blas_core(),
           r->gflops / r->sgemm_peak);
    printf("  conv layers   %.2f GFLOP/s = %.2f of the sgemm peak, %.0f%% of the step\n",
           r->conv_gflops, r->conv_gflops / r->sgemm_peak, 100.0 * r->conv_share);
    printf("  memory        peak RSS %.1f MB (%.1f MB before building), arenas %.1f MB, "
           "RSS/arenas %.2f\n", r->peak_rss / MB, r->rss_before / MB, r->arena_total / MB,
           (double)r->peak_rss / (double)r->arena_total);
    printf("                arenas: params %.1f, grads %.1f, optimizer %.1f, statistics %.2f, "
           "activations %.1f, workspace %.1f MB\n", a->params / MB, a->grads / MB, a->optim / MB,
           a->state / MB, a->activations / MB, a->workspace / MB);
}

int cmd_bench(int argc, char **argv)
{
    const char *arch = "dspic";
    nn_shape shape = {2, 256, 64, 3, 8};
    nn_bench_cfg cfg = {.threads = 1, .steps = 10, .warmup = 2};
    int json = 0, describe = 0, arch_json = 0, gan = 0, views = 2, z = 100, batch_set = 0;
    const char *gen = "gan_g", *dis = "gan_d", *times = NULL;
    int sched = 0;
    sc_sched_bench_cfg sbc = {.n_jobs = 200, .mean = 1.0, .sigma = 1.0, .seed = 1};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = NULL;
        if (cli_is_help(o)) {
            usage();
            return SC_EXIT_OK;
        } else if (!strcmp(o, "--json")) {
            json = 1;
        } else if (!strcmp(o, "--gan")) {
            gan = 1;
        } else if (!strcmp(o, "--blas-core")) { /* applied before main (pipeline/main.c) */
            if (cli_value(argc, argv, &i, &v)) return cli_usage_error("bench");
        } else if (!strcmp(o, "--scheduler")) {
            sched = 1;
        } else if (!strcmp(o, "--jobs")) {
            if (cli_value(argc, argv, &i, &v) || cli_int(o, v, 1, 10000000, &sbc.n_jobs))
                return cli_usage_error("bench");
        } else if (!strcmp(o, "--mean") || !strcmp(o, "--sigma")) {
            if (cli_value(argc, argv, &i, &v) ||
                cli_double(o, v, 0, !strcmp(o, "--mean") ? 1e6 : 4,
                           !strcmp(o, "--mean") ? &sbc.mean : &sbc.sigma))
                return cli_usage_error("bench");
        } else if (!strcmp(o, "--seed")) {
            if (cli_value(argc, argv, &i, &v) || cli_u64(o, v, &sbc.seed))
                return cli_usage_error("bench");
        } else if (!strcmp(o, "--times")) {
            if (cli_value(argc, argv, &i, &times)) return cli_usage_error("bench");
        } else if (!strcmp(o, "--generator") || !strcmp(o, "--discriminator")) {
            if (cli_value(argc, argv, &i, !strcmp(o, "--generator") ? &gen : &dis))
                return cli_usage_error("bench");
        } else if (!strcmp(o, "--views") || !strcmp(o, "--z")) {
            if (cli_value(argc, argv, &i, &v) ||
                cli_int(o, v, 1, !strcmp(o, "--z") ? 4096 : 64, !strcmp(o, "--z") ? &z : &views))
                return cli_usage_error("bench");
        } else if (!strcmp(o, "--describe")) {
            describe = 1;
        } else if (!strcmp(o, "--profile")) {
            cfg.profile = 1;
        } else if (!strcmp(o, "--arch-json")) {
            arch_json = 1;
        } else if (!strcmp(o, "--arch")) {
            if (cli_value(argc, argv, &i, &arch)) return cli_usage_error("bench");
        } else if (!strcmp(o, "--input")) {
            if (cli_value(argc, argv, &i, &v) ||
                cli_vhw(o, v, &shape.in_c, &shape.in_h, &shape.in_w))
                return cli_usage_error("bench");
        } else if (!strcmp(o, "--batch") || !strcmp(o, "--threads") || !strcmp(o, "--steps") ||
                   !strcmp(o, "--warmup") || !strcmp(o, "--outputs")) {
            int *dst = !strcmp(o, "--batch")     ? &shape.batch
                       : !strcmp(o, "--threads") ? &cfg.threads
                       : !strcmp(o, "--steps")   ? &cfg.steps
                       : !strcmp(o, "--warmup")  ? &cfg.warmup
                                                 : &shape.n_out;
            int lo = !strcmp(o, "--warmup") ? 0 : 1;
            batch_set |= dst == &shape.batch;
            if (cli_value(argc, argv, &i, &v) || cli_int(o, v, lo, 100000, dst))
                return cli_usage_error("bench");
        } else {
            sc_err_set(NULL, 0, "unknown option '%s'", o);
            return cli_usage_error("bench");
        }
    }
    if (sched) return bench_scheduler(&sbc, times, json);
    if (gan) {
        if (!batch_set) shape.batch = 32;
        return bench_gan(gen, dis, views, &shape, z, &cfg, json);
    }
    char path[4096];
    if (nn_arch_resolve(arch, NULL, path, sizeof path) != 0) {
        sc_err_print();
        return SC_EXIT_FAIL;
    }
    if (describe || arch_json) {
        nn_net *net = nn_net_build(path, &shape);
        if (!net) {
            sc_err_print();
            return SC_EXIT_FAIL;
        }
        if (arch_json) {
            printf("%s\n", nn_net_arch_json(net));
        } else {
            static char buf[1 << 16];
            nn_net_describe(net, buf, sizeof buf);
            fputs(buf, stdout);
        }
        nn_net_free(net);
        return SC_EXIT_OK;
    }
    nn_bench_result r;
    if (nn_bench_run(path, &shape, &cfg, &r) != 0) {
        sc_err_print();
        return SC_EXIT_FAIL;
    }
    if (cli_rank() == 0) {
        if (json) print_json(arch, &shape, &cfg, &r);
        else print_table(arch, &shape, &cfg, &r);
        if (r.profile && !json) fputs(r.profile, stdout);
    }
    free(r.profile);
    return SC_EXIT_OK;
}
