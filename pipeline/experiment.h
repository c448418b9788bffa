/* pipeline/experiment.h: the experiment's LOADER: load and validate an experiment file
 * (libconfig) into the plain sc_experiment that jobs/ runs.  The format is documented in
 * docs/config.md.  The type itself and sc_experiment_free live in jobs/experiment.{h,c}. */
#ifndef SC_PIPELINE_EXPERIMENT_H
#define SC_PIPELINE_EXPERIMENT_H

#include "jobs/experiment.h"

/* Parse `path`.  Relative paths inside it (data.path, arch_dir) are resolved against the
 * experiment file's directory.  data_override (may be NULL) replaces data.path (resolved against
 * the working directory).  Errors name file:line and the key. */
int sc_experiment_load(const char *path, const char *data_override, sc_experiment *e);

/* The keys an experiment file may hold: `prefix` + each of `keys` (NULL-terminated).  Prefix ""
 * is the top level (its groups, e.g. "data", have their own entries, "data." ...),
 * "exclude." each group of the exclude list, "train_by_arch.NAME." each per-architecture group.
 * The array ends with a NULL prefix. */
typedef struct {
    const char *prefix;
    const char *const *keys;
} sc_key_group;
const sc_key_group *sc_experiment_key_groups(void);

#endif
