#include "pipeline/commands.h"
#include "pipeline/cli.h"
#include "util/error.h"
int cmd_run(int argc, char **argv) { (void)argc; (void)argv; sc_err_set(NULL,0,"run: not built yet"); sc_err_print(); return 1; }
