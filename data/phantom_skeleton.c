/* data/phantom_skeleton.c: the skeleton template of the phantom.
 *
 * Landmarks are those of a 1750 mm adult (vertex 0, heel 1750, y down), scaled vertically by
 * the patient's height and laterally by chest, hip and shoulder widths.  Each bone is a few
 * primitives with a peak density (relative uptake) and a depth z in the patient frame (+ =
 * anterior), which ph_weights turns into per-view attenuation: the spine, scapulae and sacrum
 * lie posterior, the sternum, clavicles, patellae and pubis anterior.  Depths and half
 * thicknesses t are typical adult values in mm.
 *
 * The list of primitives has the same length and order for every anatomy (no primitive is
 * ever skipped): lesions refer to their host bone by index across a patient's scans. */
#include <math.h>

#include "data/phantom_model.h"

typedef struct {
    ph_scene *s;
    const ph_anatomy *an;
    double fy;   /* height / 1750 */
    double bone; /* global bone uptake */
} bld;

static double Y(const bld *b, double y) { return y * b->fy; }

/* Lateral shift of the spine (mild scoliosis) at reference height y: C- or S-shaped between
 * T1 and L5, none elsewhere. */
static double spine_dx(const bld *b, double yref)
{
    double u = (yref - 292.0) / (735.0 - 292.0);
    if (u <= 0 || u >= 1) return 0.0;
    return b->an->scol_amp * sin(M_PI * u * (1.0 + b->an->scol_phase));
}

static void cap(bld *b, int site, int side, double x0, double y0, double x1, double y1,
                double r0, double r1, double dens, double z, double t)
{
    float wa, wp;
    ph_weights(z, t, &wa, &wp);
    ph_prim *p = ph_push(&b->s->bone, PK_CAPSULE, site, side, (float)(dens * b->bone), wa, wp);
    p->p[0] = (float)x0;
    p->p[1] = (float)y0;
    p->p[2] = (float)x1;
    p->p[3] = (float)y1;
    p->r0 = (float)r0;
    p->r1 = (float)r1;
}

static ph_prim *ell_kind(bld *b, int kind, int site, int side, double cx, double cy, double a,
                         double bb, double ang, double dens, double z, double t)
{
    float wa, wp;
    ph_weights(z, t, &wa, &wp);
    ph_prim *p = ph_push(&b->s->bone, kind, site, side, (float)(dens * b->bone), wa, wp);
    p->p[0] = (float)cx;
    p->p[1] = (float)cy;
    p->p[2] = (float)a;
    p->p[3] = (float)bb;
    p->p[4] = (float)ang;
    return p;
}

static void ell(bld *b, int site, int side, double cx, double cy, double a, double bb,
                double ang, double dens, double z, double t)
{
    ell_kind(b, PK_ELLIPSE, site, side, cx, cy, a, bb, ang, dens, z, t);
}

static void shell(bld *b, int site, int side, double cx, double cy, double a, double bb,
                  double ang, double inner, double dens, double z, double t)
{
    ell_kind(b, PK_SHELL, site, side, cx, cy, a, bb, ang, dens, z, t)->r0 = (float)inner;
}

static void tri(bld *b, int site, int side, const double xy[6], double ramp, double dens,
                double z, double t)
{
    float wa, wp;
    ph_weights(z, t, &wa, &wp);
    ph_prim *p = ph_push(&b->s->bone, PK_TRIANGLE, site, side, (float)(dens * b->bone), wa, wp);
    for (int i = 0; i < 6; i++) p->p[i] = (float)xy[i];
    p->r0 = (float)ramp;
}

static void joint(bld *b, int type, int digit, int side, double x, double y, double r,
                  double dens, double z, double t)
{
    ph_add_joint(b->s, type, digit, side, x, y, r, dens * b->bone, z, t);
}

/* ---- head and neck ---- */
static void build_head(bld *b)
{
    int from = b->s->bone.n;
    double hs = sqrt(b->fy);
    double su = b->an->skull_up;
    shell(b, S_SKULL, 0, 0, Y(b, 105), 72 * hs, 100 * hs, 0, 0.86, 1.5 * su, 0, 95);
    ell(b, S_SKULL, 0, 0, Y(b, 105), 62 * hs, 86 * hs, 0, 0.18 * su, 0, 95);
    ell(b, S_SKULL, 0, 0, Y(b, 172), 55 * hs, 15 * hs, 0, 0.9 * su, -10, 95);
    for (int s = -1; s <= 1; s += 2) {
        shell(b, S_FACE, s, s * 30 * hs, Y(b, 128), 17 * hs, 15 * hs, 0, 0.7, 0.7, 60, 95);
        cap(b, S_FACE, s, s * 50 * hs, Y(b, 160), s * 47 * hs, Y(b, 205), 6, 6, 1.2, 30, 90);
        cap(b, S_FACE, s, s * 47 * hs, Y(b, 205), s * 20 * hs, Y(b, 228), 6, 6.5, 1.2, 40, 90);
        cap(b, S_FACE, s, s * 20 * hs, Y(b, 228), 0, Y(b, 232), 6.5, 7, 1.3, 50, 90);
    }
    ell(b, S_FACE, 0, 0, Y(b, 168), 32 * hs, 20 * hs, 0, 1.1, 60, 95);
    /* Head tilt: rotate about the craniovertebral junction. */
    ph_list_transform(&b->s->bone, from, 0, Y(b, 235), b->an->head_tilt, 0, 0);
}

/* A vertebra: body (a horizontal stadium), pedicles, spinous and transverse processes. */
static void vertebra(bld *b, int site, double yref, double a, double hb, double dens, double z,
                     double t, double tp_len)
{
    double x = spine_dx(b, yref), y = Y(b, yref);
    hb *= b->fy;
    cap(b, site, 0, x - a + hb, y, x + a - hb, y, hb, hb, dens, z, t);
    for (int s = -1; s <= 1; s += 2) {
        ell(b, site, s, x + s * 0.62 * a, y - 0.2 * hb, 0.25 * a, 0.5 * hb, 0, dens * 0.62,
            z - 18, t);
        cap(b, site, s, x + s * a, y - 2, x + s * (a + tp_len), y - 4, 4.5, 4, dens * 0.35,
            z - 25, t);
    }
    ell(b, site, 0, x, y + 0.7 * hb, 4, 0.8 * hb, 0, dens * 0.35, z - 40, t);
}

static void build_spine(bld *b)
{
    double t = b->an->thick_trunk;
    for (int i = 0; i < 7; i++) { /* cervical */
        double yr = 184 + 15 * i, a = 11 + 0.8 * i;
        vertebra(b, S_CSPINE, yr, a, 6, 1.8, -10, 55, 4);
    }
    for (int i = 0; i < 12; i++) { /* thoracic */
        double yr = 292 + 24 * i;
        vertebra(b, S_TSPINE, yr, 15 + 0.6 * i, 10.5 + 0.3 * i, 2.5, -45, t, 16);
    }
    static const double tp[5] = {20, 26, 30, 26, 22};
    for (int i = 0; i < 5; i++) { /* lumbar, with the lordosis bringing it forward */
        double yr = 584 + 34 * i;
        vertebra(b, S_LSPINE, yr, 22 + 1.2 * i, 15, 2.7, -25, t - 5, tp[i]);
    }
    for (int s = -1; s <= 1; s += 2) {
        double xc = spine_dx(b, 252);
        joint(b, JT_FACET_C56, 0, s, xc + s * 16, Y(b, 252), 7, 0.9, -25, 55);
        double x45 = spine_dx(b, 703);
        joint(b, JT_FACET_L45, 0, s, x45 + s * 15, Y(b, 703), 8, 1.7, -55, t - 5);
        joint(b, JT_FACET_L5S1, 0, s, s * 15, Y(b, 733), 8, 1.7, -55, t - 5);
    }
}

/* ---- thorax: ribs, sternum ---- */
static void build_ribs(bld *b, int s)
{
    static const double afrac[12] = {0.45, 0.62, 0.75, 0.84, 0.9, 0.94,
                                     0.96, 0.96, 0.94, 0.9, 0.8, 0.65};
    static const double drop[12] = {45, 65, 85, 95, 105, 110, 115, 115, 110, 100, 60, 40};
    static const double depth[12] = {40, 60, 75, 85, 90, 95, 95, 95, 92, 88, 80, 70};
    static const double end[12] = {0, 0, 0, 0, 0, 0, 0, 2.45, 2.25, 2.05, 1.65, 1.3};
    const int nseg = 9;
    double t = b->an->thick_trunk;
    double halfw = 140.0 * b->an->chest;
    for (int k = 0; k < 12; k++) {
        double yref = 292 + 24 * k - 6;
        double x0 = 16.0, a = afrac[k] * halfw, bz = depth[k] * t / 105.0;
        double th_end = end[k];
        if (th_end == 0) { /* true ribs: end near the sternum, cartilage takes no tracer */
            double xe = 32 + 4 * k;
            th_end = M_PI - asin(fmin(1.0, (xe - x0) / (a - x0)));
        }
        double th0 = 0.12, r = k < 2 ? 6.0 : 5.0;
        double px = 0, py = 0;
        for (int i = 0; i <= nseg; i++) {
            double th = th0 + (th_end - th0) * i / nseg;
            double yr = yref + drop[k] * (1 - cos(th)) / 2;
            double x = s * (x0 + (a - x0) * sin(th)) + spine_dx(b, yref);
            double y = Y(b, yr);
            if (i > 0) {
                double thm = th - 0.5 * (th_end - th0) / nseg;
                cap(b, S_RIB, s, px, py, x, y, r, r, 0.85, -bz * cos(thm), t);
            }
            px = x;
            py = y;
        }
    }
}

static void build_sternum_shoulders(bld *b)
{
    double t = b->an->thick_trunk;
    ell(b, S_STERNUM, 0, 0, Y(b, 338), 24, 21, 0, 1.8, 95, t);
    cap(b, S_STERNUM, 0, 0, Y(b, 372), 0, Y(b, 478), 14, 12, 1.6, 95, t);
    cap(b, S_STERNUM, 0, 0, Y(b, 486), 0, Y(b, 508), 5, 4, 0.8, 90, t);
    ell(b, S_STERNUM, 0, 0, Y(b, 360), 14, 6, 0, 0.6 * b->an->msj_up, 96, t);
    double shw = 185.0 * b->an->shoulders;
    for (int s = -1; s <= 1; s += 2) {
        double dom = (s == b->an->dominant) ? b->an->dom_up : 1.0;
        /* clavicle: an S-shaped rod from the sternal notch to the acromion */
        cap(b, S_CLAVICLE, s, s * 22, Y(b, 324), s * 80, Y(b, 318), 7, 7, 1.5, 55, 80);
        cap(b, S_CLAVICLE, s, s * 80, Y(b, 318), s * (shw - 22), Y(b, 300), 7, 6.5, 1.5, 45, 80);
        joint(b, JT_SC, 0, s, s * 22, Y(b, 326), 10, 1.5, 60, 80);
        /* scapula: thin plate with thick borders, spine, acromion, coracoid, glenoid */
        double gx = s * (shw - 32), gy = Y(b, 338);
        double sax = s * shw * 0.42, say = Y(b, 300);
        double iax = s * shw * 0.55, iay = Y(b, 472);
        const double plate[6] = {gx, gy, sax, say, iax, iay};
        tri(b, S_SCAPULA, s, plate, 9, 0.55, -70, t);
        cap(b, S_SCAPULA, s, gx, gy, iax, iay, 6, 5, 1.0, -70, t);
        cap(b, S_SCAPULA, s, sax, say, iax, iay, 4, 4, 0.7, -75, t);
        cap(b, S_SCAPULA, s, sax, Y(b, 330), s * (shw - 8), Y(b, 306), 6, 6, 1.1, -60, t);
        ell(b, S_SCAPULA, s, s * (shw - 8), Y(b, 305), 14, 10, 0, 1.4 * dom, -30, 80);
        ell(b, S_SCAPULA, s, s * (shw - 45), Y(b, 330), 8, 8, 0, 1.2, 30, 90);
        ell(b, S_SCAPULA, s, gx, gy, 8, 18, 0, 1.7 * dom, -10, 80);
        joint(b, JT_AC, 0, s, s * (shw - 16), Y(b, 303), 12, 1.4, 20, 80);
    }
}

/* ---- arms and hands ---- */
static void build_hand(bld *b, int s, double wx, double wy, double dx, double dy, double lx,
                       double ly)
{
    /* (dx, dy): along the forearm toward the fingertips; (lx, ly): lateral (away from the
     * body). */
    double ts = b->an->palms_up ? 1.0 : -1.0; /* thumb lateral (palms up) or medial */
    const double t = 22;
    ell(b, S_HAND, s, wx + 20 * dx, wy + 20 * dy, 22, 15, atan2(ly, lx), 1.5, 0, t);
    joint(b, JT_WRIST, 0, s, wx + 4 * dx, wy + 4 * dy, 16, 1.5, 0, t);
    static const double mc[4] = {65, 62, 56, 52}, p1[4] = {40, 44, 41, 33};
    static const double p2[4] = {25, 28, 26, 18}, p3[4] = {18, 19, 19, 17};
    static const double base[4] = {12, 4, -4, -12}, head[4] = {17, 5, -6, -17};
    for (int d = 0; d < 4; d++) {
        double al0 = 30, al1 = al0 + mc[d];
        double x0, y0, x1, y1;
        double bx = wx + al0 * dx + base[d] * ts * lx, by = wy + al0 * dy + base[d] * ts * ly;
        x1 = wx + al1 * dx + head[d] * ts * lx;
        y1 = wy + al1 * dy + head[d] * ts * ly;
        cap(b, S_HAND, s, bx, by, x1, y1, 4.5, 4.5, 0.9, 0, t);
        joint(b, JT_MCP, d + 2, s, x1, y1, 7, 0.9, 0, t);
        /* the finger continues the metacarpal's direction, slightly spread */
        double fx = x1 - bx, fy = y1 - by, fl = sqrt(fx * fx + fy * fy);
        fx /= fl;
        fy /= fl;
        const double seg[3] = {p1[d], p2[d], p3[d]}, rad[3] = {4, 3.5, 3};
        x0 = x1;
        y0 = y1;
        for (int k = 0; k < 3; k++) {
            x1 = x0 + seg[k] * fx;
            y1 = y0 + seg[k] * fy;
            cap(b, S_HAND, s, x0, y0, x1, y1, rad[k], rad[k] * 0.9, 0.75, 0, t);
            if (k == 0) joint(b, JT_PIP, d + 2, s, x1, y1, 6, 0.75, 0, t);
            if (k == 1) joint(b, JT_DIP, d + 2, s, x1, y1, 5, 0.75, 0, t);
            x0 = x1;
            y0 = y1;
        }
    }
    /* thumb: CMC1 at the radial side of the carpus, pointing away from the hand */
    double cx = wx + 10 * dx + 22 * ts * lx, cy = wy + 10 * dy + 22 * ts * ly;
    double ang = 0.45 * ts; /* rotate (dx, dy) toward the thumb side */
    double tx = cos(ang) * dx + sin(ang) * lx, ty = cos(ang) * dy + sin(ang) * ly;
    joint(b, JT_CMC1, 0, s, cx, cy, 7, 1.0, 0, t);
    double mx = cx + 40 * tx, my = cy + 40 * ty;
    cap(b, S_HAND, s, cx, cy, mx, my, 5, 4.5, 0.95, 0, t);
    joint(b, JT_MCP, 1, s, mx, my, 7, 0.9, 0, t);
    double ix = mx + 30 * tx, iy = my + 30 * ty;
    cap(b, S_HAND, s, mx, my, ix, iy, 4.5, 4, 0.8, 0, t);
    joint(b, JT_PIP, 1, s, ix, iy, 6, 0.8, 0, t);
    cap(b, S_HAND, s, ix, iy, ix + 22 * tx, iy + 22 * ty, 4, 3.5, 0.75, 0, t);
}

static void build_arm(bld *b, int s, double arm_jit)
{
    int i = s > 0;
    double shw = 185.0 * b->an->shoulders;
    double dom = (s == b->an->dominant) ? b->an->dom_up : 1.0;
    double hx = s * (shw - 10), hy = Y(b, 345);
    double al = b->an->arm_ang[i] + arm_jit;
    double dx = s * sin(al), dy = cos(al);
    double lh = 300 * b->fy, lf = 250 * b->fy;
    double ex = hx + lh * dx, ey = hy + lh * dy;
    double ang = atan2(dy, dx);
    ell(b, S_HUMERUS_PROX, s, hx, hy, 24, 24, 0, 2.0 * dom, 0, 65);
    ell(b, S_HUMERUS_PROX, s, hx + s * 14, hy + 6, 12, 12, 0, 1.5 * dom, 5, 65);
    joint(b, JT_SHOULDER, 0, s, hx - s * 6, hy, 26, 2.0, 0, 65);
    double mx = hx + 0.4 * lh * dx, my = hy + 0.4 * lh * dy;
    cap(b, S_HUMERUS_PROX, s, hx + 25 * dx, hy + 25 * dy, mx, my, 12.5, 12, 1.25, 0, 45);
    cap(b, S_HUMERUS, s, mx, my, ex - 20 * dx, ey - 20 * dy, 12, 11, 1.2, 0, 45);
    ell(b, S_ARM, s, ex - 12 * dx, ey - 12 * dy, 13, 30, ang, 1.6, 0, 45);
    joint(b, JT_ELBOW, 0, s, ex, ey, 18, 1.6, 0, 45);
    /* forearm: radius and ulna, crossing when the palm faces down */
    double be = al + b->an->fore_ang[i];
    double fx = s * sin(be), fy = cos(be);
    double lx = s * cos(be), ly = -sin(be);
    double wx = ex + lf * fx, wy = ey + lf * fy;
    double cross = b->an->palms_up ? 1.0 : -1.0;
    ell(b, S_ARM, s, ex + 18 * fx, ey + 18 * fy, 12, 20, atan2(fy, fx), 1.3, 0, 40);
    cap(b, S_ARM, s, ex + 25 * fx + 9 * lx, ey + 25 * fy + 9 * ly, wx - 14 * fx + 9 * cross * lx,
        wy - 14 * fy + 9 * cross * ly, 6.5, 7.5, 0.9, 8, 35);
    cap(b, S_ARM, s, ex + 15 * fx - 9 * lx, ey + 15 * fy - 9 * ly,
        wx - 14 * fx - 9 * cross * lx, wy - 14 * fy - 9 * cross * ly, 7.5, 5.5, 0.9, -8, 35);
    ell(b, S_ARM, s, wx - 10 * fx, wy - 10 * fy, 10, 24, atan2(fy, fx), 1.4, 0, 30);
    build_hand(b, s, wx, wy, fx, fy, lx, ly);
}

/* ---- pelvis, legs, feet ---- */
static void build_pelvis(bld *b)
{
    double h = b->an->hips, t = b->an->thick_trunk;
    const double sac[6] = {-46 * h, Y(b, 745), 46 * h, Y(b, 745), 0, Y(b, 860)};
    tri(b, S_SACRUM, 0, sac, 14, 1.9, -60, t);
    cap(b, S_SACRUM, 0, -22, Y(b, 752), 22, Y(b, 752), 10, 10, 2.3, -50, t);
    cap(b, S_SACRUM, 0, 0, Y(b, 862), 0, Y(b, 892), 5, 4, 0.9, -60, t);
    for (int s = -1; s <= 1; s += 2) {
        cap(b, S_SACRUM, s, s * 38 * h, Y(b, 752), s * 28 * h, Y(b, 815), 6, 6, 2.6, -55, t);
        joint(b, JT_SI, 0, s, s * 33 * h, Y(b, 784), 12, 2.6, -55, t);
        double ix = s * 100 * h, iy = Y(b, 788);
        ell_kind(b, PK_ELLIPSE, S_PELVIS, s, ix, iy, 50 * h, 74 * b->fy, s * 0.42, 0.3, -15, t)
            ->r0 = 0.3f; /* the iliac wing: a thin plate with a thick rim */
        shell(b, S_PELVIS, s, ix, iy, 50 * h, 74 * b->fy, s * 0.42, 0.8, 1.1, -15, t);
        shell(b, S_PELVIS, s, s * 88 * h, Y(b, 868), 28, 28, 0, 0.72, 1.6, 0, t);
        cap(b, S_PELVIS, s, s * 75 * h, Y(b, 880), s * 14, Y(b, 897), 9, 8, 1.5, 45, t);
        ell(b, S_PELVIS, s, s * 8, Y(b, 903), 8, 17, 0, 2.0, 60, t);
        cap(b, S_PELVIS, s, s * 14, Y(b, 915), s * 52 * h, Y(b, 942), 7, 7, 1.3, 35, t);
        cap(b, S_PELVIS, s, s * 88 * h, Y(b, 890), s * 66 * h, Y(b, 940), 12, 11, 1.6, -10, t);
        ell(b, S_PELVIS, s, s * 64 * h, Y(b, 945), 13, 13, 0, 1.6, -20, t);
    }
}

static void build_foot(bld *b, int s, double ax, double ay, double ang)
{
    double fx = s * sin(ang), fy = cos(ang), lx = s * cos(ang), ly = -sin(ang);
    const double t = 40;
#define FP(al, ac) ax + (al) * fx + (ac) * lx, ay + (al) * fy + (ac) * ly
    double oa = atan2(fy, fx);
    ell(b, S_FOOT, s, FP(12, 0), 20, 15, oa, 1.8, 0, t);
    ell(b, S_FOOT, s, FP(28, 0), 24, 22, oa, 1.9, -25, t);
    ell(b, S_FOOT, s, FP(50, 0), 14, 27, oa, 1.7, 0, t);
    joint(b, JT_MIDFOOT, 0, s, FP(50, 0), 18, 1.7, 0, t);
    static const double off[5] = {-20, -9, 0, 9, 18}, rad[5] = {7, 5, 5, 5, 5};
    for (int d = 0; d < 5; d++) {
        double x0 = ax + 62 * fx + off[d] * lx, y0 = ay + 62 * fy + off[d] * ly;
        double x1 = ax + 105 * fx + 1.25 * off[d] * lx, y1 = ay + 105 * fy + 1.25 * off[d] * ly;
        cap(b, S_FOOT, s, x0, y0, x1, y1, rad[d], rad[d], d ? 1.0 : 1.2, 0, t);
        joint(b, JT_MTP, d + 1, s, x1, y1, d ? 7 : 10, d ? 1.0 : 1.2, 0, t);
        double tl = d ? 18 : 28, tr = d ? 3.5 : 6;
        cap(b, S_FOOT, s, x1, y1, x1 + tl * fx, y1 + tl * fy, tr, tr * 0.8, d ? 0.6 : 0.8, 0, t);
    }
#undef FP
}

static void build_leg(bld *b, int s)
{
    int i = s > 0;
    double h = b->an->hips;
    double hx = s * 88 * h, hy = Y(b, 868);
    double g = b->an->leg_ang[i];
    double dx = s * sin(g), dy = cos(g), lx = s * cos(g), ly = -sin(g);
    double lf = 400 * b->fy, lt = 410 * b->fy;
    double kx = hx + lf * dx, ky = hy + lf * dy;
    double ax = kx + lt * dx, ay = ky + lt * dy;
    double ang = atan2(dy, dx);
    /* proximal femur: head, neck, trochanters */
    double gx = hx + s * 55, gy = hy + 28;
    ell(b, S_FEMUR_PROX, s, hx, hy, 23, 23, 0, 2.0, 0, 100);
    cap(b, S_FEMUR_PROX, s, hx, hy, gx, gy, 14, 14, 1.8, 0, 100);
    ell(b, S_FEMUR_PROX, s, gx + s * 8, gy, 15, 22, 0, 2.0, -10, 100);
    ell(b, S_FEMUR_PROX, s, gx - s * 25, gy + 45, 9, 9, 0, 1.5, -10, 100);
    joint(b, JT_HIP, 0, s, hx, hy, 26, 2.0, 0, 100);
    /* femoral shaft: from below the trochanter to the condyles, proximal third separate */
    double sx = gx - s * 5, sy = gy + 25, ex = kx - 30 * dx, ey = ky - 30 * dy;
    double mx = sx + 0.35 * (ex - sx), my = sy + 0.35 * (ey - sy);
    cap(b, S_FEMUR_PROX, s, sx, sy, mx, my, 15, 15.7, 1.4, 0, 75);
    cap(b, S_FEMUR, s, mx, my, ex, ey, 15.7, 17, 1.4, 0, 75);
    ell(b, S_KNEE, s, kx - 22 * dx, ky - 22 * dy, 24, 38, ang, 2.1, -5, 55);
    ell(b, S_KNEE, s, kx - 5 * dx, ky - 5 * dy, 21, 18, ang, 1.5, 40, 55);
    ell(b, S_KNEE, s, kx + 18 * dx, ky + 18 * dy, 16, 37, ang, 2.1, -5, 55);
    joint(b, JT_KNEE, 0, s, kx, ky, 30, 2.1, 0, 55);
    /* tibia and fibula */
    cap(b, S_LEG, s, kx + 30 * dx - 4 * lx, ky + 30 * dy - 4 * ly, ax - 25 * dx,
        ay - 25 * dy, 15, 11, 1.35, 15, 50);
    cap(b, S_LEG, s, kx + 35 * dx + 30 * lx, ky + 35 * dy + 30 * ly, ax - 10 * dx + 24 * lx,
        ay - 10 * dy + 24 * ly, 8, 5.5, 0.8, -15, 50);
    ell(b, S_LEG, s, ax - 15 * dx, ay - 15 * dy, 12, 26, ang, 1.6, 5, 45);
    ell(b, S_LEG, s, ax - 8 * dx - 20 * lx, ay - 8 * dy - 20 * ly, 10, 10, 0, 1.6, 5, 45);
    ell(b, S_LEG, s, ax + 2 * dx + 26 * lx, ay + 2 * dy + 26 * ly, 9, 9, 0, 1.5, -5, 45);
    joint(b, JT_ANKLE, 0, s, ax, ay, 20, 1.6, 0, 45);
    build_foot(b, s, ax, ay + 5, g + b->an->foot_ang[i]);
}

void ph_build_skeleton(const ph_anatomy *an, const double arm_jit[2], ph_scene *s)
{
    ph_list_clear(&s->bone);
    s->n_joints = 0;
    bld b = {.s = s, .an = an, .fy = an->height / 1750.0, .bone = an->bone_up};
    build_head(&b);
    build_spine(&b);
    for (int side = -1; side <= 1; side += 2) build_ribs(&b, side);
    build_sternum_shoulders(&b);
    for (int side = -1; side <= 1; side += 2) build_arm(&b, side, arm_jit[side > 0]);
    build_pelvis(&b);
    for (int side = -1; side <= 1; side += 2) build_leg(&b, side);
}
