/* tests/fuzz/fuzz_experiment.c: an experiment file through the whole loader and validator
 * (pipeline/experiment.c, sc_experiment_load: libconfig, every section, architecture names
 * resolved against an archs/ folder beside the file, which links to the shipped
 * configs/archs).  The loader does not open the data set (only `run` does), so data.path may
 * name anything. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "pipeline/experiment.h"
#include "tests/fuzz/common.h"
#include "util/error.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char archs[4096], target[4096];
    fz_path("archs", archs, sizeof archs);
    snprintf(target, sizeof target, "%s/configs/archs", fz_src_dir());
    if (symlink(target, archs)) fz_die("symlink archs");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4096];
    fz_write("experiment.cfg", data, size, path, sizeof path);
    sc_experiment e;
    if (sc_experiment_load(path, NULL, &e) == 0) sc_experiment_free(&e);
    sc_err_clear();
    return 0;
}
