/* nn/arch_json.c: the resolved architecture as JSON.
 *
 * Stored in the weights file (attribute `arch_json`) so that other tools can rebuild the network
 * without a libconfig parser: scripts/load_weights_torch.py builds the equivalent torch module
 * from it.  Every default is filled in, `out = "n_out"` is resolved and automatic biases are
 * explicit, so a reader needs no knowledge of nn's rules.  Format "spectcv-arch/1":
 *   {"format": "spectcv-arch/1", "input": [C, H, W], "n_out": N, "init": "torch",
 *    "layers": [ {"type": "conv", "name": "conv1", "out": 32, "kernel": [7, 7], ...}, ... ]}
 * `residual` layers carry "body" and "shortcut" (a list, or null for identity), `concat` layers
 * "branches" (a list of lists). */
#include "nn/arch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/sys.h"

typedef struct {
    char *s;
    size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        b->cap = b->cap * 2 + (k > 0 ? (size_t)k : 64);
        b->s = sc_xrealloc(b->s, b->cap);
    }
}

static void pair(sbuf *b, const char *key, const int v[2])
{
    put(b, ", \"%s\": [%d, %d]", key, v[0], v[1]);
}

static void list(sbuf *b, const nn_spec_list *l, int init);

static void layer(sbuf *b, const nn_spec *sp, int init)
{
    const nn_hp *hp = &sp->hp;
    int li = hp->init ? hp->init : init;
    put(b, "{\"type\": \"%s\", \"name\": \"%s\"", nn_layer_type_name(sp->type), sp->name);
    switch (sp->type) {
    case NN_LT_CONV:
    case NN_LT_CONVT:
        put(b, ", \"out\": %d", hp->out);
        pair(b, "kernel", hp->k);
        pair(b, "stride", hp->s);
        pair(b, "pad", hp->p);
        if (sp->type == NN_LT_CONVT) pair(b, "output_pad", hp->op);
        put(b, ", \"bias\": %s, \"init\": \"%s\"", hp->bias ? "true" : "false",
            nn_init_name(li));
        if (hp->algo) put(b, ", \"algo\": \"gemm\""); /* only when not the default */
        break;
    case NN_LT_DENSE:
        put(b, ", \"out\": %d, \"bias\": %s, \"init\": \"%s\"", hp->out,
            hp->bias ? "true" : "false", nn_init_name(li));
        break;
    case NN_LT_BN:
        put(b, ", \"eps\": %.9g, \"momentum\": %.9g, \"init\": \"%s\"", hp->eps, hp->momentum,
            nn_init_name(li));
        break;
    case NN_LT_LRELU:
        put(b, ", \"slope\": %.9g", hp->slope);
        break;
    case NN_LT_MAXPOOL:
    case NN_LT_AVGPOOL:
        pair(b, "kernel", hp->k);
        pair(b, "stride", hp->s);
        pair(b, "pad", hp->p);
        break;
    case NN_LT_ADAPTIVE_AVGPOOL:
        pair(b, "size", hp->size);
        break;
    case NN_LT_DROPOUT:
        put(b, ", \"p\": %.9g", hp->rate);
        break;
    case NN_LT_CBAM:
        put(b, ", \"reduction\": %d", hp->reduction);
        pair(b, "kernel", hp->k);
        put(b, ", \"bias\": %s, \"init\": \"%s\"", hp->bias ? "true" : "false",
            nn_init_name(li));
        break;
    case NN_LT_RESIDUAL:
        put(b, ", \"body\": ");
        list(b, &sp->sub[0], init);
        put(b, ", \"shortcut\": ");
        if (sp->n_sub > 1 && (sp->hp.set & (1u << NN_K_SHORTCUT)))
            list(b, &sp->sub[1], init);
        else
            put(b, "null");
        break;
    case NN_LT_CONCAT:
        put(b, ", \"branches\": [");
        for (int i = 0; i < sp->n_sub; i++) {
            if (i) put(b, ", ");
            list(b, &sp->sub[i], init);
        }
        put(b, "]");
        break;
    default:
        break;
    }
    put(b, "}");
}

static void list(sbuf *b, const nn_spec_list *l, int init)
{
    put(b, "[");
    for (int i = 0; i < l->n; i++) {
        if (i) put(b, ", ");
        layer(b, &l->v[i], init);
    }
    put(b, "]");
}

char *nn_arch_json(const nn_arch *a, const nn_shape *shape)
{
    sbuf b = {sc_xmalloc(1024), 0, 1024};
    b.s[0] = '\0';
    put(&b, "{\"format\": \"spectcv-arch/1\", \"input\": [%d, %d, %d], \"n_out\": %d, "
        "\"init\": \"%s\", \"layers\": ", shape->in_c, shape->in_h, shape->in_w, shape->n_out,
        nn_init_name(a->init));
    list(&b, &a->layers, a->init);
    put(&b, "}");
    return b.s;
}

int nn_arch_resolved(const char *arch_path, const nn_shape *shape, char **json, char **texts)
{
    nn_arch a;
    *json = *texts = NULL;
    if (nn_arch_load_file(arch_path, &a) != 0) return -1;
    if (nn_arch_finalize(&a, shape->n_out) != 0) {
        nn_arch_free(&a);
        return -1;
    }
    *json = nn_arch_json(&a, shape);
    /* the file, then the bases it reads (a->files: every file read, the base chain) */
    sbuf b = {sc_xmalloc(256), 0, 256};
    b.s[0] = '\0';
    for (int i = 0; i < a.n_files; i++) {
        size_t len = 0;
        char *t = sc_read_file(a.files[i], &len);
        put(&b, "%s# ---- %s\n%s", i ? "\n" : "", a.files[i], t ? t : "(unreadable)\n");
        free(t);
    }
    *texts = b.s;
    nn_arch_free(&a);
    return 0;
}
