/* data/phantom.c: parameters, the plan of scans, and the per-scan generator (phantom.h). */
#include "data/phantom.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/phantom_model.h"
#include "util/error.h"

const char *const sc_phantom_label_names[SC_PH_LABELS] = {"metastasis", "arthritis", "normal"};
const char *const sc_phantom_view_names[SC_PH_VIEWS] = {"anterior", "posterior"};

void sc_phantom_defaults(sc_phantom_params *p)
{
    memset(p, 0, sizeof *p);
    p->patients = 200;
    p->scans_min = 1;
    p->scans_max = 2;
    p->p_metastasis = 0.35;
    p->p_arthritis = 0.20;
    p->difficulty = 1.0;
    p->seed = 1;
    p->h = 1024;
    p->w = 256;
    p->counts_min = 1.5e6;
    p->counts_max = 3.0e6;
}

int sc_phantom_check(const sc_phantom_params *p)
{
    SC_CHECK(p->patients >= 1 && p->patients <= 100000000,
             "--patients: expected 1 to 100000000, got %" PRId64, p->patients);
    SC_CHECK(p->scans_min >= 1 && p->scans_max >= p->scans_min && p->scans_max <= SC_PH_MAX_SCANS,
             "--scans-per-patient: expected 1 <= min <= max <= %d, got %d..%d", SC_PH_MAX_SCANS,
             p->scans_min, p->scans_max);
    SC_CHECK(p->p_metastasis >= 0 && p->p_metastasis <= 1,
             "--p-metastasis: expected a probability in [0, 1], got %g", p->p_metastasis);
    SC_CHECK(p->p_arthritis >= 0 && p->p_arthritis <= 1,
             "--p-arthritis: expected a probability in [0, 1], got %g", p->p_arthritis);
    SC_CHECK(p->difficulty >= 0 && p->difficulty <= SC_PH_MAX_DIFFICULTY,
             "--difficulty: expected a number in [0, %g], got %g", SC_PH_MAX_DIFFICULTY,
             p->difficulty);
    /* At least 16 x 4 (about 13 cm pixels: still a body) and no more than 4x native. */
    SC_CHECK(p->h >= 16 && p->h <= 4096 && p->w >= 4 && p->w <= 1024,
             "--size: expected H in [16, 4096] and W in [4, 1024], got %dx%d", p->h, p->w);
    SC_CHECK(p->counts_min >= 1e4 && p->counts_max >= p->counts_min && p->counts_max <= 1e9,
             "--counts: expected 10000 <= min <= max <= 1e9, got %g..%g", p->counts_min,
             p->counts_max);
    return 0;
fail:
    return -1;
}

void sc_phantom_describe(const sc_phantom_params *p, char *buf, size_t n)
{
    snprintf(buf, n,
             "patients=%" PRId64 " scans_per_patient=%d..%d p_metastasis=%g p_arthritis=%g "
             "difficulty=%g seed=%" PRIu64 " size=%dx%d counts=%.0f..%.0f",
             p->patients, p->scans_min, p->scans_max, p->p_metastasis, p->p_arthritis,
             p->difficulty, p->seed, p->h, p->w, p->counts_min, p->counts_max);
}

int sc_phantom_plan(const sc_phantom_params *p, sc_phantom_scan_id **out, int64_t *n)
{
    *out = NULL;
    *n = 0;
    SC_TRY(sc_phantom_check(p));
    int64_t total = 0;
    for (int64_t i = 0; i < p->patients; i++) total += ph_patient_scans(p, i);
    sc_phantom_scan_id *v = sc_xmalloc((size_t)total * sizeof *v);
    int64_t k = 0;
    for (int64_t i = 0; i < p->patients; i++) {
        int ns = ph_patient_scans(p, i), met, arth;
        ph_patient_labels(p, i, &met, &arth);
        for (int s = 0; s < ns; s++, k++) {
            v[k].patient = i;
            v[k].scan = s;
            v[k].n_scans = ns;
            v[k].labels[SC_PH_METASTASIS] = (uint8_t)met;
            v[k].labels[SC_PH_ARTHRITIS] = (uint8_t)arth;
            v[k].labels[SC_PH_NORMAL] = (uint8_t)(!met && !arth);
        }
    }
    *out = v;
    *n = total;
    return 0;
fail:
    return -1;
}

struct sc_phantom {
    sc_phantom_params p;
    ph_raster ra;
    ph_scene scene;
    ph_patient patient; /* the last one made: scans of one patient come together */
    int have_patient;
    float *expected;
};

sc_phantom *sc_phantom_new(const sc_phantom_params *p)
{
    if (sc_phantom_check(p)) return NULL;
    sc_phantom *g = sc_xcalloc(1, sizeof *g);
    g->p = *p;
    ph_raster_init(&g->ra, p->h, p->w);
    g->expected = sc_xmalloc((size_t)2 * p->h * p->w * sizeof(float));
    return g;
}

void sc_phantom_free(sc_phantom *g)
{
    if (!g) return;
    ph_raster_free(&g->ra);
    ph_scene_free(&g->scene);
    free(g->expected);
    free(g);
}

int sc_phantom_expected(sc_phantom *g, int64_t patient, int scan, float *expected,
                        sc_phantom_truth *truth)
{
    SC_CHECK(patient >= 0 && patient < g->p.patients, "phantom: patient %" PRId64
             " out of range [0, %" PRId64 ")", patient, g->p.patients);
    if (!g->have_patient || g->patient.id != patient) {
        ph_make_patient(&g->p, patient, &g->patient);
        g->have_patient = 1;
    }
    SC_CHECK(scan >= 0 && scan < g->patient.n_scans,
             "phantom: patient %" PRId64 " has %d scans, asked for scan %d", patient,
             g->patient.n_scans, scan);
    ph_pose po;
    ph_truth t;
    ph_make_scene(&g->p, &g->patient, scan, &g->scene, &po, &t);
    ph_render(&g->ra, &g->scene, &po, expected);
    if (truth) {
        memset(truth, 0, sizeof *truth);
        truth->labels[SC_PH_METASTASIS] = (uint8_t)g->patient.met;
        truth->labels[SC_PH_ARTHRITIS] = (uint8_t)g->patient.arth;
        truth->labels[SC_PH_NORMAL] = (uint8_t)(!g->patient.met && !g->patient.arth);
        truth->met_hot = t.met_hot;
        truth->met_cold = t.met_cold;
        truth->arth_spots = t.arth_spots;
        truth->benign_spots = t.benign_spots;
        truth->injection = t.injection;
        truth->superscan = t.superscan;
        size_t n = (size_t)g->p.h * g->p.w;
        for (int v = 0; v < 2; v++) {
            double s = 0;
            for (size_t i = 0; i < n; i++) s += expected[v * n + i];
            truth->expected_total[v] = s;
        }
    }
    return 0;
fail:
    return -1;
}

int sc_phantom_scan(sc_phantom *g, int64_t patient, int scan, uint16_t *image,
                    sc_phantom_truth *truth)
{
    SC_TRY(sc_phantom_expected(g, patient, scan, g->expected, truth));
    sc_rng r;
    ph_stream(&r, g->p.seed, patient, (uint64_t)scan, TAG_NOISE);
    ph_sample_counts(&r, g->expected, image, (int64_t)2 * g->p.h * g->p.w);
    return 0;
fail:
    return -1;
}
