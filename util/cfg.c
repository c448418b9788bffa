/* util/cfg.c: see cfg.h. */
#include "util/cfg.h"

#include <stdio.h>
#include <string.h>

#include "util/error.h"

int cfg_load(config_t *cfg, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        sc_err_set(NULL, 0, "%s: cannot open (does it exist?)", path);
        return -1;
    }
    fclose(f);
    if (config_read_file(cfg, path) != CONFIG_TRUE) {
        sc_err_set(NULL, 0, "%s:%d: syntax error: %s",
                   config_error_file(cfg) ? config_error_file(cfg) : path, config_error_line(cfg),
                   config_error_text(cfg));
        return -1;
    }
    return 0;
}

const char *cfg_where(const config_setting_t *s)
{
    static _Thread_local char buf[1024];
    const char *file = config_setting_source_file(s);
    unsigned line = config_setting_source_line(s);
    /* The root group has no line of its own. */
    if (line == 0) snprintf(buf, sizeof buf, "%s", file ? file : "<config>");
    else snprintf(buf, sizeof buf, "%s:%u", file ? file : "<config>", line);
    return buf;
}

static size_t path_rec(const config_setting_t *s, char *buf, size_t n)
{
    const config_setting_t *parent = config_setting_parent(s);
    if (!parent) return 0; /* the root has no name */
    size_t off = path_rec(parent, buf, n);
    if (off >= n) return off;
    const char *name = config_setting_name(s);
    if (name)
        off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? "." : "", name);
    else
        off += (size_t)snprintf(buf + off, n - off, "[%d]", config_setting_index(s));
    return off;
}

const char *cfg_path(const config_setting_t *s)
{
    static _Thread_local char buf[1024];
    buf[0] = '\0';
    path_rec(s, buf, sizeof buf);
    return buf;
}

const char *cfg_type_name(int type)
{
    switch (type) {
    case CONFIG_TYPE_GROUP: return "a group { ... }";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: return "an integer";
    case CONFIG_TYPE_FLOAT: return "a number";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "true or false";
    case CONFIG_TYPE_ARRAY: return "an array [ ... ]";
    case CONFIG_TYPE_LIST: return "a list ( ... )";
    default: return "nothing";
    }
}

/* "file:line: group.key" of a member, or of the group when the member is absent. */
static const char *member_desc(const config_setting_t *group, const config_setting_t *s,
                               const char *key)
{
    static _Thread_local char buf[2048];
    const char *gp = cfg_path(group);
    if (s)
        snprintf(buf, sizeof buf, "%s: %s", cfg_where(s), cfg_path(s));
    else
        snprintf(buf, sizeof buf, "%s: %s%s%s", cfg_where(group), gp, gp[0] ? "." : "", key);
    return buf;
}

int cfg_check_keys(const config_setting_t *group, const char *const *allowed)
{
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(s);
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (name && !strcmp(name, *a)) ok = 1;
        if (!ok) {
            char list[1024];
            size_t off = 0;
            for (const char *const *a = allowed; *a && off < sizeof list; a++)
                off += (size_t)snprintf(list + off, sizeof list - off, "%s%s",
                                        a == allowed ? "" : ", ", *a);
            sc_err_set(NULL, 0, "%s: unknown key '%s' (expected one of: %s)", cfg_where(s),
                       cfg_path(s), list);
            return -1;
        }
    }
    return 0;
}

config_setting_t *cfg_member(const config_setting_t *group, const char *key, int type,
                             int required, int *err)
{
    config_setting_t *s = config_setting_get_member(group, key);
    *err = 0;
    if (!s) {
        if (required) {
            sc_err_set(NULL, 0, "%s: missing (required, %s)", member_desc(group, NULL, key),
                       cfg_type_name(type));
            *err = 1;
        }
        return NULL;
    }
    int t = config_setting_type(s);
    int ok = t == type || (type == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64) ||
             (type == CONFIG_TYPE_LIST && t == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0);
    if (!ok) {
        sc_err_set(NULL, 0, "%s: expected %s, found %s", member_desc(group, s, key),
                   cfg_type_name(type), cfg_type_name(t));
        *err = 1;
        return NULL;
    }
    return s;
}

int cfg_get_int(const config_setting_t *group, const char *key, int required, long lo, long hi,
                int *out)
{
    int err;
    config_setting_t *s = cfg_member(group, key, CONFIG_TYPE_INT, required, &err);
    if (!s) return err ? -1 : 0;
    long long v = config_setting_get_int64(s);
    if (v < lo || v > hi) {
        sc_err_set(NULL, 0, "%s: expected an integer in [%ld, %ld], got %lld",
                   member_desc(group, s, key), lo, hi, v);
        return -1;
    }
    *out = (int)v;
    return 0;
}

int cfg_get_u64(const config_setting_t *group, const char *key, int required, uint64_t *out)
{
    int err;
    config_setting_t *s = cfg_member(group, key, CONFIG_TYPE_INT, required, &err);
    if (!s) return err ? -1 : 0;
    long long v = config_setting_get_int64(s);
    if (v < 0) {
        sc_err_set(NULL, 0, "%s: expected a non-negative integer, got %lld",
                   member_desc(group, s, key), v);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

int cfg_get_double(const config_setting_t *group, const char *key, int required, double lo,
                   double hi, double *out)
{
    config_setting_t *s = config_setting_get_member(group, key);
    if (!s) {
        if (!required) return 0;
        sc_err_set(NULL, 0, "%s: missing (required, a number)", member_desc(group, NULL, key));
        return -1;
    }
    int t = config_setting_type(s);
    double v;
    if (t == CONFIG_TYPE_FLOAT)
        v = config_setting_get_float(s);
    else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
        v = (double)config_setting_get_int64(s);
    else {
        sc_err_set(NULL, 0, "%s: expected a number, found %s", member_desc(group, s, key),
                   cfg_type_name(t));
        return -1;
    }
    if (!(v >= lo && v <= hi)) {
        sc_err_set(NULL, 0, "%s: expected a number in [%g, %g], got %g",
                   member_desc(group, s, key), lo, hi, v);
        return -1;
    }
    *out = v;
    return 0;
}

int cfg_get_bool(const config_setting_t *group, const char *key, int required, int *out)
{
    int err;
    config_setting_t *s = cfg_member(group, key, CONFIG_TYPE_BOOL, required, &err);
    if (!s) return err ? -1 : 0;
    *out = config_setting_get_bool(s);
    return 0;
}

int cfg_get_string(const config_setting_t *group, const char *key, int required, char *out,
                   size_t n)
{
    int err;
    config_setting_t *s = cfg_member(group, key, CONFIG_TYPE_STRING, required, &err);
    if (!s) return err ? -1 : 0;
    const char *v = config_setting_get_string(s);
    if (!v || !v[0] || strlen(v) >= n) {
        sc_err_set(NULL, 0, "%s: expected a non-empty string of at most %zu characters",
                   member_desc(group, s, key), n - 1);
        return -1;
    }
    strcpy(out, v);
    return 0;
}

int cfg_get_choice(const config_setting_t *group, const char *key, int required,
                   const char *const *choices, int *out)
{
    char buf[256];
    int err;
    config_setting_t *s = cfg_member(group, key, CONFIG_TYPE_STRING, required, &err);
    if (!s) return err ? -1 : 0;
    if (cfg_get_string(group, key, required, buf, sizeof buf)) return -1;
    for (int i = 0; choices[i]; i++)
        if (!strcmp(buf, choices[i])) {
            *out = i;
            return 0;
        }
    char list[512];
    size_t off = 0;
    for (int i = 0; choices[i] && off < sizeof list; i++)
        off += (size_t)snprintf(list + off, sizeof list - off, "%s\"%s\"", i ? ", " : "",
                                choices[i]);
    sc_err_set(NULL, 0, "%s: expected one of %s, got \"%s\"", member_desc(group, s, key), list,
               buf);
    return -1;
}
