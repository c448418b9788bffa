/* pipeline/commands.h: the subcommands of the spectcv binary.  Each returns the process exit
 * status (0 ok, 1 error in the input or the run, 2 usage error).  MPI is initialized before
 * any of them is called. */
#ifndef SC_PIPELINE_COMMANDS_H
#define SC_PIPELINE_COMMANDS_H

int cmd_synth(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_import(int argc, char **argv);

#endif
