/* pipeline/cmd_report.c: placeholder until the report command lands. */
#include "pipeline/commands.h"
#include "pipeline/cli.h"
#include "util/error.h"

int cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    sc_err_set(NULL, 0, "'report' is not built yet");
    sc_err_print();
    return SC_EXIT_FAIL;
}
