/* pipeline/main.c: subcommand dispatch for the one spectcv binary.
 *
 * MPI is initialized here for every subcommand and finalized on the way out, so that commands
 * only return an exit status: `run` and `bench --scheduler` need it, and the data set reader
 * opens its file through MPI-IO on a communicator (MPI_COMM_SELF in `info`).  Results files are
 * written through MPI-IO by `run` only; `info` and `report` open them serially (default file
 * access). */
#include <mpi.h>
#include <stdio.h>
#include <alloca.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <hdf5.h>

#include "nn/nn.h"
#include "pipeline/cli.h"
#include "pipeline/commands.h"
#include "pipeline/experiment.h"
#include "pipeline/versions.h"
#include "util/error.h"
#include "util/h5.h"

/* OpenBLAS picks its kernels when it is loaded, before main, reading OPENBLAS_CORETYPE.  To
 * run the kernels nn prefers on this CPU (nn_blas_preferred_core) unless the user chose some,
 * a function in the executable's .preinit_array, which runs before any shared library is
 * initialized, starts the program again with that variable set.  (Setting it in place does not
 * work: glibc's own initialization, after this, resets the environment to the original array.)
 * Nothing has started yet (no thread, no MPI), and the process keeps its id; if the exec fails,
 * OpenBLAS's own choice stands.  A debugger or valgrind that does not follow exec should be run
 * with OPENBLAS_CORETYPE set.  `--blas-core NAME` on the command line (run, bench) pins the
 * kernels of every rank: it wins over OPENBLAS_CORETYPE and over the preference. */
static const char *pinned_core(int argc, char **argv)
{
    for (int i = 1; argv && i < argc && argv[i]; i++) {
        if (!strcmp(argv[i], "--blas-core") && i + 1 < argc && argv[i + 1] && argv[i + 1][0])
            return argv[i + 1];
        if (!strncmp(argv[i], "--blas-core=", 12) && argv[i][12]) return argv[i] + 12;
    }
    return NULL;
}

static void prefer_blas_core(int argc, char **argv, char **envp)
{
    static const char key[] = "OPENBLAS_CORETYPE=";
    const size_t kl = sizeof key - 1;
    const char *pin = pinned_core(argc, argv);
    const char *core = pin ? pin : nn_blas_preferred_core();
    if (!core || !argv || !argv[0] || !envp) return;
    size_t n = 0, at = (size_t)-1;
    for (; envp[n]; n++)
        if (strncmp(envp[n], key, kl) == 0) at = n;
    if (at != (size_t)-1 && (!pin || !strcmp(envp[at] + kl, pin)))
        return; /* the user's choice, or the pinned one already in place (after the exec) */
    char var[64];
    const size_t cl = strlen(core);
    if (n > 65536 || kl + cl >= sizeof var) return;
    memcpy(var, key, kl);
    memcpy(var + kl, core, cl + 1);
    char **env = alloca((n + 2) * sizeof *env);
    memcpy(env, envp, n * sizeof *env);
    if (at != (size_t)-1) {
        env[at] = var;
        env[n] = NULL;
    } else {
        env[n] = var;
        env[n + 1] = NULL;
    }
    /* the binary's own path, not /proc/self/exe: the kernel names the process after it */
    char self[4096];
    const ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) return;
    self[len] = '\0';
    execve(self, argv, env);
}
__attribute__((section(".preinit_array"), used)) static void (*const preinit)(int, char **,
                                                                              char **) =
    prefer_blas_core;

typedef int (*cmd_fn)(int argc, char **argv);

static const struct {
    const char *name;
    cmd_fn fn;
    const char *summary;
} commands[] = {
    {"synth", cmd_synth, "write a synthetic whole-body bone-scan data set (the phantom)"},
    {"info", cmd_info, "describe a data set or results file"},
    {"run", cmd_run, "run a cross-validation sweep (under mpirun)"},
    {"report", cmd_report, "build the report of a results file"},
    {"compare", cmd_compare, "results files side by side, with paired tests against the first"},
    {"bench", cmd_bench, "time training steps of an architecture"},
    {"import", cmd_import, "import scans (CSV of diagnoses + PGM/PNG/JPEG/DICOM, or BS-80K)"},
};
#define N_COMMANDS (int)(sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out,
            "spectcv %s: MPI cross-validation pipeline for deep classification of whole-body\n"
            "SPECT bone scans (metastasis, arthritis, normal).\n\n"
            "usage: spectcv COMMAND [options]      (spectcv COMMAND --help for each)\n\n",
            sc_version_string());
    for (int i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nunder MPI:  mpirun -np 3 spectcv run configs/demo.cfg -o results.h5\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? SC_EXIT_USAGE : SC_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        sc_print_versions(stdout); /* before MPI_Init: nothing it asks needs MPI started */
        return fflush(stdout) == 0 ? SC_EXIT_OK : SC_EXIT_FAIL;
    }
    if (!strcmp(argv[1], "--list-config-keys")) { /* for docs/config.md's test (t_docs.sh) */
        for (const sc_key_group *g = sc_experiment_key_groups(); g->prefix; g++)
            for (const char *const *k = g->keys; *k; k++) printf("%s%s\n", g->prefix, *k);
        return fflush(stdout) == 0 ? SC_EXIT_OK : SC_EXIT_FAIL;
    }
    cmd_fn fn = NULL;
    for (int i = 0; i < N_COMMANDS; i++)
        if (!strcmp(argv[1], commands[i].name)) fn = commands[i].fn;
    if (!fn) {
        fprintf(stderr, "spectcv: error: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return SC_EXIT_USAGE;
    }
    /* HDF5 is opened before MPI and shut down by us before MPI_Finalize, never by itself at
     * MPI_Finalize or exit: after a failed file close it must not be (util/h5.h). */
    if (H5dont_atexit() < 0 || H5open() < 0) {
        fprintf(stderr, "spectcv: error: the HDF5 library cannot be initialised\n");
        return SC_EXIT_FAIL;
    }
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        fprintf(stderr, "spectcv: error: MPI_Init failed\n");
        return SC_EXIT_FAIL;
    }
    /* An MPI call that fails returns its error code, which every call checks (SC_MPI), rather
     * than aborting the job with MPI's own message; communicators made from this one inherit
     * the handler. */
    if (MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN) != MPI_SUCCESS) {
        fprintf(stderr, "spectcv: error: MPI_Comm_set_errhandler failed\n");
        MPI_Abort(MPI_COMM_WORLD, SC_EXIT_FAIL);
    }
    /* Errors are reported by our own messages; HDF5's stack dump would only add noise. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    /* GSL's default handler aborts; stats/ validates inputs and checks return codes instead. */
    gsl_set_error_handler_off();
    int rc = fn(argc - 1, argv + 1);
    /* Agree on the exit status: a failure on any rank fails the command. */
    int worst = rc;
    if (MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS) {
        /* the ranks cannot agree: end them all rather than leave some waiting */
        fprintf(stderr, "spectcv: error: MPI_Allreduce of the exit status failed\n");
        MPI_Abort(MPI_COMM_WORLD, SC_EXIT_FAIL);
    }
    if (sc_h5_shutdown() != 0) {
        fprintf(stderr, "spectcv: error: the HDF5 library did not shut down cleanly\n");
        if (worst == SC_EXIT_OK) worst = SC_EXIT_FAIL;
    }
    if (MPI_Finalize() != MPI_SUCCESS) {
        fprintf(stderr, "spectcv: error: MPI_Finalize failed\n");
        if (worst == SC_EXIT_OK) worst = SC_EXIT_FAIL;
    }
    return worst;
}
