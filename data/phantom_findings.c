/* data/phantom_findings.c: placing a patient's findings in one scan's scene.
 *
 * Lesions follow their host bone (its position in this scan's pose, its depth weights, its
 * density as the reference of the contrast); joint spots follow their joint.  Difficulty X
 * scales the disease findings only: contrast excess by 2^(1-X) and size by 1.25^(1-X), so X = 1
 * keeps the clinical ranges of the research note; benign findings do not change with X. */
#include <math.h>

#include "data/phantom_model.h"

static void gauss(ph_list *l, double x, double y, double su, double sv, double ang, double amp,
                  float wa, float wp)
{
    ph_prim *p = ph_push(l, PK_GAUSS, S_NONE, 0, (float)amp, wa, wp);
    p->p[0] = (float)x;
    p->p[1] = (float)y;
    p->p[2] = (float)su;
    p->p[3] = (float)sv;
    p->p[4] = (float)ang;
}

/* Typical image intensity of bone at a site, relative to a vertebral body: the reference of a
 * lesion's contrast ("x times the local bone"), whatever primitive (plate, rim, rod) hosts it. */
static double site_ref(int site)
{
    switch (site) {
    case S_CSPINE: case S_TSPINE: case S_LSPINE: case S_SACRUM: return 1.0;
    case S_PELVIS: case S_STERNUM: case S_FEMUR_PROX: case S_HUMERUS_PROX: return 0.8;
    case S_SKULL: case S_FACE: return 0.7;
    default: return 0.6; /* ribs, scapula, clavicle, shafts */
    }
}

static void place_lesion(sc_rng *r, const ph_lesion *l, double gc, double gs, double ref,
                         ph_scene *s, ph_truth *t)
{
    const ph_prim *h = &s->bone.v[l->host];
    double x, y, axis, dens;
    ph_prim_point(h, l->u, l->v, &x, &y, &axis, &dens);
    dens = ref * site_ref(h->site);
    double ang = (h->kind == PK_CAPSULE || h->kind == PK_TRIANGLE ? axis : 0) + l->angle;
    double jit = exp(ph_norm(r, 0, 0.12, -0.3, 0.3)); /* scan-to-scan change */
    int disease = l->kind == LK_METASTASIS;
    double sg = l->sigma * (disease ? gs : 1.0), su = sg * l->aspect;
    if (l->cold) {
        double depth = fmin(0.95, l->contrast * sqrt(gc) * jit);
        gauss(&s->cold, x, y, su, sg, ang, depth, 1, 1);
        if (l->rim) /* reactive rim: a wider, faint hot halo around the defect */
            gauss(&s->add, x, y, 1.8 * su, 1.8 * sg, ang, 0.35 * gc * dens, h->wa, h->wp);
        t->met_cold++;
        return;
    }
    double amp = l->contrast * (disease ? gc : 1.0) * dens * jit;
    gauss(&s->add, x, y, su, sg, ang, amp, h->wa, h->wp);
    double c = cos(ang), sn = sin(ang);
    for (int k = 0; k < l->n_sat; k++) {
        double a = l->sat[k][0] * su, b = l->sat[k][1] * sg;
        gauss(&s->add, x + c * a - sn * b, y + sn * a + c * b, 0.7 * sg, 0.7 * sg, 0,
              amp * l->sat[k][2], h->wa, h->wp);
    }
    if (disease)
        t->met_hot++;
    else
        t->benign_spots++;
}

static void place_spot(sc_rng *r, const ph_spot *sp, double gc, double gs, ph_scene *s,
                       ph_truth *t)
{
    const ph_joint *j = ph_find_joint(s, sp->type, sp->digit, sp->side);
    if (!j) return;
    int disease = sp->kind == SK_ARTHRITIS;
    double sg = 0.55 * j->r * sp->size * (disease ? gs : 1.0);
    double amp = sp->contrast * (disease ? gc : 1.0) * j->dens * exp(ph_norm(r, 0, 0.1, -0.25, 0.25));
    /* joint-line uptake is a little wider across the joint than along the bone */
    gauss(&s->add, j->x, j->y, 1.25 * sg, sg, 0, amp, j->wa, j->wp);
    if (disease)
        t->arth_spots++;
    else
        t->benign_spots++;
}

static void place_prosthesis(sc_rng *r, int side, ph_scene *s)
{
    /* A metal hip stem: photopenic femoral head, neck and proximal shaft, sometimes with the
     * hot rim of loosening. */
    for (int i = 0; i < s->bone.n; i++) {
        const ph_prim *p = &s->bone.v[i];
        if (p->site != S_FEMUR_PROX || p->side != side) continue;
        double x, y, axis, dens;
        ph_prim_point(p, 0.5, 0, &x, &y, &axis, &dens);
        double len = p->kind == PK_CAPSULE ? hypot(p->p[2] - p->p[0], p->p[3] - p->p[1]) : 0;
        gauss(&s->cold, x, y, 0.5 * len + 10, 10, p->kind == PK_CAPSULE ? axis : 0, 0.9, 1, 1);
    }
    const ph_joint *hip = ph_find_joint(s, JT_HIP, 0, side);
    if (hip && ph_bern(r, 0.5))
        gauss(&s->add, hip->x, hip->y + 40, 30, 14, M_PI / 2, 0.6 * hip->dens, hip->wa, hip->wp);
}

void ph_place_findings(sc_rng *r, const ph_patient *pt, int scan, double difficulty, ph_scene *s,
                       ph_truth *t)
{
    double gc = pow(2.0, 1.0 - difficulty), gs = pow(1.25, 1.0 - difficulty);
    double ref = 2.5 * pt->an.bone_up; /* a vertebral body's density */
    if (pt->prosthesis) place_prosthesis(r, pt->prosthesis, s);
    for (int i = 0; i < pt->n_les; i++)
        if (pt->les[i].first_scan <= scan) place_lesion(r, &pt->les[i], gc, gs, ref, s, t);
    for (int i = 0; i < pt->n_spots; i++) place_spot(r, &pt->spots[i], gc, gs, s, t);
}

void ph_place_scan_benign(sc_rng *r, const ph_patient *pt, ph_scene *s, ph_truth *t)
{
    const double fy = pt->an.height / 1750.0, tt = pt->an.thick_trunk;
    const double ref = 2.5 * pt->an.bone_up; /* about a vertebral body's density */
    float wa, wp;
    if (ph_bern(r, 0.35)) { /* injection site: antecubital fossa, back of the hand, wrist */
        int side = ph_side(r);
        double u = sc_rng_uniform(r), x, y, z;
        const ph_joint *j;
        if (u < 0.6) {
            j = ph_find_joint(s, JT_ELBOW, 0, side);
            z = 25;
        } else if (u < 0.85) {
            j = ph_find_joint(s, JT_MCP, 3, side);
            z = pt->an.palms_up ? -12 : 12;
        } else {
            j = ph_find_joint(s, JT_WRIST, 0, side);
            z = 10;
        }
        x = j->x + ph_norm(r, 0, 6, -15, 15);
        y = j->y + ph_norm(r, 0, 10, -25, 25) - (u < 0.85 && u >= 0.6 ? 25 : 0);
        ph_weights(z, 40, &wa, &wp);
        double sg = ph_logu(r, 4, 12);
        gauss(&s->add, x, y, sg * ph_unif(r, 1, 2), sg, ph_unif(r, 0, M_PI),
              ref * ph_logu(r, 0.3, 12), wa, wp);
        t->injection = 1;
        t->benign_spots++;
    }
    if (ph_bern(r, 0.03)) { /* urine contamination: groin, perineum or thigh skin/clothes */
        double x = ph_norm(r, 0, 60, -150, 150), y = fy * ph_unif(r, 930, 1150);
        ph_weights(ph_bern(r, 0.5) ? 60 : -60, 70, &wa, &wp);
        double sg = ph_logu(r, 5, 15), amp = ref * ph_logu(r, 1, 8);
        gauss(&s->add, x, y, sg * ph_unif(r, 1, 2.5), sg, ph_unif(r, 0, M_PI), amp, wa, wp);
        gauss(&s->add, x + ph_norm(r, 0, sg, -2 * sg, 2 * sg), y + ph_norm(r, 0, sg, -2 * sg, 2 * sg),
              0.6 * sg, 0.6 * sg, 0, 0.5 * amp, wa, wp);
        t->benign_spots++;
    }
    if (ph_bern(r, 0.03)) { /* free pertechnetate: thyroid, salivary glands, stomach */
        double a = ph_logu(r, 0.5, 3.0);
        ph_weights(30, 55, &wa, &wp);
        for (int side = -1; side <= 1; side += 2) {
            gauss(&s->add, side * 14, 283 * fy, 6, 13, 0, 0.8 * a, wa, wp);
            gauss(&s->add, side * 48, 185 * fy, 9, 11, 0, 0.4 * a, wa, wp);
        }
        ph_weights(20, tt, &wa, &wp);
        gauss(&s->add, 65 * pt->an.chest, 560 * fy, 30, 22, 0.4, 0.25 * a, wa, wp);
        t->benign_spots++;
    }
    if (ph_bern(r, 0.04)) { /* belt buckle: metal on the anterior skin, shades that view only */
        ph_prim *p = ph_push(&s->shade, PK_ELLIPSE, S_NONE, 0, (float)ph_unif(r, 0.5, 0.8), 1, 1);
        p->p[0] = (float)ph_norm(r, 0, 10, -25, 25);
        p->p[1] = (float)(fy * ph_unif(r, 760, 830));
        p->p[2] = (float)ph_unif(r, 22, 35);
        p->p[3] = (float)ph_unif(r, 16, 25);
        p->p[4] = 0;
    }
}
