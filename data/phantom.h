/* data/phantom.h: the synthetic whole-body bone-scan phantom (`spectcv synth`).
 *
 * Each scan has an anterior and a posterior view of counts (uint16), labels {metastasis,
 * arthritis, normal} with normal = neither disease, and a patient id.  A patient's scans share
 * anatomy and disease (a follow-up changes position, counts, physiology and lesion intensity,
 * and may add lesions).  docs/phantom.md describes the model, its parameters and its sources.
 *
 * Determinism: every random quantity comes from a stream seeded by sc_seed4(seed, patient,
 * scan, tag, ...) (util/rng.h): scan (p, s) is the same whatever else is generated, and the
 * anatomy of patient p does not depend on the size, the number of patients or the
 * prevalences. */
#ifndef SC_DATA_PHANTOM_H
#define SC_DATA_PHANTOM_H

#include <stddef.h>
#include <stdint.h>

enum { SC_PH_METASTASIS = 0, SC_PH_ARTHRITIS = 1, SC_PH_NORMAL = 2, SC_PH_LABELS = 3 };
enum { SC_PH_ANTERIOR = 0, SC_PH_POSTERIOR = 1, SC_PH_VIEWS = 2 };
extern const char *const sc_phantom_label_names[SC_PH_LABELS];
extern const char *const sc_phantom_view_names[SC_PH_VIEWS];

typedef struct sc_phantom_params {
    int64_t patients;          /* 200 */
    int scans_min, scans_max;  /* scans per patient, 1..2 */
    double p_metastasis;       /* patient-level prevalence, 0.35 */
    double p_arthritis;        /* patient-level prevalence, 0.20 */
    double difficulty;         /* 0 easy .. 1 default (clinical ranges) .. 4 very hard */
    uint64_t seed;             /* 1 */
    int h, w;                  /* size of each view, 1024 x 256 */
    double counts_min, counts_max; /* total counts per view, 1.5e6 .. 3e6 */
} sc_phantom_params;

#define SC_PH_MAX_DIFFICULTY 4.0
#define SC_PH_MAX_SCANS 16

void sc_phantom_defaults(sc_phantom_params *p);
/* Validate; the error names the parameter (as its command-line option). */
int sc_phantom_check(const sc_phantom_params *p);
/* One-line "key=value ..." description (provenance attribute). */
void sc_phantom_describe(const sc_phantom_params *p, char *buf, size_t n);

/* The plan: which scans exist, in file order (patient-major). */
typedef struct {
    int64_t patient;
    int scan, n_scans;
    uint8_t labels[SC_PH_LABELS];
} sc_phantom_scan_id;
/* *out is malloc'ed (caller frees). */
int sc_phantom_plan(const sc_phantom_params *p, sc_phantom_scan_id **out, int64_t *n);

/* Ground truth of one generated scan (tests, preview legend). */
typedef struct {
    uint8_t labels[SC_PH_LABELS];
    int met_hot, met_cold, arth_spots; /* disease findings present in this scan */
    int benign_spots;                  /* focal benign hot spots (confounders) */
    int injection, superscan;
    double expected_total[SC_PH_VIEWS]; /* sum of expected counts per view */
} sc_phantom_truth;

/* A generator: holds the rendering buffers and the current patient. */
typedef struct sc_phantom sc_phantom;
sc_phantom *sc_phantom_new(const sc_phantom_params *p);
void sc_phantom_free(sc_phantom *g);
/* Scan `scan` of `patient`: counts image [2][h][w].  truth may be NULL. */
int sc_phantom_scan(sc_phantom *g, int64_t patient, int scan, uint16_t *image,
                    sc_phantom_truth *truth);
/* The same scan without counting noise: expected counts [2][h][w]. */
int sc_phantom_expected(sc_phantom *g, int64_t patient, int scan, float *expected,
                        sc_phantom_truth *truth);

/* ---- the data-set driver ---- */
/* Called after each scan; a non-zero return stops the run (then nothing is left at path). */
typedef int (*sc_phantom_progress)(void *ctx, int64_t done, int64_t total);

typedef struct {
    const char *preview_dir; /* NULL: no preview */
    int preview_per_set;     /* previews per label combination (default 3) */
    sc_phantom_progress progress;
    void *ctx;
} sc_phantom_write_opts;

typedef struct {
    int64_t scans, patients;
    int64_t positives[SC_PH_LABELS];
    int previews;
    double seconds;
} sc_phantom_summary;

/* Generate the whole set into `path` (data/dataset.h format, with provenance attributes). */
int sc_phantom_write(const sc_phantom_params *p, const char *path,
                     const sc_phantom_write_opts *opts, sc_phantom_summary *sum);

#endif
