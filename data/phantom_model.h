/* data/phantom_model.h: internal model of the whole-body bone-scan phantom, shared by the
 * phantom_*.c files (not part of the public API: see phantom.h).
 *
 * Geometry lives in millimetres, never in pixels, so that every output size shows the same
 * anatomy: the skeleton is built in the patient frame (x lateral, + = the patient's left; y down
 * from the vertex; z depth, + = anterior, 0 = the trunk's coronal mid-plane), then one rigid
 * transform per scan places it in the field of view.  The pixel grid only samples it.
 *
 * A scene is a set of primitives, each with a peak activity density and two attenuation
 * weights, one per view: exp(-mu * distance to the camera's skin surface).  That is what makes
 * the spine brighter on the posterior view and the sternum on the anterior view. */
#ifndef SC_DATA_PHANTOM_MODEL_H
#define SC_DATA_PHANTOM_MODEL_H

#include <stdint.h>

#include <math.h>

#include "util/rng.h"
#include "util/seeds.h"

/* Field of view of a whole-body pass (research note 7.1: 256 x 1024 matrix, 2-2.4 mm pixels). */
#define PH_FOV_H 2100.0
#define PH_FOV_W 600.0
/* Gaussian PSF: sigma 1.75 px at the native 1024 x 256 matrix (research note 7.1), in mm. */
#define PH_PSF_MM 3.85
/* Effective broad-beam attenuation of 140 keV photons in soft tissue (1/mm). */
#define PH_MU 0.010
/* Finest pitch the rasterizer needs (mm): coarser outputs are rendered finer and binned. */
#define PH_MAX_PITCH 2.9

enum ph_kind { PK_CAPSULE, PK_ELLIPSE, PK_SHELL, PK_TRIANGLE, PK_GAUSS };

/* Anatomical region of a bone primitive: lesion placement draws sites by these. */
enum ph_site {
    S_NONE, S_SKULL, S_FACE, S_CSPINE, S_TSPINE, S_LSPINE, S_SACRUM, S_RIB, S_STERNUM,
    S_CLAVICLE, S_SCAPULA, S_PELVIS, S_FEMUR_PROX, S_FEMUR, S_HUMERUS_PROX, S_HUMERUS,
    S_KNEE, S_LEG, S_FOOT, S_ARM, S_HAND, S_N
};

/* One primitive.  Geometry by kind:
 *   PK_CAPSULE  p = x0 y0 x1 y1, radii r0 -> r1 (tapered rod; projected chord profile)
 *   PK_ELLIPSE  p = cx cy a b angle (projected ellipsoid; r0 > 0: a flat plate whose edge
 *               ramps over that fraction of the radius)
 *   PK_SHELL    p = cx cy a b angle, r0 = inner/outer ratio (hollow ellipsoid: bright rim)
 *   PK_TRIANGLE p = three corners, r0 = edge ramp width (thin plate: scapula, sacrum)
 *   PK_GAUSS    p = cx cy sigma_u sigma_v angle (lesions, spots, organs' fine structure)
 * dens is the peak value; wa / wp the anterior / posterior attenuation weights. */
typedef struct {
    uint8_t kind, site;
    int8_t side; /* -1 patient's right, 0 midline, +1 left */
    float p[6];
    float r0, r1;
    float dens;
    float wa, wp;
} ph_prim;

typedef struct {
    ph_prim *v;
    int n, cap;
} ph_list;

/* Joints: arthritis and degenerative spots are centred on them. */
enum ph_joint_type {
    JT_SHOULDER, JT_AC, JT_SC, JT_ELBOW, JT_WRIST, JT_CMC1, JT_MCP, JT_PIP, JT_DIP, JT_HIP,
    JT_SI, JT_KNEE, JT_ANKLE, JT_MIDFOOT, JT_MTP, JT_FACET_L45, JT_FACET_L5S1, JT_FACET_C56,
    JT_N
};
#define PH_MAX_JOINTS 96

typedef struct {
    uint8_t type, digit; /* digit 1..5 for MCP/PIP/DIP/MTP (PIP of digit 1 = thumb IP), else 0 */
    int8_t side;
    float x, y, r; /* centre and size (mm) */
    float dens;    /* peak density of the bone around it: spots are relative to it */
    float wa, wp;
} ph_joint;

typedef struct {
    ph_list bone;  /* skeleton, in a fixed order for a given patient (lesions refer to ids) */
    ph_list cold;  /* multiplicative defects of bone (lytic lesions, prostheses): dens = depth */
    ph_list add;   /* additive after the defects: organs, lesions, spots, hot confounders */
    ph_list soft;  /* soft tissue: max-blended (a silhouette, not a sum), same for both views */
    ph_list shade; /* anterior-only attenuators (a belt buckle on the skin): dens = depth */
    ph_joint joints[PH_MAX_JOINTS];
    int n_joints;
} ph_scene;

/* Patient-level anatomy (drawn once per patient). */
typedef struct {
    double height, build, chest, hips, shoulders; /* mm, and width scales */
    double arm_ang[2], fore_ang[2], leg_ang[2], foot_ang[2]; /* radians; [0] right, [1] left */
    int palms_up;
    double scol_amp, scol_phase; /* mild scoliosis: lateral shift (mm) of the spine */
    double head_tilt;
    double skull_up, bone_up, soft_up, kidney_up, msj_up; /* uptake factors */
    double kidney_dy;   /* right kidney lower by this (mm) */
    int dominant;       /* -1 right-handed, +1 left-handed */
    double dom_up;      /* dominant-shoulder uptake factor (normal variant) */
    double x0, y0, rot0; /* usual position on the table */
    double thick_trunk;  /* AP half-thickness of the trunk (mm) */
} ph_anatomy;

/* Scan-level state: position, acquisition, physiology. */
typedef struct {
    double tx, ty, rot;    /* rigid placement in the field of view (mm, radians) */
    double arm_jit[2];     /* arm angle changes from the patient's usual pose */
    double counts[2];      /* total counts per view */
    double bladder, kidney; /* bladder filling and kidney activity factors */
    double bg;             /* background counts per native pixel */
} ph_pose;

/* A lesion on a bone primitive (patient-level: it follows the bone from scan to scan). */
enum ph_lesion_kind { LK_METASTASIS, LK_FRACTURE, LK_DENTAL };
typedef struct {
    int host;          /* index into scene.bone */
    float u, v;        /* capsule: t along, offset across (radii); ellipse/shell: unit disk;
                          triangle: barycentric (u, v) */
    float sigma, aspect, angle; /* mm; long/short ratio; angle relative to the host axis */
    float contrast;    /* hot: added peak / host density; cold: fraction of bone removed */
    uint8_t cold, rim, first_scan, kind;
    uint8_t n_sat;        /* satellites that make the shape irregular */
    float sat[2][3];      /* per satellite: offset (in sigmas) along, across; amplitude */
} ph_lesion;

/* A joint-centred spot (arthritis, or a benign degenerative one). */
enum ph_spot_kind { SK_ARTHRITIS, SK_DEGENERATIVE };
typedef struct {
    uint8_t type, digit, kind;
    int8_t side;
    float size;     /* sigma relative to the joint radius */
    float contrast; /* added peak / joint bone density */
} ph_spot;

#define PH_MAX_LESIONS 64
#define PH_MAX_SPOTS 64

typedef struct {
    int64_t id;
    int n_scans;
    int met, arth, superscan, prosthesis; /* prosthesis: 0, or side of a hip prosthesis */
    ph_anatomy an;
    ph_lesion les[PH_MAX_LESIONS];
    int n_les;
    ph_spot spots[PH_MAX_SPOTS];
    int n_spots;
} ph_patient;

/* What a scan contains (ground truth for tests and the preview legend). */
typedef struct {
    int met_hot, met_cold;  /* metastatic lesions present in this scan */
    int arth_spots;         /* arthritis spots */
    int benign_spots;       /* focal benign hot spots: degenerative, injection, fracture, ... */
    int injection, superscan;
} ph_truth;

/* Random streams: one per (patient, scan, purpose), so that no draw depends on another. */
enum ph_tag {
    TAG_PLAN = 1, TAG_ANATOMY, TAG_LABELS, TAG_METASTASIS, TAG_ARTHRITIS, TAG_BENIGN,
    TAG_POSE, TAG_FINDINGS, TAG_SCAN_BENIGN, TAG_NOISE
};
#define PH_PATIENT_LEVEL UINT64_MAX
static inline void ph_stream(sc_rng *r, uint64_t seed, int64_t patient, uint64_t scan, int tag)
{
    sc_rng_seed(r, sc_seed4(seed, (uint64_t)patient, scan, (uint64_t)tag, SC_SEED_PHANTOM));
}
static inline double ph_unif(sc_rng *r, double a, double b)
{
    return a + (b - a) * sc_rng_uniform(r);
}
/* Log-uniform in [a, b]: scale-like quantities (contrast excess, sizes, activity). */
static inline double ph_logu(sc_rng *r, double a, double b)
{
    return a * exp(log(b / a) * sc_rng_uniform(r));
}
static inline double ph_norm(sc_rng *r, double m, double s, double lo, double hi)
{
    double x = m + s * sc_rng_normal(r);
    return x < lo ? lo : (x > hi ? hi : x);
}
static inline int ph_bern(sc_rng *r, double p) { return sc_rng_uniform(r) < p; }
static inline int ph_side(sc_rng *r) { return ph_bern(r, 0.5) ? 1 : -1; }

/* ---- phantom_scene.c: primitive lists and transforms ---- */
void ph_list_clear(ph_list *l);
void ph_list_free(ph_list *l);
ph_prim *ph_push(ph_list *l, int kind, int site, int side, float dens, float wa, float wp);
/* Attenuation weights of a point at depth z in a body of half-thickness t. */
void ph_weights(double z, double t, float *wa, float *wp);
void ph_scene_clear(ph_scene *s);
void ph_scene_free(ph_scene *s);
int ph_add_joint(ph_scene *s, int type, int digit, int side, double x, double y, double r,
                 double dens, double z, double t);
const ph_joint *ph_find_joint(const ph_scene *s, int type, int digit, int side);
/* A point of primitive `pr` addressed by (u, v) as in ph_lesion, the local axis angle there,
 * and the host's peak density there. */
void ph_prim_point(const ph_prim *pr, double u, double v, double *x, double *y, double *axis,
                   double *dens);
/* Rotate by `rot` about (cx, cy), then translate by (tx, ty): every list and joint. */
void ph_scene_transform(ph_scene *s, double cx, double cy, double rot, double tx, double ty);
/* The same for the primitives l->v[from..n) of one list. */
void ph_list_transform(ph_list *l, int from, double cx, double cy, double rot, double tx,
                       double ty);

/* ---- phantom_skeleton.c ---- */
/* Build the skeleton and its joints for this anatomy and arm pose (patient frame). */
void ph_build_skeleton(const ph_anatomy *an, const double arm_jit[2], ph_scene *s);

/* ---- phantom_patient.c ---- */
typedef struct sc_phantom_params sc_phantom_params;
void ph_draw_anatomy(sc_rng *r, ph_anatomy *an);
void ph_draw_pose(sc_rng *r, const sc_phantom_params *p, const ph_anatomy *an, ph_pose *po);
/* Soft tissue, kidneys and bladder. */
void ph_build_body(const ph_anatomy *an, const ph_pose *po, int superscan, ph_scene *s);
/* Plan-level draws: scans of a patient and its labels. */
int ph_patient_scans(const sc_phantom_params *p, int64_t patient);
void ph_patient_labels(const sc_phantom_params *p, int64_t patient, int *met, int *arth);
/* Everything patient-level: anatomy, disease, benign findings. */
void ph_make_patient(const sc_phantom_params *p, int64_t patient, ph_patient *pt);
/* The scene of scan `scan` of a patient, in field-of-view mm. */
void ph_make_scene(const sc_phantom_params *p, const ph_patient *pt, int scan, ph_scene *s,
                   ph_pose *po, ph_truth *truth);

/* ---- phantom_disease.c ---- */
/* Contrast and size are stored at difficulty 1 and scaled at placement, so that one seed gives
 * the same lesions at every difficulty. */
void ph_draw_metastases(sc_rng *r, const ph_scene *skel, ph_patient *pt);
void ph_draw_arthritis(sc_rng *r, ph_patient *pt);
void ph_draw_benign(sc_rng *r, const ph_scene *skel, ph_patient *pt);
/* Place the patient's lesions and spots for one scan (`r`: per-scan intensity changes). */
void ph_place_findings(sc_rng *r, const ph_patient *pt, int scan, double difficulty, ph_scene *s,
                       ph_truth *t);
/* Scan-level benign findings: injection site, contamination, free pertechnetate, buckle. */
void ph_place_scan_benign(sc_rng *r, const ph_patient *pt, ph_scene *s, ph_truth *t);

/* ---- phantom_render.c ---- */
typedef struct {
    int h, w, k;     /* output size and supersampling factor */
    int hi, wi;      /* internal grid (k*h x k*w) */
    double px, py;   /* internal pixel pitch (mm) */
    float *map[2];   /* internal activity per view */
    float *soft;     /* internal soft-tissue silhouette */
    float *line;     /* blur scratch */
    float *kx, *ky;  /* Gaussian kernels */
    int rx, ry;
} ph_raster;

int ph_raster_init(ph_raster *ra, int h, int w);
void ph_raster_free(ph_raster *ra);
/* Expected counts [2][h][w] of a scene: rasterize, blur, bin, scale to the pose's totals and
 * add the background. */
void ph_render(ph_raster *ra, const ph_scene *s, const ph_pose *po, float *expected);
/* One Poisson variate (inversion below mean 10, PTRS above). */
uint32_t ph_poisson(sc_rng *r, double mu);
/* Counts image from expected counts (saturates at 65535, as a 16-bit word-mode camera does). */
void ph_sample_counts(sc_rng *r, const float *expected, uint16_t *out, int64_t n);

#endif
