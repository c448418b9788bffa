/* pipeline/cmd_synth.c: placeholder until the synth command lands. */
#include "pipeline/commands.h"
#include "pipeline/cli.h"
#include "util/error.h"

int cmd_synth(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    sc_err_set(NULL, 0, "'synth' is not built yet");
    sc_err_print();
    return SC_EXIT_FAIL;
}
