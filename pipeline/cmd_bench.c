/* pipeline/cmd_bench.c: placeholder until the bench command lands. */
#include "pipeline/commands.h"
#include "pipeline/cli.h"
#include "util/error.h"

int cmd_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    sc_err_set(NULL, 0, "'bench' is not built yet");
    sc_err_print();
    return SC_EXIT_FAIL;
}
