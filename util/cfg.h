/* util/cfg.h: typed, validated access to libconfig settings, shared by the experiment file
 * (pipeline/) and the architecture files (nn/).
 *
 * Every error names file:line and the full key path ("train.lr"), says what was expected and
 * what was found.  cfg_check_keys rejects unknown keys, so a typo ("learning_rate" for "lr") is
 * an error, not a silently ignored setting. */
#ifndef SC_UTIL_CFG_H
#define SC_UTIL_CFG_H

#include <libconfig.h>
#include <stdint.h>

/* Read and parse a file; on a syntax error the message is "FILE:LINE: syntax error: TEXT". */
int cfg_load(config_t *cfg, const char *path);

/* "file:line" of a setting (the file as given to cfg_load). */
const char *cfg_where(const config_setting_t *s);
/* Full key path of a setting, e.g. "train.lr" or "layers.[3].filters". */
const char *cfg_path(const config_setting_t *s);

/* Fail (-1) if `group` has a member whose name is not in the NULL-terminated list `allowed`. */
int cfg_check_keys(const config_setting_t *group, const char *const *allowed);

/* Typed getters on a member of a group.  If the member is absent: required -> error naming the
 * group's line; otherwise *out keeps its value (the caller pre-sets the default) and 0 is
 * returned.  Ranges are inclusive. */
int cfg_get_int(const config_setting_t *group, const char *key, int required, long lo, long hi,
                int *out);
int cfg_get_u64(const config_setting_t *group, const char *key, int required, uint64_t *out);
/* Accepts an integer or a float. */
int cfg_get_double(const config_setting_t *group, const char *key, int required, double lo,
                   double hi, double *out);
int cfg_get_bool(const config_setting_t *group, const char *key, int required, int *out);
/* Copies the string into out (size n); too long is an error. */
int cfg_get_string(const config_setting_t *group, const char *key, int required, char *out,
                   size_t n);
/* One of a NULL-terminated list of choices; *out is its index. */
int cfg_get_choice(const config_setting_t *group, const char *key, int required,
                   const char *const *choices, int *out);
/* The member if present with the given CONFIG_TYPE_*, NULL if absent (required -> error, with
 * *err set to 1); a present member of another type is an error (*err = 1). */
config_setting_t *cfg_member(const config_setting_t *group, const char *key, int type,
                             int required, int *err);
/* Name of a CONFIG_TYPE_*. */
const char *cfg_type_name(int type);

#endif
