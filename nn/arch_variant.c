/* nn/arch_variant.c: variants of an architecture (a file that names a `base` and changes it),
 * the final naming/default pass, and the architecture search path.
 *
 * A variant applies, in this order: `remove` (layers or blocks by name), `remove_types` (every
 * layer of the given types), `width` (scales `out` of every conv, conv_transpose and dense layer
 * except `out = "n_out"`), `override` (per layer name, a group of keys that replace the base's;
 * it comes last so that it is the final word), `init` (the network's default initializer). */
#include "nn/arch.h"

#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/sys.h"

/* Find a layer (or block) by name anywhere in the tree. */
static nn_spec *find_spec(nn_spec_list *l, const char *name, nn_spec_list **owner, int *index)
{
    for (int i = 0; i < l->n; i++) {
        if (!strcmp(l->v[i].name, name)) {
            if (owner) *owner = l;
            if (index) *index = i;
            return &l->v[i];
        }
        for (int j = 0; j < l->v[i].n_sub; j++) {
            nn_spec *s = find_spec(&l->v[i].sub[j], name, owner, index);
            if (s) return s;
        }
    }
    return NULL;
}

static void remove_at(nn_spec_list *l, int i)
{
    nn_spec *sp = &l->v[i];
    for (int j = 0; j < sp->n_sub; j++) nn_spec_list_free(&sp->sub[j]);
    free(sp->sub);
    memmove(&l->v[i], &l->v[i + 1], sizeof(nn_spec) * (size_t)(l->n - i - 1));
    l->n--;
}

static int remove_type(nn_spec_list *l, int type)
{
    int removed = 0;
    for (int i = 0; i < l->n;) {
        if (l->v[i].type == type) {
            remove_at(l, i);
            removed++;
            continue;
        }
        for (int j = 0; j < l->v[i].n_sub; j++) removed += remove_type(&l->v[i].sub[j], type);
        i++;
    }
    return removed;
}

static void scale_width(nn_spec_list *l, double width)
{
    for (int i = 0; i < l->n; i++) {
        nn_spec *sp = &l->v[i];
        if ((sp->type == NN_LT_CONV || sp->type == NN_LT_CONVT || sp->type == NN_LT_DENSE) &&
            (sp->hp.set & (1u << NN_K_OUT)) && sp->hp.out != NN_OUT_SYMBOLIC) {
            long o = lround(sp->hp.out * width);
            sp->hp.out = o < 1 ? 1 : (int)o;
        }
        for (int j = 0; j < sp->n_sub; j++) scale_width(&sp->sub[j], width);
    }
}

static int string_list(const config_setting_t *v, const char *file, const char *key)
{
    int t = config_setting_type(v);
    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) goto bad;
    for (int i = 0; i < config_setting_length(v); i++)
        if (config_setting_type(config_setting_get_elem(v, (unsigned)i)) != CONFIG_TYPE_STRING)
            goto bad;
    return 0;
bad:
    sc_err_set(NULL, 0, "%s:%d: key '%s': expected a list [\"...\", ...] of strings", file,
               (int)config_setting_source_line(v), key);
    return -1;
}

int nn_arch_apply_variant(nn_arch *a, const config_setting_t *root, const char *file)
{
    const config_setting_t *v;
    if ((v = config_setting_get_member(root, "remove"))) {
        if (string_list(v, file, "remove") != 0) return -1;
        for (int i = 0; i < config_setting_length(v); i++) {
            const char *name = config_setting_get_string_elem(v, i);
            nn_spec_list *owner;
            int idx;
            if (!find_spec(&a->layers, name, &owner, &idx)) {
                sc_err_set(NULL, 0, "%s:%d: key 'remove': no layer named '%s' in the base", file,
                           (int)config_setting_source_line(v), name);
                return -1;
            }
            remove_at(owner, idx);
        }
    }
    if ((v = config_setting_get_member(root, "remove_types"))) {
        if (string_list(v, file, "remove_types") != 0) return -1;
        for (int i = 0; i < config_setting_length(v); i++) {
            const char *tn = config_setting_get_string_elem(v, i);
            int type = nn_layer_type_find(tn);
            if (type < 0) {
                sc_err_set(NULL, 0, "%s:%d: key 'remove_types': unknown layer type '%s'", file,
                           (int)config_setting_source_line(v), tn);
                return -1;
            }
            if (remove_type(&a->layers, type) == 0) {
                sc_err_set(NULL, 0, "%s:%d: key 'remove_types': the base has no %s layer", file,
                           (int)config_setting_source_line(v), tn);
                return -1;
            }
        }
    }
    if ((v = config_setting_get_member(root, "width"))) {
        int t = config_setting_type(v);
        double w = t == CONFIG_TYPE_FLOAT ? config_setting_get_float(v)
                   : (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
                       ? (double)config_setting_get_int64(v)
                       : -1.0;
        if (!(w > 0.0) || !isfinite(w) || w > 64.0) {
            sc_err_set(NULL, 0, "%s:%d: key 'width': expected a number in (0, 64]", file,
                       (int)config_setting_source_line(v));
            return -1;
        }
        scale_width(&a->layers, w);
    }
    if ((v = config_setting_get_member(root, "override"))) {
        if (!config_setting_is_group(v)) {
            sc_err_set(NULL, 0, "%s:%d: key 'override': expected a group { LAYER = { KEY = "
                       "VALUE; ... }; ... }", file, (int)config_setting_source_line(v));
            return -1;
        }
        for (int i = 0; i < config_setting_length(v); i++) {
            const config_setting_t *g = config_setting_get_elem(v, (unsigned)i);
            const char *name = config_setting_name(g);
            int line = (int)config_setting_source_line(g);
            nn_spec *sp = find_spec(&a->layers, name, NULL, NULL);
            if (!sp) {
                sc_err_set(NULL, 0, "%s:%d: key 'override': no layer named '%s' in the base",
                           file, line, name);
                return -1;
            }
            if (!config_setting_is_group(g)) {
                sc_err_set(NULL, 0, "%s:%d: override of '%s': expected a group { KEY = VALUE; "
                           "... }", file, line, name);
                return -1;
            }
            for (int j = 0; j < config_setting_length(g); j++) {
                const config_setting_t *m = config_setting_get_elem(g, (unsigned)j);
                const char *key = config_setting_name(m);
                int k = -1;
                for (int q = 0; q < NN_K_COUNT; q++)
                    if (!strcmp(key, nn_key_name(q))) k = q;
                if (k < 0 || !nn_key_allowed(sp->type, k)) {
                    char what[128];
                    nn_spec_what(sp, what, sizeof what);
                    sc_err_set(NULL, 0, "%s:%d: override of '%s': unknown key '%s' for %s", file,
                               (int)config_setting_source_line(m), name, key, what);
                    return -1;
                }
                /* No arch: nested lists cannot be overridden (the key setter says so). */
                if (nn_spec_set_key(NULL, sp, k, m, file, 0) != 0) return -1;
            }
        }
    }
    if ((v = config_setting_get_member(root, "init"))) {
        int k = config_setting_type(v) == CONFIG_TYPE_STRING
                    ? nn_init_find(config_setting_get_string(v))
                    : -1;
        if (k < 0) {
            sc_err_set(NULL, 0, "%s:%d: key 'init': expected one of \"torch\", "
                       "\"kaiming_normal\", \"xavier_uniform\", \"xavier_normal\", \"dcgan\"",
                       file, (int)config_setting_source_line(v));
            return -1;
        }
        a->init = k;
    }
    if (a->layers.n == 0) {
        sc_err_set(NULL, 0, "%s: the variant removes every layer", file);
        return -1;
    }
    return 0;
}

/* ---- finalize ---- */

typedef struct {
    const nn_spec *v[4096];
    int n;
} name_set;

static int collect_names(const nn_spec_list *l, name_set *s)
{
    for (int i = 0; i < l->n; i++) {
        const nn_spec *sp = &l->v[i];
        if (sp->name[0]) {
            for (int j = 0; j < s->n; j++) {
                if (!strcmp(s->v[j]->name, sp->name)) {
                    sc_err_set(NULL, 0, "%s:%d: layer name '%s' is already used at %s:%d",
                               sp->file, sp->line, sp->name, s->v[j]->file, s->v[j]->line);
                    return -1;
                }
            }
            if (s->n >= (int)(sizeof s->v / sizeof s->v[0])) {
                sc_err_set(NULL, 0, "%s:%d: too many layers", sp->file, sp->line);
                return -1;
            }
            s->v[s->n++] = sp;
        }
        for (int j = 0; j < sp->n_sub; j++)
            if (collect_names(&sp->sub[j], s) != 0) return -1;
    }
    return 0;
}

static int name_taken(const name_set *s, const char *name)
{
    for (int j = 0; j < s->n; j++)
        if (!strcmp(s->v[j]->name, name)) return 1;
    return 0;
}

#define HAS(k) (hp->set & (1u << (k)))

static void name_list(nn_spec_list *l, const name_set *names, int *counters)
{
    for (int i = 0; i < l->n; i++) {
        nn_spec *sp = &l->v[i];
        if (!sp->name[0]) {
            do snprintf(sp->name, sizeof sp->name, "%s%d", nn_layer_type_name(sp->type),
                        ++counters[sp->type]);
            while (name_taken(names, sp->name));
        }
        for (int j = 0; j < sp->n_sub; j++) name_list(&sp->sub[j], names, counters);
    }
}

int nn_arch_name_layers(nn_arch *a)
{
    name_set *names = sc_xcalloc(1, sizeof *names);
    int counters[NN_LT_COUNT] = {0};
    int rc = collect_names(&a->layers, names);
    if (rc == 0) name_list(&a->layers, names, counters);
    free(names);
    return rc;
}

static int finalize_list(nn_spec_list *l, int n_out)
{
    for (int i = 0; i < l->n; i++) {
        nn_spec *sp = &l->v[i];
        nn_hp *hp = &sp->hp;
        const char *need = NULL;
        switch (sp->type) {
        case NN_LT_CONV:
        case NN_LT_CONVT:
        case NN_LT_DENSE:
            if (!HAS(NN_K_OUT)) need = "out";
            else if (sp->type != NN_LT_DENSE && !HAS(NN_K_KERNEL)) need = "kernel";
            if (hp->out == NN_OUT_SYMBOLIC) hp->out = n_out;
            if (!HAS(NN_K_STRIDE)) hp->s[0] = hp->s[1] = 1;
            if (hp->bias < 0) hp->bias = !(i + 1 < l->n && l->v[i + 1].type == NN_LT_BN);
            break;
        case NN_LT_MAXPOOL:
        case NN_LT_AVGPOOL:
            if (!HAS(NN_K_KERNEL)) need = "kernel";
            if (!HAS(NN_K_STRIDE)) memcpy(hp->s, hp->k, sizeof hp->s);
            break;
        case NN_LT_BN:
            if (!HAS(NN_K_EPS)) hp->eps = 1e-5f;
            if (!HAS(NN_K_MOMENTUM)) hp->momentum = 0.1f;
            break;
        case NN_LT_LRELU:
            if (!HAS(NN_K_SLOPE)) hp->slope = 0.01f;
            break;
        case NN_LT_DROPOUT:
            if (!HAS(NN_K_P)) hp->rate = 0.5f;
            break;
        case NN_LT_ADAPTIVE_AVGPOOL:
            if (!HAS(NN_K_SIZE)) need = "size";
            break;
        case NN_LT_CBAM:
            if (!HAS(NN_K_REDUCTION)) hp->reduction = 16;
            if (!HAS(NN_K_KERNEL)) hp->k[0] = hp->k[1] = 7;
            if (hp->bias < 0) hp->bias = 1;
            break;
        case NN_LT_RESIDUAL:
            if (!HAS(NN_K_BODY)) need = "body";
            break;
        case NN_LT_CONCAT:
            if (!HAS(NN_K_BRANCHES)) need = "branches";
            break;
        default:
            break;
        }
        if (need) {
            char what[128];
            nn_spec_what(sp, what, sizeof what);
            sc_err_set(NULL, 0, "%s:%d: %s: missing key '%s'", sp->file, sp->line, what, need);
            return -1;
        }
        for (int j = 0; j < sp->n_sub; j++)
            if (finalize_list(&sp->sub[j], n_out) != 0) return -1;
    }
    return 0;
}

int nn_arch_finalize(nn_arch *a, int n_out)
{
    if (nn_arch_name_layers(a) != 0) return -1; /* checks names again after variants */
    return finalize_list(&a->layers, n_out);
}

/* ---- search path ---- */

static int try_dir(const char *dir, const char *name, char *out, size_t size)
{
    char cand[4096];
    int n = snprintf(cand, sizeof cand, "%s/%s.cfg", dir, name);
    if (n < 0 || (size_t)n >= sizeof cand || !sc_file_exists(cand)) return 0;
    if ((size_t)n >= size) return 0;
    memcpy(out, cand, (size_t)n + 1);
    return 1;
}

int nn_arch_resolve(const char *name, const char *dir, char *out, size_t size)
{
    char tried[2048] = "";
    if (strchr(name, '/') || strstr(name, ".cfg")) {
        if (sc_file_exists(name) && strlen(name) < size) {
            snprintf(out, size, "%s", name);
            return 0;
        }
    }
    const char *env = getenv("SPECTCV_ARCH_PATH");
    if (env && *env) {
        char *copy = sc_xstrdup(env), *save = NULL;
        for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
            if (try_dir(d, name, out, size)) {
                free(copy);
                return 0;
            }
        }
        free(copy);
        strcat(tried, "$SPECTCV_ARCH_PATH, ");
    }
    if (dir && try_dir(dir, name, out, size)) return 0;
    if (dir) snprintf(tried + strlen(tried), sizeof tried - strlen(tried), "%.900s, ", dir);
    if (try_dir("configs/archs", name, out, size)) return 0;
    strcat(tried, "./configs/archs, ");
    /* Next to the binary: its source tree (./spectcv built in place and run from another
     * folder), then the installed layout: PREFIX/bin/spectcv, PREFIX/share/spectcv/configs/archs. */
    char exe[2048];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *const beside[] = {"%s/configs/archs", "%s/../share/spectcv/configs/archs"};
            for (int i = 0; i < 2; i++) {
                char d[4096];
                snprintf(d, sizeof d, beside[i], exe);
                if (try_dir(d, name, out, size)) return 0;
                snprintf(tried + strlen(tried), sizeof tried - strlen(tried), "%s%.1000s",
                         i ? ", " : "", d);
            }
        }
    }
    sc_err_set(NULL, 0, "architecture '%s' not found (looked for %s.cfg in: %s)", name, name,
               tried);
    return -1;
}
