/* data/phantom_render.c: from a scene to expected counts, and from expected counts to a
 * Poisson counts image.
 *
 * Rasterization samples each primitive's projected profile at pixel centres of an internal
 * grid no coarser than PH_MAX_PITCH mm (outputs coarser than that are rendered k times finer
 * and binned k x k, as a camera with larger pixels would sum counts), so that thin bones do not
 * alias and every output size shows the same anatomy.  Each primitive is rasterized once and
 * accumulated into both views: the posterior view is the left-right mirror of the anterior
 * geometry, with the primitive's own posterior attenuation weight. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/phantom_model.h"
#include "util/error.h"

enum { MODE_ADD, MODE_MUL, MODE_MUL_ANT, MODE_MAX };

static float *gauss_kernel(double sigma, int *radius)
{
    int r = (int)ceil(3.0 * sigma);
    if (r < 1) r = 1;
    float *k = sc_xmalloc((size_t)(2 * r + 1) * sizeof *k);
    double sum = 0;
    for (int i = -r; i <= r; i++) sum += exp(-0.5 * i * i / (sigma * sigma));
    for (int i = -r; i <= r; i++) k[i + r] = (float)(exp(-0.5 * i * i / (sigma * sigma)) / sum);
    *radius = r;
    return k;
}

int ph_raster_init(ph_raster *ra, int h, int w)
{
    memset(ra, 0, sizeof *ra);
    double pitch = fmax(PH_FOV_H / h, PH_FOV_W / w);
    int k = (int)ceil(pitch / PH_MAX_PITCH - 1e-9);
    if (k < 1) k = 1;
    ra->h = h;
    ra->w = w;
    ra->k = k;
    ra->hi = k * h;
    ra->wi = k * w;
    ra->py = PH_FOV_H / ra->hi;
    ra->px = PH_FOV_W / ra->wi;
    size_t n = (size_t)ra->hi * (size_t)ra->wi;
    for (int v = 0; v < 2; v++) ra->map[v] = sc_xmalloc(n * sizeof(float));
    ra->soft = sc_xmalloc(n * sizeof(float));
    ra->line = sc_xmalloc(n * sizeof(float));
    ra->kx = gauss_kernel(PH_PSF_MM / ra->px, &ra->rx);
    ra->ky = gauss_kernel(PH_PSF_MM / ra->py, &ra->ry);
    return 0;
}

void ph_raster_free(ph_raster *ra)
{
    free(ra->map[0]);
    free(ra->map[1]);
    free(ra->soft);
    free(ra->line);
    free(ra->kx);
    free(ra->ky);
    memset(ra, 0, sizeof *ra);
}

/* Bounding box of a primitive (mm). */
static void prim_bbox(const ph_prim *p, double *x0, double *y0, double *x1, double *y1)
{
    const float *q = p->p;
    double r;
    switch (p->kind) {
    case PK_CAPSULE:
        r = fmax(p->r0, p->r1);
        *x0 = fmin(q[0], q[2]) - r;
        *x1 = fmax(q[0], q[2]) + r;
        *y0 = fmin(q[1], q[3]) - r;
        *y1 = fmax(q[1], q[3]) + r;
        return;
    case PK_TRIANGLE:
        *x0 = fmin(q[0], fmin(q[2], q[4]));
        *x1 = fmax(q[0], fmax(q[2], q[4]));
        *y0 = fmin(q[1], fmin(q[3], q[5]));
        *y1 = fmax(q[1], fmax(q[3], q[5]));
        return;
    case PK_GAUSS:
        r = 3.5 * fmax(q[2], q[3]);
        break;
    default:
        r = fmax(q[2], q[3]);
        break;
    }
    *x0 = q[0] - r;
    *x1 = q[0] + r;
    *y0 = q[1] - r;
    *y1 = q[1] + r;
}

/* Precomputed terms of a primitive's profile. */
typedef struct {
    int kind;
    double x0, y0, ex, ey, il2, r0, dr; /* capsule */
    double c, s, ia2, ib2, k, ik2, nrm;  /* ellipse, shell, gauss */
    double nx[3], ny[3], d0[3], iramp;   /* triangle: inward edge normals */
} prof;

static void prof_init(prof *f, const ph_prim *p)
{
    const float *q = p->p;
    memset(f, 0, sizeof *f);
    f->kind = p->kind;
    switch (p->kind) {
    case PK_CAPSULE:
        f->x0 = q[0];
        f->y0 = q[1];
        f->ex = q[2] - q[0];
        f->ey = q[3] - q[1];
        f->il2 = 1.0 / fmax(f->ex * f->ex + f->ey * f->ey, 1e-9);
        f->r0 = p->r0;
        f->dr = p->r1 - p->r0;
        break;
    case PK_TRIANGLE: {
        double area = (q[2] - q[0]) * (q[5] - q[1]) - (q[4] - q[0]) * (q[3] - q[1]);
        double sg = area < 0 ? -1.0 : 1.0;
        for (int e = 0; e < 3; e++) {
            double ax = q[2 * e], ay = q[2 * e + 1];
            double bx = q[(2 * e + 2) % 6], by = q[(2 * e + 3) % 6];
            double nx = -(by - ay) * sg, ny = (bx - ax) * sg, l = sqrt(nx * nx + ny * ny);
            f->nx[e] = nx / l;
            f->ny[e] = ny / l;
            f->d0[e] = -(f->nx[e] * ax + f->ny[e] * ay);
        }
        f->iramp = 1.0 / fmax(p->r0, 1e-3);
        break;
    }
    default:
        f->x0 = q[0];
        f->y0 = q[1];
        f->c = cos(q[4]);
        f->s = sin(q[4]);
        f->ia2 = 1.0 / ((double)q[2] * q[2]);
        f->ib2 = 1.0 / ((double)q[3] * q[3]);
        if (p->kind == PK_ELLIPSE) f->k = p->r0;
        if (p->kind == PK_SHELL) {
            f->k = p->r0;
            f->ik2 = 1.0 / (f->k * f->k);
            f->nrm = 1.0 / sqrt(1.0 - f->k * f->k);
        }
        break;
    }
}

/* Profile value in [0, 1] at (x, y) mm. */
static inline double prof_eval(const prof *f, double x, double y)
{
    switch (f->kind) {
    case PK_CAPSULE: {
        double t = ((x - f->x0) * f->ex + (y - f->y0) * f->ey) * f->il2;
        t = t < 0 ? 0 : (t > 1 ? 1 : t);
        double dx = x - f->x0 - t * f->ex, dy = y - f->y0 - t * f->ey;
        double r = f->r0 + t * f->dr, q = (dx * dx + dy * dy) / (r * r);
        return q < 1 ? sqrt(1 - q) : 0;
    }
    case PK_TRIANGLE: {
        double d = 1e30;
        for (int e = 0; e < 3; e++) d = fmin(d, f->nx[e] * x + f->ny[e] * y + f->d0[e]);
        if (d <= 0) return 0;
        d *= f->iramp;
        return d > 1 ? 1 : d;
    }
    default: {
        double dx = x - f->x0, dy = y - f->y0;
        double u = f->c * dx + f->s * dy, v = -f->s * dx + f->c * dy;
        double q = u * u * f->ia2 + v * v * f->ib2;
        if (f->kind == PK_GAUSS) return q < 12.25 ? exp(-0.5 * q) : 0;
        if (q >= 1) return 0;
        if (f->kind == PK_ELLIPSE && f->k > 0) { /* flat plate, edge ramp k */
            double e = (1 - sqrt(q)) / f->k;
            return e > 1 ? 1 : e;
        }
        if (f->kind == PK_ELLIPSE) return sqrt(1 - q);
        double in = q < f->k * f->k ? f->k * sqrt(1 - q * f->ik2) : 0;
        return (sqrt(1 - q) - in) * f->nrm;
    }
    }
}

static void raster(ph_raster *ra, const ph_prim *p, int mode, float *ant, float *post)
{
    double bx0, by0, bx1, by1;
    prim_bbox(p, &bx0, &by0, &bx1, &by1);
    const double half = PH_FOV_W / 2;
    int c0 = (int)floor((bx0 + half) / ra->px - 0.5), c1 = (int)ceil((bx1 + half) / ra->px - 0.5);
    int r0 = (int)floor(by0 / ra->py - 0.5), r1 = (int)ceil(by1 / ra->py - 0.5);
    if (c0 < 0) c0 = 0;
    if (r0 < 0) r0 = 0;
    if (c1 > ra->wi - 1) c1 = ra->wi - 1;
    if (r1 > ra->hi - 1) r1 = ra->hi - 1;
    if (c0 > c1 || r0 > r1) return;
    prof f;
    prof_init(&f, p);
    const float da = p->dens * p->wa, dp = p->dens * p->wp, dm = p->dens;
    for (int r = r0; r <= r1; r++) {
        double y = (r + 0.5) * ra->py;
        float *ra_row = ant + (size_t)r * ra->wi;
        float *rp_row = post ? post + (size_t)r * ra->wi : NULL;
        for (int c = c0; c <= c1; c++) {
            double v = prof_eval(&f, (c + 0.5) * ra->px - half, y);
            if (v <= 0) continue;
            int cm = ra->wi - 1 - c; /* the posterior view is mirrored */
            switch (mode) {
            case MODE_ADD:
                ra_row[c] += (float)(da * v);
                rp_row[cm] += (float)(dp * v);
                break;
            case MODE_MUL: {
                float m = (float)(1.0 - dm * v);
                if (m < 0) m = 0;
                ra_row[c] *= m;
                rp_row[cm] *= m;
                break;
            }
            case MODE_MUL_ANT: {
                float m = (float)(1.0 - dm * v);
                ra_row[c] *= m < 0 ? 0 : m;
                break;
            }
            default: /* MODE_MAX: soft-tissue silhouette */
                if ((float)(da * v) > ra_row[c]) ra_row[c] = (float)(da * v);
                break;
            }
        }
    }
}

/* Separable Gaussian blur of one hi x wi map, zero outside the field of view. */
static void blur(ph_raster *ra, float *img)
{
    const int H = ra->hi, W = ra->wi, rx = ra->rx, ry = ra->ry;
    float *tmp = ra->line;
    for (int r = 0; r < H; r++) { /* vertical pass into tmp, row by row */
        float *out = tmp + (size_t)r * W;
        memset(out, 0, (size_t)W * sizeof *out);
        for (int j = -ry; j <= ry; j++) {
            int rr = r + j;
            if (rr < 0 || rr >= H) continue;
            const float kk = ra->ky[j + ry], *in = img + (size_t)rr * W;
            for (int c = 0; c < W; c++) out[c] += kk * in[c];
        }
    }
    for (int r = 0; r < H; r++) { /* horizontal pass back into img */
        const float *in = tmp + (size_t)r * W;
        float *out = img + (size_t)r * W;
        for (int c = 0; c < W; c++) {
            int j0 = c - rx < 0 ? rx - c : 0, j1 = c + rx >= W ? rx + (W - 1 - c) : 2 * rx;
            float s = 0;
            for (int j = j0; j <= j1; j++) s += ra->kx[j] * in[c - rx + j];
            out[c] = s;
        }
    }
}

void ph_render(ph_raster *ra, const ph_scene *s, const ph_pose *po, float *expected)
{
    const size_t n = (size_t)ra->hi * (size_t)ra->wi;
    float *A = ra->map[0], *P = ra->map[1], *S = ra->soft;
    memset(A, 0, n * sizeof *A);
    memset(P, 0, n * sizeof *P);
    memset(S, 0, n * sizeof *S);
    for (int i = 0; i < s->bone.n; i++) raster(ra, &s->bone.v[i], MODE_ADD, A, P);
    for (int i = 0; i < s->cold.n; i++) raster(ra, &s->cold.v[i], MODE_MUL, A, P);
    for (int i = 0; i < s->add.n; i++) raster(ra, &s->add.v[i], MODE_ADD, A, P);
    for (int i = 0; i < s->soft.n; i++) raster(ra, &s->soft.v[i], MODE_MAX, S, NULL);
    for (int r = 0; r < ra->hi; r++) {
        const float *srow = S + (size_t)r * ra->wi;
        float *arow = A + (size_t)r * ra->wi, *prow = P + (size_t)r * ra->wi;
        for (int c = 0; c < ra->wi; c++) {
            arow[c] += srow[c];
            prow[ra->wi - 1 - c] += srow[c];
        }
    }
    for (int i = 0; i < s->shade.n; i++) raster(ra, &s->shade.v[i], MODE_MUL_ANT, A, NULL);

    const int k = ra->k, h = ra->h, w = ra->w;
    /* Background (room background and scatter outside the body) scales with the counts, as
     * both grow with acquisition time; po->bg is per native-size pixel at 2.25 M counts. */
    const double area = (PH_FOV_H / h) * (PH_FOV_W / w) / ((PH_FOV_H / 1024) * (PH_FOV_W / 256));
    for (int v = 0; v < 2; v++) {
        float *m = ra->map[v], *out = expected + (size_t)v * h * w;
        blur(ra, m);
        double sum = 0;
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++) {
                double acc = 0;
                for (int i = 0; i < k; i++) {
                    const float *row = m + (size_t)(r * k + i) * ra->wi + (size_t)c * k;
                    for (int j = 0; j < k; j++) acc += row[j];
                }
                out[(size_t)r * w + c] = (float)acc;
                sum += acc;
            }
        double bg = po->bg * area * po->counts[v] / 2.25e6;
        double scale = (po->counts[v] - bg * h * w) / (sum > 0 ? sum : 1.0);
        if (scale < 0) scale = 0;
        for (size_t i = 0; i < (size_t)h * w; i++) out[i] = (float)(out[i] * scale + bg);
    }
}

uint32_t ph_poisson(sc_rng *r, double mu)
{
    if (!(mu > 0)) return 0;
    if (mu < 10) { /* inversion: one uniform, a short sequential search */
        double u = sc_rng_uniform(r), p = exp(-mu), F = p;
        uint32_t k = 0;
        while (u > F && k < 200) {
            k++;
            p *= mu / k;
            F += p;
        }
        return k;
    }
    /* PTRS: transformed rejection with squeeze (Hormann 1993), as in numpy. */
    double slam = sqrt(mu), loglam = log(mu);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        double U = sc_rng_uniform(r) - 0.5, V = sc_rng_uniform(r);
        double us = 0.5 - fabs(U);
        double kf = floor((2 * a / us + b) * U + mu + 0.43);
        if (us >= 0.07 && V <= vr) return (uint32_t)kf;
        if (kf < 0 || (us < 0.013 && V > us)) continue;
        if (log(V) + log(invalpha) - log(a / (us * us) + b) <= -mu + kf * loglam - lgamma(kf + 1))
            return (uint32_t)kf;
    }
}

void ph_sample_counts(sc_rng *r, const float *expected, uint16_t *out, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        uint32_t k = ph_poisson(r, expected[i]);
        out[i] = (uint16_t)(k > 65535 ? 65535 : k);
    }
}
