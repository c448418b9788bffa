/* nn/arch.c: architecture files: the tables of layer types and keys, and the parser of layer
 * lists (see arch.h).  Variants are in arch_variant.c. */
#include "nn/arch.h"

#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/sys.h"

#define MAX_DEPTH 16 /* nesting of residual/concat lists, and of base files */

static const char *type_names[NN_LT_COUNT] = {
    "conv", "conv_transpose", "batchnorm", "relu", "leaky_relu", "tanh", "sigmoid", "maxpool",
    "avgpool", "adaptive_avgpool", "global_avgpool", "flatten", "dense", "dropout", "cbam",
    "residual", "concat",
};

static const char *key_names[NN_K_COUNT] = {
    "out", "kernel", "stride", "pad", "output_pad", "bias", "init", "eps", "momentum", "slope",
    "p", "reduction", "size", "body", "shortcut", "branches", "algo",
};

#define KB(k) (1u << (k))
static const unsigned type_keys[NN_LT_COUNT] = {
    [NN_LT_CONV] = KB(NN_K_OUT) | KB(NN_K_KERNEL) | KB(NN_K_STRIDE) | KB(NN_K_PAD) |
                   KB(NN_K_BIAS) | KB(NN_K_INIT) | KB(NN_K_ALGO),
    [NN_LT_CONVT] = KB(NN_K_OUT) | KB(NN_K_KERNEL) | KB(NN_K_STRIDE) | KB(NN_K_PAD) |
                    KB(NN_K_OUTPUT_PAD) | KB(NN_K_BIAS) | KB(NN_K_INIT),
    [NN_LT_BN] = KB(NN_K_EPS) | KB(NN_K_MOMENTUM) | KB(NN_K_INIT),
    [NN_LT_LRELU] = KB(NN_K_SLOPE),
    [NN_LT_MAXPOOL] = KB(NN_K_KERNEL) | KB(NN_K_STRIDE) | KB(NN_K_PAD),
    [NN_LT_AVGPOOL] = KB(NN_K_KERNEL) | KB(NN_K_STRIDE) | KB(NN_K_PAD),
    [NN_LT_ADAPTIVE_AVGPOOL] = KB(NN_K_SIZE),
    [NN_LT_DENSE] = KB(NN_K_OUT) | KB(NN_K_BIAS) | KB(NN_K_INIT),
    [NN_LT_DROPOUT] = KB(NN_K_P),
    [NN_LT_CBAM] = KB(NN_K_REDUCTION) | KB(NN_K_KERNEL) | KB(NN_K_BIAS) | KB(NN_K_INIT),
    [NN_LT_RESIDUAL] = KB(NN_K_BODY) | KB(NN_K_SHORTCUT),
    [NN_LT_CONCAT] = KB(NN_K_BRANCHES),
};

static const char *init_names[NN_INIT_COUNT] = {
    "inherit", "torch", "kaiming_normal", "xavier_uniform", "xavier_normal", "dcgan",
};

const char *nn_layer_type_name(int type)
{
    return type >= 0 && type < NN_LT_COUNT ? type_names[type] : "?";
}

int nn_layer_type_find(const char *name)
{
    for (int i = 0; i < NN_LT_COUNT; i++)
        if (!strcmp(name, type_names[i])) return i;
    return -1;
}

const char *nn_key_name(int key) { return key >= 0 && key < NN_K_COUNT ? key_names[key] : "?"; }

const char *nn_init_name(int init)
{
    return init >= 0 && init < NN_INIT_COUNT ? init_names[init] : "?";
}

int nn_init_find(const char *name)
{
    for (int i = 1; i < NN_INIT_COUNT; i++)
        if (!strcmp(name, init_names[i])) return i;
    return -1;
}

int nn_key_allowed(int type, int key)
{
    return type >= 0 && type < NN_LT_COUNT && (type_keys[type] & KB(key)) != 0;
}

void nn_spec_what(const nn_spec *sp, char *buf, size_t size)
{
    if (sp->name[0])
        snprintf(buf, size, "%s layer '%s'", nn_layer_type_name(sp->type), sp->name);
    else
        snprintf(buf, size, "%s layer", nn_layer_type_name(sp->type));
}

const char *nn_arch_intern_file(nn_arch *a, const char *path)
{
    for (int i = 0; i < a->n_files; i++)
        if (!strcmp(a->files[i], path)) return a->files[i];
    a->files = sc_xrealloc(a->files, sizeof(char *) * (size_t)(a->n_files + 1));
    a->files[a->n_files] = sc_xstrdup(path);
    return a->files[a->n_files++];
}

void nn_spec_list_free(nn_spec_list *l)
{
    for (int i = 0; i < l->n; i++) {
        nn_spec *sp = &l->v[i];
        for (int j = 0; j < sp->n_sub; j++) nn_spec_list_free(&sp->sub[j]);
        free(sp->sub);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void nn_arch_free(nn_arch *a)
{
    if (!a) return;
    nn_spec_list_free(&a->layers);
    for (int i = 0; i < a->n_files; i++) free(a->files[i]);
    free(a->files);
    free(a->text);
    memset(a, 0, sizeof *a);
}

/* ---- values ---- */

static int get_int(const config_setting_t *v, int *out)
{
    int t = config_setting_type(v);
    if (t == CONFIG_TYPE_INT) {
        *out = config_setting_get_int(v);
        return 0;
    }
    if (t == CONFIG_TYPE_INT64) {
        long long x = config_setting_get_int64(v);
        if (x < INT_MIN || x > INT_MAX) return -1;
        *out = (int)x;
        return 0;
    }
    return -1;
}

/* An integer, or a list/array [h, w] of two integers. */
static int get_pair(const config_setting_t *v, int out[2])
{
    if (get_int(v, &out[0]) == 0) {
        out[1] = out[0];
        return 0;
    }
    int t = config_setting_type(v);
    if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || config_setting_length(v) != 2)
        return -1;
    for (int i = 0; i < 2; i++)
        if (get_int(config_setting_get_elem(v, (unsigned)i), &out[i]) != 0) return -1;
    return 0;
}

static int get_float(const config_setting_t *v, float *out)
{
    int t = config_setting_type(v);
    double x;
    if (t == CONFIG_TYPE_FLOAT) x = config_setting_get_float(v);
    else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) x = (double)config_setting_get_int64(v);
    else return -1;
    if (!isfinite(x)) return -1;
    *out = (float)x;
    return 0;
}

static int parse_list(nn_arch *a, const config_setting_t *list, const char *file,
                      nn_spec_list *out, int depth);

#define KEY_FAIL(...)                                                                              \
    do {                                                                                           \
        char what_[128], msg_[512];                                                                \
        nn_spec_what(sp, what_, sizeof what_);                                                     \
        snprintf(msg_, sizeof msg_, __VA_ARGS__);                                                  \
        sc_err_set(NULL, 0, "%s:%d: key '%s' of %s: %s", file, line, nn_key_name(key), what_,    \
                   msg_);                                                                          \
        return -1;                                                                                 \
    } while (0)

int nn_spec_set_key(nn_arch *a, nn_spec *sp, int key, const config_setting_t *v,
                    const char *file, int depth)
{
    const int line = (int)config_setting_source_line(v);
    nn_hp *hp = &sp->hp;
    int pair[2];
    float f;
    switch (key) {
    case NN_K_OUT:
        if (config_setting_type(v) == CONFIG_TYPE_STRING &&
            !strcmp(config_setting_get_string(v), "n_out")) {
            hp->out = NN_OUT_SYMBOLIC;
        } else if (get_int(v, &hp->out) != 0 || hp->out < 1) {
            KEY_FAIL("expected a positive integer or \"n_out\"");
        }
        break;
    case NN_K_KERNEL:
    case NN_K_STRIDE:
    case NN_K_SIZE:
        if (get_pair(v, pair) != 0 || pair[0] < 1 || pair[1] < 1)
            KEY_FAIL("expected a positive integer or a list [h, w] of positive integers");
        memcpy(key == NN_K_KERNEL ? hp->k : key == NN_K_STRIDE ? hp->s : hp->size, pair,
               sizeof pair);
        break;
    case NN_K_PAD:
    case NN_K_OUTPUT_PAD:
        if (get_pair(v, pair) != 0 || pair[0] < 0 || pair[1] < 0)
            KEY_FAIL("expected a non-negative integer or a list [h, w] of them");
        memcpy(key == NN_K_PAD ? hp->p : hp->op, pair, sizeof pair);
        break;
    case NN_K_BIAS:
        if (config_setting_type(v) != CONFIG_TYPE_BOOL) KEY_FAIL("expected true or false");
        hp->bias = config_setting_get_bool(v);
        break;
    case NN_K_ALGO:
        if (config_setting_type(v) != CONFIG_TYPE_STRING ||
            (strcmp(config_setting_get_string(v), "auto") &&
             strcmp(config_setting_get_string(v), "gemm")))
            KEY_FAIL("expected \"auto\" (Winograd for 3x3 stride-1 convolutions) or \"gemm\"");
        hp->algo = !strcmp(config_setting_get_string(v), "gemm");
        break;
    case NN_K_INIT: {
        int k = config_setting_type(v) == CONFIG_TYPE_STRING
                    ? nn_init_find(config_setting_get_string(v))
                    : -1;
        if (k < 0)
            KEY_FAIL("expected one of \"torch\", \"kaiming_normal\", \"xavier_uniform\", "
                     "\"xavier_normal\", \"dcgan\"");
        hp->init = k;
        break;
    }
    case NN_K_EPS:
        if (get_float(v, &f) != 0 || !(f > 0.0f)) KEY_FAIL("expected a positive number");
        hp->eps = f;
        break;
    case NN_K_MOMENTUM:
        if (get_float(v, &f) != 0 || f < 0.0f || f > 1.0f)
            KEY_FAIL("expected a number in [0, 1]");
        hp->momentum = f;
        break;
    case NN_K_SLOPE:
        if (get_float(v, &f) != 0) KEY_FAIL("expected a number");
        hp->slope = f;
        break;
    case NN_K_P:
        if (get_float(v, &f) != 0 || f < 0.0f || f >= 1.0f)
            KEY_FAIL("expected a probability in [0, 1)");
        hp->rate = f;
        break;
    case NN_K_REDUCTION:
        if (get_int(v, &hp->reduction) != 0 || hp->reduction < 1)
            KEY_FAIL("expected a positive integer");
        break;
    case NN_K_BODY:
    case NN_K_SHORTCUT:
    case NN_K_BRANCHES: {
        if (!a) KEY_FAIL("cannot be overridden; edit the base file instead");
        if (!config_setting_is_list(v) && !(config_setting_is_array(v) && config_setting_length(v) == 0))
            KEY_FAIL(key == NN_K_BRANCHES ? "expected a list ( (...), (...) ) of layer lists"
                                          : "expected a list ( {...}, ... ) of layers");
        if (key == NN_K_BRANCHES) {
            int nb = config_setting_length(v);
            if (nb < 1 || nb > NN_MAX_IN) KEY_FAIL("expected 1 to %d branches", NN_MAX_IN);
            sp->sub = sc_xcalloc((size_t)nb, sizeof(nn_spec_list));
            sp->n_sub = nb;
            for (int i = 0; i < nb; i++) {
                const config_setting_t *br = config_setting_get_elem(v, (unsigned)i);
                if (!config_setting_is_list(br) &&
                    !(config_setting_is_array(br) && config_setting_length(br) == 0))
                    KEY_FAIL("branch %d: expected a list ( {...}, ... ) of layers", i + 1);
                if (parse_list(a, br, file, &sp->sub[i], depth + 1) != 0) return -1;
            }
        } else {
            if (!sp->sub) {
                sp->sub = sc_xcalloc(2, sizeof(nn_spec_list));
                sp->n_sub = 2;
            }
            int slot = key == NN_K_BODY ? 0 : 1;
            if (parse_list(a, v, file, &sp->sub[slot], depth + 1) != 0) return -1;
        }
        break;
    }
    default:
        KEY_FAIL("unknown key");
    }
    hp->set |= KB(key);
    return 0;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= NN_NAME_MAX) return 0;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int parse_layer(nn_arch *a, const config_setting_t *g, const char *file, nn_spec *sp,
                       int depth)
{
    int line = (int)config_setting_source_line(g);
    memset(sp, 0, sizeof *sp);
    sp->file = file;
    sp->line = line;
    sp->hp.bias = -1;
    if (!config_setting_is_group(g)) {
        sc_err_set(NULL, 0, "%s:%d: expected a layer group { type = \"...\"; ... }", file, line);
        return -1;
    }
    const config_setting_t *t = config_setting_get_member(g, "type");
    if (!t) {
        sc_err_set(NULL, 0, "%s:%d: layer without a 'type' key", file, line);
        return -1;
    }
    if (config_setting_type(t) != CONFIG_TYPE_STRING) {
        sc_err_set(NULL, 0, "%s:%d: key 'type': expected a string", file,
                   (int)config_setting_source_line(t));
        return -1;
    }
    const char *tn = config_setting_get_string(t);
    sp->type = nn_layer_type_find(tn);
    if (sp->type < 0) {
        char list[512] = "";
        for (int i = 0; i < NN_LT_COUNT; i++) {
            strcat(list, i ? ", " : "");
            strcat(list, type_names[i]);
        }
        sc_err_set(NULL, 0, "%s:%d: key 'type': unknown layer type '%s' (expected one of: %s)",
                   file, (int)config_setting_source_line(t), tn, list);
        return -1;
    }
    const config_setting_t *nm = config_setting_get_member(g, "name");
    if (nm) {
        if (config_setting_type(nm) != CONFIG_TYPE_STRING ||
            !valid_name(config_setting_get_string(nm))) {
            sc_err_set(NULL, 0,
                       "%s:%d: key 'name' of %s layer: expected a string of letters, digits, "
                       "'_' and '-' starting with a letter (at most %d characters)",
                       file, (int)config_setting_source_line(nm), tn, NN_NAME_MAX - 1);
            return -1;
        }
        snprintf(sp->name, sizeof sp->name, "%s", config_setting_get_string(nm));
        sp->named = 1;
    }
    int n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *key = config_setting_name(m);
        if (!strcmp(key, "type") || !strcmp(key, "name")) continue;
        int k = -1;
        for (int j = 0; j < NN_K_COUNT; j++)
            if (!strcmp(key, key_names[j])) k = j;
        if (k < 0 || !nn_key_allowed(sp->type, k)) {
            char what[128], keys[256] = "";
            nn_spec_what(sp, what, sizeof what);
            for (int j = 0; j < NN_K_COUNT; j++) {
                if (!nn_key_allowed(sp->type, j)) continue;
                strcat(keys, ", ");
                strcat(keys, key_names[j]);
            }
            sc_err_set(NULL, 0, "%s:%d: unknown key '%s' for %s (allowed: type, name%s)", file,
                       (int)config_setting_source_line(m), key, what, keys);
            return -1;
        }
        if (nn_spec_set_key(a, sp, k, m, file, depth) != 0) return -1;
    }
    return 0;
}

static int parse_list(nn_arch *a, const config_setting_t *list, const char *file,
                      nn_spec_list *out, int depth)
{
    if (depth > MAX_DEPTH) {
        sc_err_set(NULL, 0, "%s:%d: layer lists nested deeper than %d", file,
                   (int)config_setting_source_line(list), MAX_DEPTH);
        return -1;
    }
    nn_spec_list_free(out);
    int n = config_setting_length(list);
    out->v = sc_xcalloc((size_t)(n > 0 ? n : 1), sizeof(nn_spec));
    for (int i = 0; i < n; i++) {
        if (parse_layer(a, config_setting_get_elem(list, (unsigned)i), file, &out->v[i], depth) !=
            0) {
            out->n = i + 1;
            return -1;
        }
        out->n = i + 1;
    }
    return 0;
}

/* ---- files ---- */

static const char *base_top_keys[] = {"layers", "init", "description", NULL};
static const char *variant_top_keys[] = {"base", "remove", "remove_types", "width", "override",
                                         "init", "description", NULL};

static int check_top_keys(const config_setting_t *root, const char *file, const char **allowed,
                          const char *what)
{
    int n = config_setting_length(root);
    for (int i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(root, (unsigned)i);
        int ok = 0;
        for (int j = 0; allowed[j]; j++) ok |= !strcmp(config_setting_name(m), allowed[j]);
        if (!ok) {
            char list[256] = "";
            for (int j = 0; allowed[j]; j++) {
                strcat(list, j ? ", " : "");
                strcat(list, allowed[j]);
            }
            sc_err_set(NULL, 0, "%s:%d: unknown key '%s' in %s (allowed: %s)", file,
                       (int)config_setting_source_line(m), config_setting_name(m), what, list);
            return -1;
        }
    }
    return 0;
}

static int load(nn_arch *a, const char *path, const char *text, int depth);

/* The file a variant's `base` names: a path relative to the variant's folder, else NAME.cfg
 * next to the variant, else the architecture search path. */
static int find_base(const char *from, const char *base, char *out, size_t size)
{
    char dir[4096] = ".";
    const char *slash = from ? strrchr(from, '/') : NULL;
    if (slash) snprintf(dir, sizeof dir, "%.*s", (int)(slash - from), from);
    if (base[0] != '/') {
        for (int i = 0; i < 2; i++) {
            char cand[4096];
            snprintf(cand, sizeof cand, "%s/%s%s", dir, base, i ? ".cfg" : "");
            if (sc_file_exists(cand)) {
                snprintf(out, size, "%s", cand);
                return 0;
            }
        }
    }
    return nn_arch_resolve(base, NULL, out, size);
}

static int load_root(nn_arch *a, config_setting_t *root, const char *file, int depth)
{
    const config_setting_t *base = config_setting_get_member(root, "base");
    if (base) {
        if (config_setting_type(base) != CONFIG_TYPE_STRING) {
            sc_err_set(NULL, 0, "%s:%d: key 'base': expected the name or path of an "
                       "architecture", file, (int)config_setting_source_line(base));
            return -1;
        }
        if (check_top_keys(root, file, variant_top_keys, "a variant architecture") != 0)
            return -1;
        if (depth >= MAX_DEPTH) {
            sc_err_set(NULL, 0, "%s:%d: key 'base': more than %d levels of bases (a cycle?)",
                       file, (int)config_setting_source_line(base), MAX_DEPTH);
            return -1;
        }
        char bpath[4096];
        if (find_base(file, config_setting_get_string(base), bpath, sizeof bpath) != 0) {
            sc_err_prefix("%s:%d: key 'base'", file, (int)config_setting_source_line(base));
            return -1;
        }
        if (load(a, bpath, NULL, depth + 1) != 0) return -1;
        return nn_arch_apply_variant(a, root, file);
    }
    if (check_top_keys(root, file, base_top_keys, "an architecture") != 0) return -1;
    const config_setting_t *layers = config_setting_get_member(root, "layers");
    if (!layers) {
        sc_err_set(NULL, 0, "%s: no 'layers' list (and no 'base' to vary)", file);
        return -1;
    }
    if (!config_setting_is_list(layers) || config_setting_length(layers) < 1) {
        sc_err_set(NULL, 0, "%s:%d: key 'layers': expected a non-empty list ( {...}, ... )", file,
                   (int)config_setting_source_line(layers));
        return -1;
    }
    const config_setting_t *init = config_setting_get_member(root, "init");
    if (init) {
        int k = config_setting_type(init) == CONFIG_TYPE_STRING
                    ? nn_init_find(config_setting_get_string(init))
                    : -1;
        if (k < 0) {
            sc_err_set(NULL, 0, "%s:%d: key 'init': expected one of \"torch\", "
                       "\"kaiming_normal\", \"xavier_uniform\", \"xavier_normal\", \"dcgan\"",
                       file, (int)config_setting_source_line(init));
            return -1;
        }
        a->init = k;
    }
    const config_setting_t *desc = config_setting_get_member(root, "description");
    if (desc && config_setting_type(desc) != CONFIG_TYPE_STRING) {
        sc_err_set(NULL, 0, "%s:%d: key 'description': expected a string", file,
                   (int)config_setting_source_line(desc));
        return -1;
    }
    if (parse_list(a, layers, file, &a->layers, 0) != 0) return -1;
    return nn_arch_name_layers(a);
}

static int load(nn_arch *a, const char *path, const char *text, int depth)
{
    int rc = -1;
    config_t cfg;
    config_init(&cfg);
    const char *file = nn_arch_intern_file(a, path);
    int ok = text ? config_read_string(&cfg, text) : config_read_file(&cfg, path);
    if (ok != CONFIG_TRUE) {
        if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
            sc_err_set(NULL, 0, "%s: cannot read the architecture file", path);
        else
            sc_err_set(NULL, 0, "%s:%d: %s",
                       config_error_file(&cfg) ? config_error_file(&cfg) : path,
                       config_error_line(&cfg), config_error_text(&cfg));
        goto fail;
    }
    if (load_root(a, config_root_setting(&cfg), file, depth) != 0) goto fail;
    rc = 0;
fail:
    config_destroy(&cfg);
    return rc;
}

int nn_arch_load_file(const char *path, nn_arch *out)
{
    memset(out, 0, sizeof *out);
    out->init = NN_INIT_TORCH;
    size_t len;
    out->text = sc_read_file(path, &len);
    if (!out->text) return -1;
    if (load(out, path, out->text, 0) != 0) {
        nn_arch_free(out);
        return -1;
    }
    return 0;
}

int nn_arch_load_text(const char *text, const char *label, nn_arch *out)
{
    memset(out, 0, sizeof *out);
    out->init = NN_INIT_TORCH;
    out->text = sc_xstrdup(text);
    if (load(out, label, text, 0) != 0) {
        nn_arch_free(out);
        return -1;
    }
    return 0;
}
