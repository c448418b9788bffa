/* pipeline/cli.h: option-value parsing shared by the subcommands.  Each parser validates the
 * value and, on failure, sets an error naming the option and what was expected. */
#ifndef SC_PIPELINE_CLI_H
#define SC_PIPELINE_CLI_H

#include <stdint.h>

#define SC_EXIT_OK 0
#define SC_EXIT_FAIL 1
#define SC_EXIT_USAGE 2
#define SC_EXIT_JOBS_FAILED 3 /* run: the sweep completed, some jobs failed */
#define SC_EXIT_STOPPED 4     /* run: stopped by SIGTERM or SIGINT; --resume continues it */

int cli_long(const char *opt, const char *val, long lo, long hi, long *out);
int cli_int(const char *opt, const char *val, int lo, int hi, int *out);
int cli_u64(const char *opt, const char *val, uint64_t *out);
int cli_double(const char *opt, const char *val, double lo, double hi, double *out);
/* "A..B" with lo <= A <= B <= hi, or "N" (then A = B = N). */
int cli_int_range(const char *opt, const char *val, int lo, int hi, int *a, int *b);
int cli_double_range(const char *opt, const char *val, double lo, double hi, double *a,
                     double *b);
/* "HxW" (e.g. 1024x256). */
int cli_hw(const char *opt, const char *val, int *h, int *w);
/* "VxHxW" (e.g. 2x1024x256). */
int cli_vhw(const char *opt, const char *val, int *v, int *h, int *w);
/* 1 if argv[i] is -h or --help. */
int cli_is_help(const char *arg);
/* Take the value of option argv[*i] (advances *i); sets an error if it is missing. */
int cli_value(int argc, char **argv, int *i, const char **val);
/* An argument that is none of the command's options: an unknown option (leading '-') is an
 * error; else it goes into *slot, the one positional argument, unless that is taken. */
int cli_positional(const char *arg, const char **slot);
/* Usage error: print the message and a hint to run `spectcv CMD --help`; returns SC_EXIT_USAGE. */
int cli_usage_error(const char *cmd);
/* Rank of this process in MPI_COMM_WORLD (0 when MPI is not initialized). */
int cli_rank(void);
/* A serial command's long write (synth, import) that SIGINT and SIGTERM stop cleanly: from
 * cli_stop_catch on, either signal only sets a flag, which cli_stop_asked returns (1) and the
 * write looks at between scans, so that it removes its partial file; cli_stop_release puts the
 * handlers found back.  Not nested. */
void cli_stop_catch(void);
int cli_stop_asked(void);
void cli_stop_release(void);

#endif
