/* data/phantom_patient.c: patient- and scan-level draws, the body (soft tissue, kidneys,
 * bladder) and the assembly of a scan's scene.
 *
 * Ranges follow the research note (section 7): counts per view 1.5-3 M, kidneys and bladder
 * always visible, faint soft tissue, normal variants (dominant shoulder, variable skull and
 * manubriosternal uptake, rotation). */
#include <math.h>
#include <string.h>

#include "data/phantom.h"
#include "data/phantom_model.h"

void ph_draw_anatomy(sc_rng *r, ph_anatomy *an)
{
    memset(an, 0, sizeof *an);
    int male = ph_bern(r, 0.5);
    an->height = ph_norm(r, male ? 1755 : 1630, 70, 1480, 1960);
    an->build = ph_norm(r, 1.0, 0.07, 0.85, 1.2);
    an->chest = an->build * (male ? 1.0 : 0.93) * ph_norm(r, 1.0, 0.03, 0.9, 1.1);
    an->hips = an->build * (male ? 0.95 : 1.04) * ph_norm(r, 1.0, 0.03, 0.9, 1.1);
    an->shoulders = an->build * (male ? 1.0 : 0.91) * ph_norm(r, 1.0, 0.03, 0.9, 1.1);
    an->thick_trunk = 105.0 * an->build * ph_norm(r, 1.0, 0.08, 0.8, 1.25);
    double arm = ph_unif(r, 0.04, 0.12), fore = ph_unif(r, 0.02, 0.10);
    double leg = ph_unif(r, 0.0, 0.05), foot = ph_unif(r, 0.1, 0.5);
    for (int i = 0; i < 2; i++) {
        an->arm_ang[i] = arm + ph_norm(r, 0, 0.015, -0.03, 0.03);
        an->fore_ang[i] = fore + ph_norm(r, 0, 0.015, -0.03, 0.03);
        an->leg_ang[i] = leg + ph_norm(r, 0, 0.008, -0.02, 0.02);
        an->foot_ang[i] = foot + ph_norm(r, 0, 0.08, -0.2, 0.2);
    }
    an->palms_up = ph_bern(r, 0.5);
    an->scol_amp = ph_bern(r, 0.15) ? ph_side(r) * ph_unif(r, 4, 14) : 0.0;
    an->scol_phase = ph_bern(r, 0.3) ? 1.0 : 0.0;
    an->head_tilt = ph_norm(r, 0, 0.04, -0.1, 0.1);
    an->skull_up = ph_logu(r, 0.75, 1.35);
    an->bone_up = ph_logu(r, 0.8, 1.25);
    an->soft_up = ph_logu(r, 0.7, 1.5);
    an->kidney_up = ph_logu(r, 0.4, 1.5);
    an->msj_up = ph_unif(r, 0.3, 1.6);
    an->kidney_dy = ph_unif(r, 0, 25);
    an->dominant = ph_bern(r, 0.88) ? -1 : 1;
    an->dom_up = ph_bern(r, 0.7) ? ph_unif(r, 1.05, 1.3) : 1.0;
    an->x0 = ph_norm(r, 0, 8, -20, 20);
    an->y0 = ph_unif(r, 25, 90);
    an->rot0 = ph_norm(r, 0, 0.012, -0.03, 0.03);
}

void ph_draw_pose(sc_rng *r, const sc_phantom_params *p, const ph_anatomy *an, ph_pose *po)
{
    memset(po, 0, sizeof *po);
    po->tx = an->x0 + ph_norm(r, 0, 5, -12, 12);
    po->ty = an->y0 + ph_norm(r, 0, 8, -20, 20);
    po->rot = an->rot0 + ph_norm(r, 0, 0.012, -0.03, 0.03);
    for (int i = 0; i < 2; i++) po->arm_jit[i] = ph_norm(r, 0, 0.015, -0.035, 0.035);
    /* Counts: one acquisition level, the two views within a few per cent of it. */
    double level = ph_unif(r, p->counts_min, p->counts_max);
    for (int v = 0; v < 2; v++) {
        double c = level * exp(ph_norm(r, 0, 0.04, -0.1, 0.1));
        po->counts[v] = c < p->counts_min ? p->counts_min : (c > p->counts_max ? p->counts_max : c);
    }
    po->bladder = ph_logu(r, 0.25, 1.6);
    po->kidney = an->kidney_up * ph_logu(r, 0.7, 1.4);
    po->bg = ph_unif(r, 0.15, 0.8);
}

/* Mean attenuation weight of a uniform slab of half-thickness t, times its thickness: the
 * relative brightness of soft tissue seen through it (the same from both sides). */
static double slab(double t)
{
    double a = 2 * PH_MU * t;
    return 2 * t * (1 - exp(-a)) / a / 100.0;
}

static void soft_cap(ph_scene *s, double x0, double y0, double x1, double y1, double r0,
                     double r1, double level, double t)
{
    float w = (float)slab(t);
    ph_prim *p = ph_push(&s->soft, PK_CAPSULE, S_NONE, 0, (float)level, w, w);
    p->p[0] = (float)x0;
    p->p[1] = (float)y0;
    p->p[2] = (float)x1;
    p->p[3] = (float)y1;
    p->r0 = (float)r0;
    p->r1 = (float)r1;
}

static void soft_ell(ph_scene *s, double cx, double cy, double a, double b, double ang,
                     double level, double t)
{
    float w = (float)slab(t);
    ph_prim *p = ph_push(&s->soft, PK_ELLIPSE, S_NONE, 0, (float)level, w, w);
    p->p[0] = (float)cx;
    p->p[1] = (float)cy;
    p->p[2] = (float)a;
    p->p[3] = (float)b;
    p->p[4] = (float)ang;
}

static void organ(ph_scene *s, int kind, double cx, double cy, double a, double b, double ang,
                  double dens, double z, double t)
{
    float wa, wp;
    ph_weights(z, t, &wa, &wp);
    ph_prim *p = ph_push(&s->add, kind, S_NONE, 0, (float)dens, wa, wp);
    p->p[0] = (float)cx;
    p->p[1] = (float)cy;
    p->p[2] = (float)a;
    p->p[3] = (float)b;
    p->p[4] = (float)ang;
}

void ph_build_body(const ph_anatomy *an, const ph_pose *po, int superscan, ph_scene *s)
{
    double fy = an->height / 1750.0, lv = 0.16 * an->soft_up, t = an->thick_trunk;
    double shw = 185.0 * an->shoulders;
    soft_ell(s, 0, 115 * fy, 80, 118 * fy, 0, lv, 90);
    soft_cap(s, 0, 215 * fy, 0, 300 * fy, 46, 50, lv, 55);
    soft_cap(s, -shw + 10, 345 * fy, shw - 10, 345 * fy, 55, 55, lv, 70);
    soft_ell(s, 0, 470 * fy, 165 * an->chest, 200 * fy, 0, lv, t);
    soft_ell(s, 0, 690 * fy, 150 * an->build, 180 * fy, 0, lv, t);
    soft_ell(s, 0, 860 * fy, 185 * an->hips, 125 * fy, 0, lv, t);
    for (int side = -1; side <= 1; side += 2) {
        const ph_joint *sh = ph_find_joint(s, JT_SHOULDER, 0, side);
        const ph_joint *el = ph_find_joint(s, JT_ELBOW, 0, side);
        const ph_joint *wr = ph_find_joint(s, JT_WRIST, 0, side);
        const ph_joint *m3 = ph_find_joint(s, JT_MCP, 3, side);
        const ph_joint *hp = ph_find_joint(s, JT_HIP, 0, side);
        const ph_joint *kn = ph_find_joint(s, JT_KNEE, 0, side);
        const ph_joint *an_ = ph_find_joint(s, JT_ANKLE, 0, side);
        const ph_joint *mf = ph_find_joint(s, JT_MIDFOOT, 0, side);
        soft_cap(s, sh->x, sh->y, el->x, el->y, 46, 38, lv, 45);
        soft_cap(s, el->x, el->y, wr->x, wr->y, 36, 27, lv, 38);
        soft_cap(s, wr->x, wr->y, m3->x, m3->y, 27, 30, lv, 18);
        soft_cap(s, hp->x + side * 10, hp->y + 10, kn->x, kn->y, 88 * an->build, 55, lv, 80);
        soft_cap(s, kn->x, kn->y, an_->x, an_->y, 55, 32, lv, 50);
        soft_cap(s, an_->x, an_->y, mf->x, mf->y, 35, 40, lv, 40);
    }
    /* Urinary excretion: kidneys (posterior, right lower) and the bladder (anterior). */
    double kid = (superscan ? 0.1 : 1.0) * po->kidney;
    for (int side = -1; side <= 1; side += 2) {
        double kx = side * 62 * an->chest, ky = 610 * fy + (side < 0 ? an->kidney_dy : 0);
        organ(s, PK_ELLIPSE, kx, ky, 27, 52 * fy, -side * 0.25, 1.1 * kid, -50, t);
        organ(s, PK_GAUSS, kx - side * 16, ky + 6, 7, 9, 0, 0.6 * kid, -45, t);
    }
    double f = po->bladder * (superscan ? 0.3 : 1.0);
    organ(s, PK_ELLIPSE, 0, 850 * fy, 38 + 18 * f, 30 + 14 * f, 0, 5.0 + 7.0 * f, 35, t);
}

/* ---- plan-level draws ---- */
int ph_patient_scans(const sc_phantom_params *p, int64_t patient)
{
    sc_rng r;
    ph_stream(&r, p->seed, patient, PH_PATIENT_LEVEL, TAG_PLAN);
    return p->scans_min + (int)sc_rng_below(&r, (uint64_t)(p->scans_max - p->scans_min + 1));
}

void ph_patient_labels(const sc_phantom_params *p, int64_t patient, int *met, int *arth)
{
    sc_rng r;
    ph_stream(&r, p->seed, patient, PH_PATIENT_LEVEL, TAG_LABELS);
    double u1 = sc_rng_uniform(&r), u2 = sc_rng_uniform(&r);
    *met = u1 < p->p_metastasis;
    *arth = u2 < p->p_arthritis;
}

void ph_make_patient(const sc_phantom_params *p, int64_t patient, ph_patient *pt)
{
    memset(pt, 0, sizeof *pt);
    pt->id = patient;
    pt->n_scans = ph_patient_scans(p, patient);
    ph_patient_labels(p, patient, &pt->met, &pt->arth);
    sc_rng r;
    ph_stream(&r, p->seed, patient, PH_PATIENT_LEVEL, TAG_ANATOMY);
    ph_draw_anatomy(&r, &pt->an);
    ph_scene skel;
    memset(&skel, 0, sizeof skel);
    const double still[2] = {0, 0};
    ph_build_skeleton(&pt->an, still, &skel);
    if (pt->met) {
        ph_stream(&r, p->seed, patient, PH_PATIENT_LEVEL, TAG_METASTASIS);
        ph_draw_metastases(&r, &skel, pt);
    }
    if (pt->arth) {
        ph_stream(&r, p->seed, patient, PH_PATIENT_LEVEL, TAG_ARTHRITIS);
        ph_draw_arthritis(&r, pt);
    }
    ph_stream(&r, p->seed, patient, PH_PATIENT_LEVEL, TAG_BENIGN);
    ph_draw_benign(&r, &skel, pt);
    ph_scene_free(&skel);
}

/* Sites whose uptake a superscan raises: the axial skeleton and the proximal long bones. */
static int axial(int site)
{
    return site != S_FEMUR && site != S_KNEE && site != S_LEG && site != S_FOOT &&
           site != S_ARM && site != S_HAND && site != S_HUMERUS;
}

void ph_make_scene(const sc_phantom_params *p, const ph_patient *pt, int scan, ph_scene *s,
                   ph_pose *po, ph_truth *truth)
{
    sc_rng r;
    memset(truth, 0, sizeof *truth);
    ph_stream(&r, p->seed, pt->id, (uint64_t)scan, TAG_POSE);
    ph_draw_pose(&r, p, &pt->an, po);
    ph_scene_clear(s);
    ph_build_skeleton(&pt->an, po->arm_jit, s);
    if (pt->superscan) {
        truth->superscan = 1;
        for (int i = 0; i < s->bone.n; i++) s->bone.v[i].dens *= axial(s->bone.v[i].site) ? 2.2f : 1.3f;
    }
    ph_build_body(&pt->an, po, pt->superscan, s);
    ph_stream(&r, p->seed, pt->id, (uint64_t)scan, TAG_FINDINGS);
    ph_place_findings(&r, pt, scan, p->difficulty, s, truth);
    ph_stream(&r, p->seed, pt->id, (uint64_t)scan, TAG_SCAN_BENIGN);
    ph_place_scan_benign(&r, pt, s, truth);
    /* Place the patient on the table: rotate about the pelvis, then shift. */
    ph_scene_transform(s, 0, 880 * pt->an.height / 1750.0, po->rot, po->tx, po->ty);
}
