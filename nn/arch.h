/* nn/arch.h: architecture files (libconfig) parsed into a tree of layer specs.
 *
 * A base file holds `layers`, a list of groups, each with `type`, an optional `name`, and the
 * keys of its type; `residual` has `body` and an optional `shortcut` (identity when absent),
 * `concat` has `branches` (a list of layer lists).  A variant file names a `base` and changes it
 * (remove, remove_types, width, override, init).  The full reference is in the comments of
 * configs/archs/dspic.cfg and in docs/formats.md ("Architecture files").
 *
 * Loading only parses and applies variants; nn_arch_finalize then names every layer, fills
 * defaults and resolves `out = "n_out"`; shapes are checked when the network is built. */
#ifndef SC_NN_ARCH_H
#define SC_NN_ARCH_H

#include "nn/layer.h"

typedef struct nn_spec nn_spec;
typedef struct {
    nn_spec *v;
    int n;
} nn_spec_list;

struct nn_spec {
    int type;          /* nn_layer_type */
    char name[NN_NAME_MAX];
    int named;         /* the name was given in a file */
    const char *file;  /* owned by the nn_arch */
    int line;
    nn_hp hp;
    nn_spec_list *sub; /* residual: [body, shortcut]; concat: the branches */
    int n_sub;
};

typedef struct {
    nn_spec_list layers;
    int init;      /* network default initializer (nn_init_kind; torch when not given) */
    char **files;  /* every file read (base chain), owned */
    int n_files;
    char *text;    /* the text of the file (or string) loaded */
} nn_arch;

/* Key indices, also the bits of nn_hp.set. */
enum {
    NN_K_OUT = 0, NN_K_KERNEL, NN_K_STRIDE, NN_K_PAD, NN_K_OUTPUT_PAD, NN_K_BIAS, NN_K_INIT,
    NN_K_EPS, NN_K_MOMENTUM, NN_K_SLOPE, NN_K_P, NN_K_REDUCTION, NN_K_SIZE, NN_K_BODY,
    NN_K_SHORTCUT, NN_K_BRANCHES, NN_K_ALGO, NN_K_COUNT
};

int nn_arch_load_file(const char *path, nn_arch *out);
/* `label` names the text in error messages; a `base` is looked up with nn_arch_resolve. */
int nn_arch_load_text(const char *text, const char *label, nn_arch *out);
void nn_arch_free(nn_arch *a);

/* Check that names are unique and name unnamed layers TYPE1, TYPE2, ... in file order (done
 * when a base file is loaded, so that variants can refer to these names). */
int nn_arch_name_layers(nn_arch *a);
/* Name unnamed layers (type + running number), fill defaults, resolve automatic biases and
 * `out = "n_out"`.  Errors (duplicate names, missing required keys) name file:line. */
int nn_arch_finalize(nn_arch *a, int n_out);

/* The resolved architecture as JSON (for the weights file and scripts/load_weights_torch.py).
 * Returns a malloc'd string. */
char *nn_arch_json(const nn_arch *a, const nn_shape *shape);

/* Tables shared by the parser, variants and JSON writer. */
const char *nn_layer_type_name(int type);
int nn_layer_type_find(const char *name); /* -1 if unknown */
const char *nn_key_name(int key);
const char *nn_init_name(int init);
int nn_init_find(const char *name); /* -1 if unknown */
/* 1 if `key` is allowed for `type`. */
int nn_key_allowed(int type, int key);

/* Used by variants: apply one key (a libconfig setting) to a spec. */
struct config_setting_t;
int nn_spec_set_key(nn_arch *a, nn_spec *sp, int key, const struct config_setting_t *v,
                    const char *file, int depth);
void nn_spec_list_free(nn_spec_list *l);
/* "conv layer 'name'" for messages. */
void nn_spec_what(const nn_spec *sp, char *buf, size_t size);
/* Apply the variant keys of a parsed variant file (root group) on top of `a` (already loaded
 * from its base). */
int nn_arch_apply_variant(nn_arch *a, const struct config_setting_t *root, const char *file);
/* Remember a file name for the lifetime of the arch; returns the stored copy. */
const char *nn_arch_intern_file(nn_arch *a, const char *path);

#endif
