/* pipeline/experiment.c: the experiment's loader, the experiment file (see docs/config.md for
 * every key) into an sc_experiment (the type and its free function: jobs/experiment.{h,c}).
 *
 *   name = "demo";
 *   seed = 20211;
 *   data = { path = "../demo/phantom.h5"; size = [256, 64]; normalize = "mean"; };
 *   folds = { k = 5; repeats = 1; stratify = true; group = "patient"; };
 *   architectures = ["dspic", "alexnet"];
 *   augmentations = ["original", "geometric"];
 *   geometric = { copies = 4; mirror = true; shift = 0.025; rotate = 5.0; };
 *   train = { epochs = 10; batch = 16; optimizer = "adam"; lr = 1e-3; };
 *   report = { threshold = 0.5; confidence = 0.95; };
 */
#include "pipeline/experiment.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "results/results.h"
#include "results/summary.h"
#include "util/cfg.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/sys.h"

/* Every key an experiment file may hold, per group: the loaders below accept these and no
 * other (cfg_check_keys), and sc_experiment_key_groups lists them so that a test can hold
 * docs/config.md's table to them (`spectcv --list-config-keys`, tests/integration/t_docs.sh). */
static const char *const root_keys[] = {"name", "seed", "data", "folds", "architectures",
                                        "arch_dir", "augmentations", "exclude", "geometric", "gan",
                                        "train", "train_by_arch", "report", NULL};
static const char *const data_keys[] = {"path", "size", "normalize", "labels", "views", NULL};
static const char *const folds_keys[] = {"k", "repeats", "stratify", "group", NULL};
static const char *const exclude_keys[] = {"augmentation", "architecture", NULL};
static const char *const geometric_keys[] = {"copies", "mirror", "shift", "rotate", "scale",
                                             "thin", NULL};
static const char *const gan_keys[] = {"generator", "discriminator", "z", "epochs", "batch", "lr",
                                       "beta1", "beta2", "real_target", "mismatch",
                                       "samples_per_set", "examples", NULL};
static const char *const train_keys[] = {"epochs", "threads", "batch", "optimizer", "lr",
                                         "momentum", "nesterov", "beta1", "beta2", "eps",
                                         "weight_decay", "schedule", "step_size", "gamma", "clip",
                                         "pos_weight", "validation", "patience", "select", NULL};
/* The keys of a `train` group that may also appear in a train_by_arch group. */
static const char *const train_arch_keys[] = {"batch", "optimizer", "lr", "momentum",
                                              "nesterov", "beta1", "beta2", "eps",
                                              "weight_decay", "schedule", "step_size", "gamma",
                                              "clip", "pos_weight", "patience", "select", NULL};
static const char *const report_keys[] = {"threshold", "confidence", "bootstrap", NULL};

static const sc_key_group key_groups[] = {
    {"", root_keys},
    {"data.", data_keys},
    {"folds.", folds_keys},
    {"exclude.", exclude_keys}, /* each group of the exclude list */
    {"geometric.", geometric_keys},
    {"gan.", gan_keys},
    {"train.", train_keys},
    {"train_by_arch.NAME.", train_arch_keys},
    {"report.", report_keys},
    {NULL, NULL},
};

const sc_key_group *sc_experiment_key_groups(void) { return key_groups; }

/* dir of `file` joined with `rel`, unless rel is absolute. */
static int resolve(const char *file, const char *rel, char *out, size_t n)
{
    if (rel[0] == '/') {
        if (strlen(rel) >= n) goto toolong;
        strcpy(out, rel);
        return 0;
    }
    char tmp[SC_PATH_MAX];
    if (strlen(file) >= sizeof tmp) goto toolong;
    strcpy(tmp, file);
    const char *dir = dirname(tmp);
    if ((size_t)snprintf(out, n, "%s/%s", dir, rel) >= n) goto toolong;
    return 0;
toolong:
    sc_err_set(NULL, 0, "%s: path too long", rel);
    return -1;
}

/* An array of strings: each non-empty, at most `width` chars (< SC_NAME_MAX), no duplicates. */
static int get_names(const config_setting_t *root, const char *key, int required, int max,
                     int width, char names[][SC_NAME_MAX], int *count)
{
    int err;
    config_setting_t *s = cfg_member(root, key, CONFIG_TYPE_ARRAY, required, &err);
    if (!s) return err ? -1 : 0;
    int n = config_setting_length(s);
    SC_CHECK(n >= 1 && n <= max, "%s: %s: expected 1 to %d names, got %d", cfg_where(s), key, max,
             n);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        SC_CHECK(config_setting_type(e) == CONFIG_TYPE_STRING, "%s: %s: expected strings",
                 cfg_where(s), key);
        const char *v = config_setting_get_string(e);
        SC_CHECK(v[0] && strlen(v) <= (size_t)width, "%s: %s[%d]: expected a name of 1 to %d "
                 "characters, got %zu%s", cfg_where(s), key, i, width, strlen(v),
                 width == SC_ROW_NAME - 1 ? " (the width of a name in the results file's job "
                 "table, where longer names would be cut and could merge)" : "");
        for (int j = 0; j < i; j++)
            SC_CHECK(strcmp(names[j], v), "%s: %s: '%s' is listed twice", cfg_where(s), key, v);
        strcpy(names[i], v);
    }
    *count = n;
    return 0;
fail:
    return -1;
}

static int load_data(const config_setting_t *root, const char *path, const char *override,
                     sc_experiment *e)
{
    int err;
    config_setting_t *g = cfg_member(root, "data", CONFIG_TYPE_GROUP, 1, &err);
    if (!g) return -1;
    SC_TRY(cfg_check_keys(g, data_keys));
    char rel[SC_PATH_MAX] = "";
    SC_TRY(cfg_get_string(g, "path", override == NULL, rel, sizeof rel));
    if (override) {
        SC_CHECK(strlen(override) < SC_PATH_MAX, "--data: path too long");
        strcpy(e->data_path, override);
    } else {
        SC_TRY(resolve(path, rel, e->data_path, sizeof e->data_path));
    }
    config_setting_t *size = cfg_member(g, "size", CONFIG_TYPE_ARRAY, 1, &err);
    if (!size) return -1;
    SC_CHECK(config_setting_length(size) == 2, "%s: data.size: expected [height, width]",
             cfg_where(size));
    for (int i = 0; i < 2; i++) {
        const config_setting_t *d = config_setting_get_elem(size, (unsigned)i);
        SC_CHECK(config_setting_type(d) == CONFIG_TYPE_INT, "%s: data.size: expected integers",
                 cfg_where(size));
        int v = config_setting_get_int(d);
        SC_CHECK(v >= 8 && v <= 8192, "%s: data.size[%d]: expected 8 to 8192 pixels, got %d",
                 cfg_where(size), i, v);
        if (i == 0) e->in_h = v;
        else e->in_w = v;
    }
    static const char *const norms[] = {"none", "mean", "max", "log", NULL};
    int norm = SC_NORM_MEAN;
    SC_TRY(cfg_get_choice(g, "normalize", 0, norms, &norm));
    e->norm = (sc_norm)norm;
    SC_TRY(get_names(g, "labels", 0, SC_DS_MAX_LABELS, SC_NAME_MAX - 1, e->labels_used,
                     &e->n_labels_used));
    SC_TRY(get_names(g, "views", 0, 16, SC_NAME_MAX - 1, e->views_used, &e->n_views_used));
    return 0;
fail:
    return -1;
}

/* folds.stratify: true (powerset, rare label sets iteratively), false, "powerset" (strict) or
 * "iterative". */
static int load_stratify(const config_setting_t *g, int *out)
{
    const config_setting_t *s = config_setting_get_member(g, "stratify");
    if (!s) return 0;
    if (config_setting_type(s) == CONFIG_TYPE_BOOL) return cfg_get_bool(g, "stratify", 0, out);
    const char *v = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s)
                                                                 : NULL;
    if (v && !strcmp(v, "powerset")) *out = SC_STRATIFY_POWERSET;
    else if (v && !strcmp(v, "iterative")) *out = SC_STRATIFY_ITERATIVE;
    else {
        char got[96];
        if (v) snprintf(got, sizeof got, "\"%.80s\"", v);
        else snprintf(got, sizeof got, "%s", cfg_type_name(config_setting_type(s)));
        sc_err_set(NULL, 0, "%s: folds.stratify: expected true, false, \"powerset\" or "
                   "\"iterative\", got %s", cfg_where(s), got);
        return -1;
    }
    return 0;
}

static int load_folds(const config_setting_t *root, sc_experiment *e)
{
    static const char *const groups[] = {"none", "patient", NULL};
    int err;
    e->folds = (sc_fold_cfg){.k = 5, .repeats = 1, .stratify = SC_STRATIFY_AUTO, .by_patient = 1};
    config_setting_t *g = cfg_member(root, "folds", CONFIG_TYPE_GROUP, 0, &err);
    if (!g) return err ? -1 : 0;
    SC_TRY(cfg_check_keys(g, folds_keys));
    SC_TRY(cfg_get_int(g, "k", 0, 2, 1000, &e->folds.k));
    SC_TRY(cfg_get_int(g, "repeats", 0, 1, 1000, &e->folds.repeats));
    SC_TRY(load_stratify(g, &e->folds.stratify));
    SC_TRY(cfg_get_choice(g, "group", 0, groups, &e->folds.by_patient));
    return 0;
fail:
    return -1;
}

static int load_geometric(const config_setting_t *root, sc_experiment *e)
{
    int err;
    aug_geo_defaults(&e->geometric);
    config_setting_t *g = cfg_member(root, "geometric", CONFIG_TYPE_GROUP, 0, &err);
    if (!g) return err ? -1 : 0;
    SC_TRY(cfg_check_keys(g, geometric_keys));
    double shift = e->geometric.shift, rot = e->geometric.rotate_deg, sc = e->geometric.scale;
    double thin = e->geometric.thin;
    SC_TRY(cfg_get_int(g, "copies", 0, 0, 100, &e->geometric.copies));
    SC_TRY(cfg_get_bool(g, "mirror", 0, &e->geometric.mirror));
    SC_TRY(cfg_get_double(g, "shift", 0, 0.0, 0.5, &shift));
    SC_TRY(cfg_get_double(g, "rotate", 0, 0.0, 45.0, &rot));
    SC_TRY(cfg_get_double(g, "scale", 0, 0.0, 0.5, &sc));
    SC_TRY(cfg_get_double(g, "thin", 0, 0.0, 1.0, &thin));
    e->geometric.shift = (float)shift;
    e->geometric.rotate_deg = (float)rot;
    e->geometric.scale = (float)sc;
    e->geometric.thin = (float)thin;
    return 0;
fail:
    return -1;
}

/* Fill t from group g over its current values (defaults or the global `train`). */
static int load_train_cfg(const config_setting_t *g, sc_train_cfg *t)
{
    static const char *const opts[] = {"sgd", "adam", "adamw", NULL};
    static const char *const scheds[] = {"constant", "step", "cosine", NULL};
    static const char *const posw[] = {"none", "balanced", NULL};
    static const char *const selects[] = {"loss", "f1", NULL};
    SC_TRY(cfg_get_int(g, "batch", 0, 1, 4096, &t->batch));
    SC_TRY(cfg_get_int(g, "patience", 0, 0, 100000, &t->patience));
    int sel = (int)t->select;
    SC_TRY(cfg_get_choice(g, "select", 0, selects, &sel));
    t->select = (sc_select_mode)sel;
    int kind = (int)t->optim.kind, sched = (int)t->optim.schedule, pw = (int)t->pos_weight;
    SC_TRY(cfg_get_choice(g, "optimizer", 0, opts, &kind));
    SC_TRY(cfg_get_choice(g, "schedule", 0, scheds, &sched));
    SC_TRY(cfg_get_choice(g, "pos_weight", 0, posw, &pw));
    t->optim.kind = (nn_opt_kind)kind;
    t->optim.schedule = (nn_sched_kind)sched;
    t->pos_weight = (sc_posw_mode)pw;
    nn_optim_cfg *o = &t->optim;
    double lr = o->lr, mom = o->momentum, b1 = o->beta1, b2 = o->beta2, eps = o->eps;
    double wd = o->weight_decay, gamma = o->gamma, clip = o->clip_norm;
    SC_TRY(cfg_get_double(g, "lr", 0, 1e-12, 10.0, &lr));
    SC_TRY(cfg_get_double(g, "momentum", 0, 0.0, 0.999999, &mom));
    SC_TRY(cfg_get_bool(g, "nesterov", 0, &o->nesterov));
    SC_TRY(cfg_get_double(g, "beta1", 0, 0.0, 0.999999, &b1));
    SC_TRY(cfg_get_double(g, "beta2", 0, 0.0, 0.999999999, &b2));
    SC_TRY(cfg_get_double(g, "eps", 0, 1e-20, 1.0, &eps));
    SC_TRY(cfg_get_double(g, "weight_decay", 0, 0.0, 10.0, &wd));
    SC_TRY(cfg_get_int(g, "step_size", 0, 1, 100000, &o->step_size));
    SC_TRY(cfg_get_double(g, "gamma", 0, 0.0, 1.0, &gamma));
    SC_TRY(cfg_get_double(g, "clip", 0, 0.0, 1e9, &clip));
    o->lr = (float)lr;
    o->momentum = (float)mom;
    o->beta1 = (float)b1;
    o->beta2 = (float)b2;
    o->eps = (float)eps;
    o->weight_decay = (float)wd;
    o->gamma = (float)gamma;
    o->clip_norm = (float)clip;
    SC_CHECK(!o->nesterov || (o->kind == NN_OPT_SGD && o->momentum > 0),
             "%s: %s.nesterov: needs optimizer = \"sgd\" and momentum > 0", cfg_where(g),
             cfg_path(g));
    return 0;
fail:
    return -1;
}

static int load_train(const config_setting_t *root, sc_experiment *e)
{
    int err;
    e->epochs = 10;
    e->validation = 0.0;
    e->threads = 1;
    e->train.batch = 16;
    nn_optim_defaults(&e->train.optim);
    e->train.pos_weight = SC_POSW_NONE;
    config_setting_t *g = cfg_member(root, "train", CONFIG_TYPE_GROUP, 0, &err);
    if (err) return -1;
    if (g) {
        SC_TRY(cfg_check_keys(g, train_keys));
        SC_TRY(cfg_get_int(g, "epochs", 0, 1, 100000, &e->epochs));
        SC_TRY(cfg_get_int(g, "threads", 0, 1, 1024, &e->threads));
        SC_TRY(cfg_get_double(g, "validation", 0, 0.0, 0.5, &e->validation));
        SC_TRY(load_train_cfg(g, &e->train));
    }
    for (int m = 0; m < e->n_arch; m++) e->arch[m].train = e->train;
    /* train_by_arch = { alexnet = { lr = 0.0001; }; }: per-architecture overrides. */
    config_setting_t *by = cfg_member(root, "train_by_arch", CONFIG_TYPE_GROUP, 0, &err);
    if (err) return -1;
    int n = by ? config_setting_length(by) : 0;
    for (int i = 0; i < n; i++) {
        config_setting_t *o = config_setting_get_elem(by, (unsigned)i);
        const char *name = config_setting_name(o);
        int m = -1;
        for (int k = 0; k < e->n_arch; k++)
            if (!strcmp(e->arch[k].name, name)) m = k;
        SC_CHECK(m >= 0, "%s: train_by_arch.%s: '%s' is not in architectures", cfg_where(o), name,
                 name);
        SC_CHECK(config_setting_type(o) == CONFIG_TYPE_GROUP,
                 "%s: train_by_arch.%s: expected a group { ... }, found %s", cfg_where(o), name,
                 cfg_type_name(config_setting_type(o)));
        SC_TRY(cfg_check_keys(o, train_arch_keys));
        SC_TRY(load_train_cfg(o, &e->arch[m].train));
    }
    /* patience and select mean nothing without validation patients: say so, not ignore them */
    const config_setting_t *set = g ? config_setting_get_member(g, "patience") : NULL;
    if (!set && g) set = config_setting_get_member(g, "select");
    for (int i = 0; !set && i < n; i++) {
        const config_setting_t *o = config_setting_get_elem(by, (unsigned)i);
        set = config_setting_get_member(o, "patience");
        if (!set) set = config_setting_get_member(o, "select");
    }
    SC_CHECK(!set || e->validation > 0, "%s: %s: needs train.validation > 0 (the epochs are "
             "chosen on validation patients)", cfg_where(set), cfg_path(set));
    return 0;
fail:
    return -1;
}

static int load_report(const config_setting_t *root, sc_experiment *e)
{
    int err;
    e->threshold = 0.5;
    e->confidence = 0.95;
    e->bootstrap = 2000;
    config_setting_t *g = cfg_member(root, "report", CONFIG_TYPE_GROUP, 0, &err);
    if (!g) return err ? -1 : 0;
    SC_TRY(cfg_check_keys(g, report_keys));
    SC_TRY(cfg_get_double(g, "threshold", 0, 0.0, 1.0, &e->threshold));
    SC_TRY(cfg_get_double(g, "confidence", 0, 0.5, 0.9999, &e->confidence));
    SC_TRY(cfg_get_int(g, "bootstrap", 0, INT_MIN, INT_MAX, &e->bootstrap));
    const config_setting_t *b = config_setting_get_member(g, "bootstrap");
    if (b && sc_summary_bootstrap_check(e->bootstrap)) {
        sc_err_prefix("%s: report.bootstrap", cfg_where(b));
        return -1;
    }
    return 0;
fail:
    return -1;
}

/* "original", "synthetic", or components "geometric" and "gan" joined by '+'. */
static int parse_aug(const char *name, const char *where, int i, sc_aug *a)
{
    a->real = 1, a->geometric = 0, a->gan = 0;
    if (!strcmp(name, "original")) return 0;
    if (!strcmp(name, "synthetic")) {
        a->real = 0, a->gan = 1;
        return 0;
    }
    char buf[SC_NAME_MAX];
    strcpy(buf, name);
    char *save = NULL;
    for (char *tok = strtok_r(buf, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
        int *flag = !strcmp(tok, "geometric") ? &a->geometric : !strcmp(tok, "gan") ? &a->gan : NULL;
        SC_CHECK(flag, "%s: augmentations[%d]: unknown augmentation '%s' in '%s' (expected "
                 "\"original\", \"geometric\", \"gan\", both joined by '+' as "
                 "\"geometric+gan\", or \"synthetic\")", where, i, tok, name);
        SC_CHECK(!*flag, "%s: augmentations[%d]: '%s' names '%s' twice", where, i, name, tok);
        *flag = 1;
    }
    SC_CHECK(a->geometric || a->gan, "%s: augmentations[%d]: '%s' names no augmentation", where,
             i, name);
    return 0;
fail:
    return -1;
}

static int load_lists(const config_setting_t *root, const char *path, sc_experiment *e,
                      char *arch_dir)
{
    char names[SC_MAX_ARCHS][SC_NAME_MAX];
    int n = 0;
    SC_TRY(get_names(root, "architectures", 1, SC_MAX_ARCHS, SC_ROW_NAME - 1, names, &n));
    char rel[SC_PATH_MAX];
    int err;
    if (cfg_member(root, "arch_dir", CONFIG_TYPE_STRING, 0, &err)) {
        SC_TRY(cfg_get_string(root, "arch_dir", 0, rel, sizeof rel));
        SC_TRY(resolve(path, rel, arch_dir, SC_PATH_MAX));
    } else if (err) {
        return -1;
    } else {
        SC_TRY(resolve(path, "archs", arch_dir, SC_PATH_MAX));
    }
    const config_setting_t *list = config_setting_get_member(root, "architectures");
    e->n_arch = n;
    for (int i = 0; i < n; i++) {
        strcpy(e->arch[i].name, names[i]);
        if (nn_arch_resolve(names[i], arch_dir, e->arch[i].path, sizeof e->arch[i].path)) {
            sc_err_prefix("%s: architectures[%d]", cfg_where(list), i);
            return -1;
        }
    }
    e->n_aug = 1;
    strcpy(e->aug[0].name, "original");
    e->aug[0].real = 1;
    n = 0;
    SC_TRY(get_names(root, "augmentations", 0, SC_MAX_AUGS, SC_ROW_NAME - 1, names, &n));
    if (n == 0) return 0;
    list = config_setting_get_member(root, "augmentations");
    e->n_aug = n;
    for (int i = 0; i < n; i++) {
        strcpy(e->aug[i].name, names[i]);
        SC_TRY(parse_aug(names[i], cfg_where(list), i, &e->aug[i]));
        for (int j = 0; j < i; j++)
            SC_CHECK(e->aug[j].real != e->aug[i].real || e->aug[j].geometric != e->aug[i].geometric ||
                         e->aug[j].gan != e->aug[i].gan,
                     "%s: augmentations[%d]: '%s' is the same augmentation as '%s'",
                     cfg_where(list), i, names[i], names[j]);
    }
    return 0;
fail:
    return -1;
}

/* exclude = ( { augmentation = "synthetic"; architecture = "alexnet"; }, ... ): cells of the
 * augmentations x architectures product that the sweep leaves out. */
static int load_exclude(const config_setting_t *root, sc_experiment *e)
{
    int err;
    config_setting_t *list = cfg_member(root, "exclude", CONFIG_TYPE_LIST, 0, &err);
    if (!list) return err ? -1 : 0;
    const int n = config_setting_length(list);
    for (int i = 0; i < n; i++) {
        config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        SC_CHECK(config_setting_type(g) == CONFIG_TYPE_GROUP, "%s: exclude[%d]: expected a group "
                 "{ augmentation = \"...\"; architecture = \"...\"; }", cfg_where(g), i);
        SC_TRY(cfg_check_keys(g, exclude_keys));
        char aug[SC_NAME_MAX], arch[SC_NAME_MAX];
        SC_TRY(cfg_get_string(g, "augmentation", 1, aug, sizeof aug));
        SC_TRY(cfg_get_string(g, "architecture", 1, arch, sizeof arch));
        int a = -1, m = -1;
        for (int k = 0; k < e->n_aug; k++)
            if (!strcmp(e->aug[k].name, aug)) a = k;
        for (int k = 0; k < e->n_arch; k++)
            if (!strcmp(e->arch[k].name, arch)) m = k;
        SC_CHECK(a >= 0, "%s: exclude[%d].augmentation: '%s' is not in augmentations",
                 cfg_where(g), i, aug);
        SC_CHECK(m >= 0, "%s: exclude[%d].architecture: '%s' is not in architectures",
                 cfg_where(g), i, arch);
        e->excluded[a] |= 1u << m;
    }
    for (int a = 0; a < e->n_aug; a++)
        SC_CHECK(e->excluded[a] != (1u << e->n_arch) - 1, "%s: exclude leaves no architecture for "
                 "augmentation '%s' (remove it from augmentations instead)", cfg_where(list),
                 e->aug[a].name);
    return 0;
fail:
    return -1;
}

/* The `gan` group (docs/config.md): read whenever present, used when an augmentation needs it. */
static int load_gan(const config_setting_t *root, const char *arch_dir, sc_experiment *e)
{
    int err;
    sc_gan_cfg *g = &e->gan;
    strcpy(g->g_name, "gan_g");
    strcpy(g->d_name, "gan_d");
    aug_gan_defaults(&g->train);
    g->samples_per_set = 0;
    g->examples = 4;
    config_setting_t *grp = cfg_member(root, "gan", CONFIG_TYPE_GROUP, 0, &err);
    if (err) return -1;
    if (grp) {
        SC_TRY(cfg_check_keys(grp, gan_keys));
        SC_TRY(cfg_get_string(grp, "generator", 0, g->g_name, sizeof g->g_name));
        SC_TRY(cfg_get_string(grp, "discriminator", 0, g->d_name, sizeof g->d_name));
        SC_TRY(cfg_get_int(grp, "z", 0, 1, 4096, &g->train.z));
        SC_TRY(cfg_get_int(grp, "epochs", 0, 1, 100000, &g->train.epochs));
        SC_TRY(cfg_get_int(grp, "batch", 0, 2, 4096, &g->train.batch));
        double lr = g->train.optim.lr, b1 = g->train.optim.beta1, b2 = g->train.optim.beta2;
        double rt = g->train.real_target;
        SC_TRY(cfg_get_double(grp, "lr", 0, 1e-12, 10.0, &lr));
        SC_TRY(cfg_get_double(grp, "beta1", 0, 0.0, 0.999999, &b1));
        SC_TRY(cfg_get_double(grp, "beta2", 0, 0.0, 0.999999999, &b2));
        SC_TRY(cfg_get_double(grp, "real_target", 0, 0.5, 1.0, &rt));
        g->train.optim.lr = (float)lr;
        g->train.optim.beta1 = (float)b1;
        g->train.optim.beta2 = (float)b2;
        g->train.real_target = (float)rt;
        SC_TRY(cfg_get_bool(grp, "mismatch", 0, &g->train.mismatch));
        SC_TRY(cfg_get_int(grp, "samples_per_set", 0, 0, 10000000, &g->samples_per_set));
        SC_TRY(cfg_get_int(grp, "examples", 0, 1, 64, &g->examples));
        if (aug_gan_check(&g->train)) {
            sc_err_prefix("%s", cfg_where(grp));
            return -1;
        }
    }
    if (!e->uses_gan) return 0;
    const char *where = grp ? cfg_where(grp) : e->path;
    /* The GAN jobs' rows name them "generator+discriminator" (results.h). */
    SC_CHECK(strlen(g->g_name) + 1 + strlen(g->d_name) <= SC_ROW_NAME - 1,
             "%s: gan.generator, gan.discriminator: '%s+%s' is longer than %d characters (the "
             "width of a name in the results file's job table)", where, g->g_name, g->d_name,
             SC_ROW_NAME - 1);
    if (nn_arch_resolve(g->g_name, arch_dir, g->g_path, sizeof g->g_path)) {
        sc_err_prefix("%s: gan.generator", where);
        return -1;
    }
    if (nn_arch_resolve(g->d_name, arch_dir, g->d_path, sizeof g->d_path)) {
        sc_err_prefix("%s: gan.discriminator", where);
        return -1;
    }
    return 0;
fail:
    return -1;
}

int sc_experiment_load(const char *path, const char *data_override, sc_experiment *e)
{
    char arch_dir[SC_PATH_MAX] = "";
    config_t cfg;
    config_init(&cfg);
    memset(e, 0, sizeof *e);
    SC_CHECK(strlen(path) < SC_PATH_MAX, "experiment path too long");
    strcpy(e->path, path);
    size_t len = 0;
    e->text = sc_read_file(path, &len);
    if (!e->text) goto fail;
    e->hash = sc_hash(e->text, len);
    SC_TRY(cfg_load(&cfg, path));
    const config_setting_t *root = config_root_setting(&cfg);
    SC_TRY(cfg_check_keys(root, root_keys));
    strcpy(e->name, "experiment");
    SC_TRY(cfg_get_string(root, "name", 0, e->name, sizeof e->name));
    e->seed = 1;
    SC_TRY(cfg_get_u64(root, "seed", 0, &e->seed));
    SC_TRY(load_data(root, path, data_override, e));
    SC_TRY(load_folds(root, e));
    SC_TRY(load_lists(root, path, e, arch_dir));
    SC_TRY(load_exclude(root, e));
    for (int a = 0; a < e->n_aug; a++) e->uses_gan |= e->aug[a].gan; /* never all excluded */
    SC_TRY(load_geometric(root, e));
    SC_TRY(load_gan(root, arch_dir, e));
    SC_TRY(load_train(root, e));
    SC_TRY(load_report(root, e));
    config_destroy(&cfg);
    return 0;
fail:
    config_destroy(&cfg);
    sc_experiment_free(e);
    return -1;
}
