/* data/phantom_scene.c: primitive lists, attenuation weights, joints and the rigid transform
 * of a scene (see phantom_model.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/phantom_model.h"
#include "util/error.h"

void ph_list_clear(ph_list *l) { l->n = 0; }

void ph_list_free(ph_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

ph_prim *ph_push(ph_list *l, int kind, int site, int side, float dens, float wa, float wp)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->v = sc_xrealloc(l->v, (size_t)l->cap * sizeof *l->v);
    }
    ph_prim *p = &l->v[l->n++];
    memset(p, 0, sizeof *p);
    p->kind = (uint8_t)kind;
    p->site = (uint8_t)site;
    p->side = (int8_t)side;
    p->dens = dens;
    p->wa = wa;
    p->wp = wp;
    return p;
}

/* A source at depth z (+ anterior) in a body part of AP half-thickness t is t - z from the
 * anterior skin and t + z from the posterior skin. */
void ph_weights(double z, double t, float *wa, float *wp)
{
    if (z > t) z = t;
    if (z < -t) z = -t;
    *wa = (float)exp(-PH_MU * (t - z));
    *wp = (float)exp(-PH_MU * (t + z));
}

void ph_scene_clear(ph_scene *s)
{
    ph_list_clear(&s->bone);
    ph_list_clear(&s->cold);
    ph_list_clear(&s->add);
    ph_list_clear(&s->soft);
    ph_list_clear(&s->shade);
    s->n_joints = 0;
}

void ph_scene_free(ph_scene *s)
{
    ph_list_free(&s->bone);
    ph_list_free(&s->cold);
    ph_list_free(&s->add);
    ph_list_free(&s->soft);
    ph_list_free(&s->shade);
    s->n_joints = 0;
}

int ph_add_joint(ph_scene *s, int type, int digit, int side, double x, double y, double r,
                 double dens, double z, double t)
{
    if (s->n_joints >= PH_MAX_JOINTS) return -1; /* the template has fewer: a bug, not input */
    ph_joint *j = &s->joints[s->n_joints++];
    j->type = (uint8_t)type;
    j->digit = (uint8_t)digit;
    j->side = (int8_t)side;
    j->x = (float)x;
    j->y = (float)y;
    j->r = (float)r;
    j->dens = (float)dens;
    ph_weights(z, t, &j->wa, &j->wp);
    return 0;
}

const ph_joint *ph_find_joint(const ph_scene *s, int type, int digit, int side)
{
    for (int i = 0; i < s->n_joints; i++) {
        const ph_joint *j = &s->joints[i];
        if (j->type == type && j->digit == digit && j->side == side) return j;
    }
    return NULL;
}

void ph_prim_point(const ph_prim *pr, double u, double v, double *x, double *y, double *axis,
                   double *dens)
{
    const float *p = pr->p;
    switch (pr->kind) {
    case PK_CAPSULE: {
        double dx = p[2] - p[0], dy = p[3] - p[1];
        double len = sqrt(dx * dx + dy * dy);
        if (len < 1e-6) len = 1e-6;
        double r = pr->r0 + u * (pr->r1 - pr->r0);
        /* across: the unit normal of the axis */
        *x = p[0] + u * dx - v * r * dy / len;
        *y = p[1] + u * dy + v * r * dx / len;
        *axis = atan2(dy, dx);
        *dens = pr->dens;
        break;
    }
    case PK_TRIANGLE: {
        double w = 1.0 - u - v;
        *x = w * p[0] + u * p[2] + v * p[4];
        *y = w * p[1] + u * p[3] + v * p[5];
        *axis = atan2(p[5] - p[1], p[4] - p[0]);
        *dens = pr->dens;
        break;
    }
    default: { /* ellipse, shell, gauss: (u, v) in the unit disk of the shape's axes */
        double c = cos(p[4]), s = sin(p[4]);
        double lx = u * p[2], ly = v * p[3];
        *x = p[0] + c * lx - s * ly;
        *y = p[1] + s * lx + c * ly;
        *axis = p[4] + (p[3] > p[2] ? M_PI / 2 : 0.0);
        *dens = pr->dens;
        break;
    }
    }
}

static void xform_pt(float *x, float *y, double c, double s, double cx, double cy, double tx,
                     double ty)
{
    double dx = *x - cx, dy = *y - cy;
    *x = (float)(cx + c * dx - s * dy + tx);
    *y = (float)(cy + s * dx + c * dy + ty);
}

static void xform_list(ph_list *l, int from, double c, double s, double rot, double cx,
                       double cy, double tx, double ty)
{
    for (int i = from; i < l->n; i++) {
        ph_prim *p = &l->v[i];
        switch (p->kind) {
        case PK_CAPSULE:
            xform_pt(&p->p[0], &p->p[1], c, s, cx, cy, tx, ty);
            xform_pt(&p->p[2], &p->p[3], c, s, cx, cy, tx, ty);
            break;
        case PK_TRIANGLE:
            for (int k = 0; k < 3; k++) xform_pt(&p->p[2 * k], &p->p[2 * k + 1], c, s, cx, cy, tx, ty);
            break;
        default:
            xform_pt(&p->p[0], &p->p[1], c, s, cx, cy, tx, ty);
            p->p[4] = (float)(p->p[4] + rot);
            break;
        }
    }
}

void ph_scene_transform(ph_scene *s, double cx, double cy, double rot, double tx, double ty)
{
    double c = cos(rot), sn = sin(rot);
    xform_list(&s->bone, 0, c, sn, rot, cx, cy, tx, ty);
    xform_list(&s->cold, 0, c, sn, rot, cx, cy, tx, ty);
    xform_list(&s->add, 0, c, sn, rot, cx, cy, tx, ty);
    xform_list(&s->soft, 0, c, sn, rot, cx, cy, tx, ty);
    xform_list(&s->shade, 0, c, sn, rot, cx, cy, tx, ty);
    for (int i = 0; i < s->n_joints; i++)
        xform_pt(&s->joints[i].x, &s->joints[i].y, c, sn, cx, cy, tx, ty);
}

void ph_list_transform(ph_list *l, int from, double cx, double cy, double rot, double tx,
                       double ty)
{
    xform_list(l, from, cos(rot), sin(rot), rot, cx, cy, tx, ty);
}
