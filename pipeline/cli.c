/* pipeline/cli.c: option-value parsing (see cli.h). */
#include "pipeline/cli.h"

#include <errno.h>
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

int cli_long(const char *opt, const char *val, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(val, &end, 10);
    if (errno || end == val || *end || v < lo || v > hi) {
        sc_err_set(NULL, 0, "option %s: expected an integer in [%ld, %ld], got '%s'", opt, lo, hi,
                   val);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_int(const char *opt, const char *val, int lo, int hi, int *out)
{
    long v;
    if (cli_long(opt, val, lo, hi, &v)) return -1;
    *out = (int)v;
    return 0;
}

int cli_u64(const char *opt, const char *val, uint64_t *out)
{
    char *end;
    errno = 0;
    if (val[0] == '-') goto bad;
    unsigned long long v = strtoull(val, &end, 10);
    if (errno || end == val || *end) goto bad;
    *out = (uint64_t)v;
    return 0;
bad:
    sc_err_set(NULL, 0, "option %s: expected a non-negative integer, got '%s'", opt, val);
    return -1;
}

int cli_double(const char *opt, const char *val, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(val, &end);
    if (errno || end == val || *end || !(v >= lo && v <= hi)) {
        sc_err_set(NULL, 0, "option %s: expected a number in [%g, %g], got '%s'", opt, lo, hi, val);
        return -1;
    }
    *out = v;
    return 0;
}

/* "A..B": A into first (NUL-terminated), *second at B; 1.  "N" (no ".."): 0.  An empty or
 * over-long A: -1. */
static int split_range(const char *val, char *first, size_t n, const char **second)
{
    const char *dots = strstr(val, "..");
    if (!dots) return 0;
    size_t len = (size_t)(dots - val);
    if (len == 0 || len >= n) return -1;
    memcpy(first, val, len);
    first[len] = '\0';
    *second = dots + 2;
    return 1;
}

int cli_int_range(const char *opt, const char *val, int lo, int hi, int *a, int *b)
{
    char first[64];
    const char *second;
    int split = split_range(val, first, sizeof first, &second);
    if (split == 0) { /* one number: its own message */
        if (cli_int(opt, val, lo, hi, a)) return -1;
        *b = *a;
        return 0;
    }
    if (split < 0 || cli_int(opt, first, lo, hi, a) || cli_int(opt, second, lo, hi, b) || *b < *a) {
        sc_err_set(NULL, 0, "option %s: expected N or A..B with %d <= A <= B <= %d, got '%s'",
                   opt, lo, hi, val);
        return -1;
    }
    return 0;
}

int cli_double_range(const char *opt, const char *val, double lo, double hi, double *a,
                     double *b)
{
    char first[64];
    const char *second;
    int split = split_range(val, first, sizeof first, &second);
    if (split == 0) {
        if (cli_double(opt, val, lo, hi, a)) return -1;
        *b = *a;
        return 0;
    }
    if (split < 0 || cli_double(opt, first, lo, hi, a) || cli_double(opt, second, lo, hi, b) ||
        *b < *a) {
        sc_err_set(NULL, 0,
                   "option %s: expected N or MIN..MAX with %g <= MIN <= MAX <= %g, got '%s'", opt,
                   lo, hi, val);
        return -1;
    }
    return 0;
}

/* Parse n positive integers separated by 'x'. */
static int parse_dims(const char *opt, const char *val, int n, int *dims, const char *form)
{
    const char *p = val;
    for (int i = 0; i < n; i++) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (errno || end == p || v < 1 || v > 65536) goto bad;
        dims[i] = (int)v;
        if (i < n - 1) {
            if (*end != 'x' && *end != 'X') goto bad;
            p = end + 1;
        } else if (*end) {
            goto bad;
        }
    }
    return 0;
bad:
    sc_err_set(NULL, 0, "option %s: expected %s with positive integers, got '%s'", opt, form, val);
    return -1;
}

int cli_hw(const char *opt, const char *val, int *h, int *w)
{
    int d[2];
    if (parse_dims(opt, val, 2, d, "HxW (e.g. 1024x256)")) return -1;
    *h = d[0];
    *w = d[1];
    return 0;
}

int cli_vhw(const char *opt, const char *val, int *v, int *h, int *w)
{
    int d[3];
    if (parse_dims(opt, val, 3, d, "VxHxW (e.g. 2x1024x256)")) return -1;
    *v = d[0];
    *h = d[1];
    *w = d[2];
    return 0;
}

int cli_is_help(const char *arg) { return !strcmp(arg, "-h") || !strcmp(arg, "--help"); }

int cli_value(int argc, char **argv, int *i, const char **val)
{
    if (*i + 1 >= argc) {
        sc_err_set(NULL, 0, "option %s needs a value", argv[*i]);
        return -1;
    }
    *val = argv[++*i];
    return 0;
}

int cli_positional(const char *arg, const char **slot)
{
    if (arg[0] == '-') {
        sc_err_set(NULL, 0, "unknown option '%s'", arg);
        return -1;
    }
    if (*slot) {
        sc_err_set(NULL, 0, "unexpected argument '%s'", arg);
        return -1;
    }
    *slot = arg;
    return 0;
}

int cli_usage_error(const char *cmd)
{
    if (cli_rank() == 0) {
        sc_err_print();
        fprintf(stderr, "Run 'spectcv %s --help' for usage.\n", cmd);
    }
    return SC_EXIT_USAGE;
}

static volatile sig_atomic_t stop_asked = 0;
static struct sigaction old_int, old_term;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_asked = 1;
}

void cli_stop_catch(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    stop_asked = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
}

int cli_stop_asked(void) { return stop_asked != 0; }

void cli_stop_release(void)
{
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
}

int cli_rank(void)
{
    int init = 0, rank = 0;
    if (MPI_Initialized(&init) != MPI_SUCCESS || !init) return 0;
    /* on failure every rank prints, which is better than none */
    if (MPI_Comm_rank(MPI_COMM_WORLD, &rank) != MPI_SUCCESS) return 0;
    return rank;
}
