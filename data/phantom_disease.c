/* data/phantom_disease.c: metastases, arthritis and benign findings (confounders).
 *
 * Metastasis (research note 7.3): focal hot spots, heavy-tailed count (bins <=3, 4-6, >6),
 * sites weighted spine 35%, ribs 20%, pelvis 20%, proximal femur/humerus 10%, skull 7%,
 * sternum/scapula/clavicle 8% (shifted by the primary: prostate, breast, lung), usually
 * asymmetric and irregular, visible on both views with the host bone's depth weights; ~8%
 * cold (lytic) defects; rare superscans.
 * Arthritis (7.4): joint-centred spots, mostly bilateral and symmetric, osteoarthritis (knees,
 * DIP, CMC1, first MTP, hips, lumbar facets) or rheumatoid (wrists, MCP, PIP, MTP, ankles),
 * smaller and lower contrast than metastases.
 * Benign findings occur at the same rates in every class (7.2): degenerative single-joint
 * spots, old rib fractures, dental uptake, a hip prosthesis; and per scan an injection site,
 * urine contamination, free pertechnetate, a belt buckle. */
#include <math.h>
#include <stddef.h>

#include "data/phantom_model.h"

/* ---- host selection ---- */
static double prim_area(const ph_prim *p)
{
    switch (p->kind) {
    case PK_CAPSULE: {
        double dx = p->p[2] - p->p[0], dy = p->p[3] - p->p[1];
        return (sqrt(dx * dx + dy * dy) + p->r0 + p->r1) * (p->r0 + p->r1);
    }
    case PK_TRIANGLE:
        return 0.5 * fabs((p->p[2] - p->p[0]) * (p->p[5] - p->p[1]) -
                          (p->p[4] - p->p[0]) * (p->p[3] - p->p[1]));
    default:
        return M_PI * p->p[2] * p->p[3];
    }
}

/* A bone primitive of one of `sites` (terminated by S_NONE), drawn by area; -1 if none. */
static int pick_host(sc_rng *r, const ph_scene *sk, const int *sites)
{
    double total = 0;
    for (int pass = 0; pass < 2; pass++) {
        double u = pass ? ph_unif(r, 0, total) : 0, acc = 0;
        for (int i = 0; i < sk->bone.n; i++) {
            const ph_prim *p = &sk->bone.v[i];
            int ok = 0;
            for (const int *s = sites; *s != S_NONE; s++) ok |= p->site == *s;
            if (!ok) continue;
            double a = prim_area(p);
            if (!pass) {
                total += a;
            } else if ((acc += a) >= u) {
                return i;
            }
        }
        if (total <= 0) return -1;
    }
    return -1;
}

/* A position on the host, as (u, v) of ph_lesion. */
static void pick_point(sc_rng *r, const ph_prim *p, float *u, float *v)
{
    switch (p->kind) {
    case PK_CAPSULE:
        *u = (float)ph_unif(r, 0.05, 0.95);
        *v = (float)ph_unif(r, -0.5, 0.5);
        return;
    case PK_TRIANGLE: {
        double a = sc_rng_uniform(r), b = sc_rng_uniform(r);
        if (a + b > 1) {
            a = 1 - a;
            b = 1 - b;
        }
        *u = (float)a;
        *v = (float)b;
        return;
    }
    default: {
        double rad = (p->kind == PK_SHELL ? 0.9 : 0.6) * sqrt(sc_rng_uniform(r));
        double th = ph_unif(r, 0, 2 * M_PI);
        *u = (float)(rad * cos(th));
        *v = (float)(rad * sin(th));
        return;
    }
    }
}

static ph_lesion *new_lesion(ph_patient *pt)
{
    if (pt->n_les >= PH_MAX_LESIONS) return NULL;
    ph_lesion *l = &pt->les[pt->n_les++];
    *l = (ph_lesion){0};
    return l;
}

/* ---- metastases ---- */
static int lesion_count(sc_rng *r)
{
    double u = sc_rng_uniform(r);
    if (u < 0.45) { /* <= 3 */
        double v = sc_rng_uniform(r);
        return v < 0.4 ? 1 : (v < 0.75 ? 2 : 3);
    }
    if (u < 0.75) return 4 + (int)sc_rng_below(r, 3); /* 4-6 */
    int n = 7;                                         /* > 6: geometric tail */
    while (n < 30 && ph_bern(r, 0.82)) n++;
    return n;
}

static void draw_one_metastasis(sc_rng *r, const ph_scene *sk, ph_patient *pt, int first_scan,
                                const double w[6], int near)
{
    static const int spine[] = {S_CSPINE, S_TSPINE, S_LSPINE, S_NONE};
    static const int ribs[] = {S_RIB, S_NONE};
    static const int pelvis[] = {S_PELVIS, S_SACRUM, S_NONE};
    static const int prox_f[] = {S_FEMUR_PROX, S_NONE}, prox_h[] = {S_HUMERUS_PROX, S_NONE};
    static const int skull[] = {S_SKULL, S_NONE};
    static const int other[] = {S_STERNUM, S_SCAPULA, S_CLAVICLE, S_NONE};
    const int *groups[6] = {spine, ribs, pelvis, prox_f, skull, other};
    int host = -1;
    if (near >= 0 && ph_bern(r, 0.35)) {
        /* metastases cluster: often a neighbouring vertebra (6 primitives each) or rib (9) */
        int site = sk->bone.v[near].site;
        int per = site == S_RIB ? 9 : (site == S_TSPINE || site == S_LSPINE ? 6 : 0);
        int step = (int)sc_rng_below(r, 3) + 1, h = near + (ph_bern(r, 0.5) ? step : -step) * per;
        if (per && h >= 0 && h < sk->bone.n && sk->bone.v[h].site == site) host = h;
    }
    if (host < 0) {
        double u = ph_unif(r, 0, w[0] + w[1] + w[2] + w[3] + w[4] + w[5]), acc = 0;
        int g = 0;
        for (; g < 5; g++)
            if ((acc += w[g]) >= u) break;
        const int *sites = groups[g];
        if (g == 3 && ph_bern(r, 0.35)) sites = prox_h;
        host = pick_host(r, sk, sites);
    }
    ph_lesion *l = host >= 0 ? new_lesion(pt) : NULL;
    if (!l) return;
    const ph_prim *hp = &sk->bone.v[host];
    l->host = host;
    l->kind = LK_METASTASIS;
    l->first_scan = (uint8_t)first_scan;
    pick_point(r, hp, &l->u, &l->v);
    double diam = ph_logu(r, 10, 40); /* 1-4 cm */
    l->sigma = (float)(diam / 2.355);
    l->aspect = (float)ph_unif(r, 1.0, 2.2);
    l->angle = (float)(hp->kind == PK_CAPSULE ? ph_norm(r, 0, 0.25, -0.8, 0.8) : ph_unif(r, 0, M_PI));
    if (hp->site == S_RIB) { /* along the rib, no wider than a little more than the rib */
        l->sigma = (float)fmin(l->sigma, ph_unif(r, 4, 7));
        l->aspect = (float)ph_unif(r, 1.5, 3.0);
    }
    l->cold = (uint8_t)ph_bern(r, 0.08);
    if (l->cold) {
        l->contrast = (float)ph_unif(r, 0.4, 0.85);
        l->rim = (uint8_t)ph_bern(r, 0.5);
        l->sigma *= 1.2f;
    } else {
        l->contrast = (float)ph_logu(r, 0.5, 4.0); /* 1.5-5x the local bone */
    }
    l->n_sat = (uint8_t)sc_rng_below(r, 3);
    for (int k = 0; k < l->n_sat; k++) {
        l->sat[k][0] = (float)ph_norm(r, 0, 0.9, -1.8, 1.8);
        l->sat[k][1] = (float)ph_norm(r, 0, 0.9, -1.8, 1.8);
        l->sat[k][2] = (float)ph_unif(r, 0.3, 0.7);
    }
}

void ph_draw_metastases(sc_rng *r, const ph_scene *sk, ph_patient *pt)
{
    /* spine, ribs, pelvis, proximal femur/humerus, skull, sternum/scapula/clavicle */
    double w[6] = {0.35, 0.20, 0.20, 0.10, 0.07, 0.08};
    double primary = sc_rng_uniform(r);
    if (primary < 0.4) { /* prostate: spine and pelvis */
        w[2] *= 1.5;
        w[1] *= 0.7;
    } else if (primary < 0.75) { /* breast: spine, ribs, sternum */
        w[1] *= 1.2;
        w[5] *= 2.0;
    } else { /* lung: ribs, then spine */
        w[1] *= 1.5;
    }
    pt->superscan = ph_bern(r, 0.03);
    int n = lesion_count(r);
    int last = -1;
    for (int i = 0; i < n; i++) {
        draw_one_metastasis(r, sk, pt, 0, w, last);
        if (pt->n_les) last = pt->les[pt->n_les - 1].host;
    }
    /* follow-up scans: progression may add lesions */
    for (int s = 1; s < pt->n_scans; s++)
        if (ph_bern(r, 0.4)) {
            int k = 1 + (int)sc_rng_below(r, 2);
            for (int i = 0; i < k; i++) draw_one_metastasis(r, sk, pt, s, w, last);
        }
}

/* ---- arthritis ---- */
static ph_spot *new_spot(ph_patient *pt)
{
    if (pt->n_spots >= PH_MAX_SPOTS) return NULL;
    ph_spot *s = &pt->spots[pt->n_spots++];
    *s = (ph_spot){0};
    return s;
}

static void add_spot(sc_rng *r, ph_patient *pt, int type, int digit, int side, int kind,
                     double contrast)
{
    ph_spot *s = new_spot(pt);
    if (!s) return;
    s->type = (uint8_t)type;
    s->digit = (uint8_t)digit;
    s->side = (int8_t)side;
    s->kind = (uint8_t)kind;
    s->size = (float)ph_unif(r, 0.8, 1.3);
    s->contrast = (float)(contrast * ph_unif(r, 0.75, 1.3));
}

void ph_draw_arthritis(sc_rng *r, ph_patient *pt)
{
    static const struct {
        int type, digits; /* digits: 0 (single joint), 4 (2-5) or 5 (1-5) */
        double p_oa, p_ra;
    } g[] = {
        {JT_KNEE, 0, 0.60, 0.35},  {JT_HIP, 0, 0.25, 0.10},     {JT_SHOULDER, 0, 0.15, 0.25},
        {JT_ELBOW, 0, 0.05, 0.20}, {JT_WRIST, 0, 0.15, 0.70},   {JT_CMC1, 0, 0.35, 0.05},
        {JT_MCP, 5, 0.05, 0.60},   {JT_PIP, 5, 0.10, 0.45},     {JT_DIP, 4, 0.30, 0.05},
        {JT_ANKLE, 0, 0.10, 0.35}, {JT_MIDFOOT, 0, 0.10, 0.20}, {JT_MTP, 5, 0.30, 0.50},
        {JT_FACET_L45, 0, 0.20, 0.0}, {JT_FACET_L5S1, 0, 0.15, 0.0}, {JT_AC, 0, 0.15, 0.05},
    };
    const int ng = (int)(sizeof g / sizeof g[0]);
    int ra = ph_bern(r, 0.4);
    double level = ph_logu(r, 0.3, 2.0); /* 1.3-3x the joint's bone: shared by its joints */
    int any = 0;
    for (int pass = 0; pass < 2 && !any; pass++) {
        for (int i = 0; i < ng; i++) {
            double p = ra ? g[i].p_ra : g[i].p_oa;
            if (pass) p = p >= 0.5 ? 1.0 : 0.0; /* nothing drawn: take the pattern's hallmark */
            if (!ph_bern(r, p)) continue;
            any = 1;
            int first = ph_side(r), both = ph_bern(r, ra ? 0.85 : 0.75);
            int digits[6] = {0}, nd = 0;
            if (g[i].digits) {
                int lo = g[i].digits == 4 ? 2 : 1;
                for (int d = lo; d <= 5; d++) {
                    double pd = 0.5;
                    if (g[i].type == JT_MTP && !ra) pd = d == 1 ? 1.0 : 0.1; /* OA: bunion joint */
                    if (g[i].type == JT_MCP && (d == 2 || d == 3)) pd = 0.9; /* RA starts there */
                    if (ph_bern(r, pd)) digits[nd++] = d;
                }
                if (!nd) digits[nd++] = lo + (int)sc_rng_below(r, (uint64_t)(6 - lo));
            } else {
                digits[nd++] = 0;
            }
            for (int k = 0; k < nd; k++) {
                add_spot(r, pt, g[i].type, digits[k], first, SK_ARTHRITIS, level);
                /* the other side: mostly the same joints (symmetric disease) */
                if (both && (g[i].digits == 0 || ph_bern(r, 0.8)))
                    add_spot(r, pt, g[i].type, digits[k], -first, SK_ARTHRITIS, level);
            }
        }
    }
}

/* ---- benign, patient-level ---- */
void ph_draw_benign(sc_rng *r, const ph_scene *sk, ph_patient *pt)
{
    /* degenerative single-joint spots: unilateral, low contrast */
    static const struct {
        int type, digit;
        double w;
    } d[] = {{JT_MTP, 1, 0.2},      {JT_CMC1, 0, 0.15}, {JT_FACET_L45, 0, 0.1},
             {JT_FACET_L5S1, 0, 0.1}, {JT_KNEE, 0, 0.15}, {JT_AC, 0, 0.1},
             {JT_SC, 0, 0.05},      {JT_FACET_C56, 0, 0.05}, {JT_DIP, 0, 0.1}};
    double u = sc_rng_uniform(r);
    int n = u < 0.5 ? 0 : (u < 0.8 ? 1 : (u < 0.95 ? 2 : 3));
    for (int i = 0; i < n; i++) {
        double v = sc_rng_uniform(r), acc = 0;
        int k = 0;
        for (; k < (int)(sizeof d / sizeof d[0]) - 1; k++)
            if ((acc += d[k].w) >= v) break;
        int digit = d[k].type == JT_DIP ? 2 + (int)sc_rng_below(r, 4) : d[k].digit;
        add_spot(r, pt, d[k].type, digit, ph_side(r), SK_DEGENERATIVE, ph_logu(r, 0.2, 1.0));
    }
    /* old rib fractures: one to three consecutive ribs, aligned */
    if (ph_bern(r, 0.05)) {
        int side = ph_side(r), k0 = 3 + (int)sc_rng_below(r, 6), seg = 2 + (int)sc_rng_below(r, 4);
        int nr = 1 + (int)sc_rng_below(r, 3), idx = 0;
        double c = ph_logu(r, 0.5, 2.0);
        for (int i = 0; i < sk->bone.n; i++) {
            const ph_prim *p = &sk->bone.v[i];
            if (p->site != S_RIB || p->side != side) continue;
            int rib = idx / 9, sg = idx % 9;
            idx++;
            if (sg != seg || rib < k0 || rib >= k0 + nr) continue;
            ph_lesion *l = new_lesion(pt);
            if (!l) break;
            l->host = i;
            l->kind = LK_FRACTURE;
            l->u = (float)ph_unif(r, 0.3, 0.7);
            l->sigma = (float)ph_unif(r, 4, 6);
            l->aspect = 1.3f;
            l->contrast = (float)(c * ph_unif(r, 0.8, 1.2));
        }
    }
    if (ph_bern(r, 0.10)) { /* dental or maxillary uptake */
        static const int face[] = {S_FACE, S_NONE};
        int h = pick_host(r, sk, face);
        ph_lesion *l = h >= 0 ? new_lesion(pt) : NULL;
        if (l) {
            l->host = h;
            l->kind = LK_DENTAL;
            pick_point(r, &sk->bone.v[h], &l->u, &l->v);
            l->sigma = (float)ph_unif(r, 5, 9);
            l->aspect = 1.2f;
            l->contrast = (float)ph_logu(r, 0.4, 1.5);
        }
    }
    pt->prosthesis = ph_bern(r, 0.02) ? ph_side(r) : 0;
}
