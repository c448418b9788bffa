/* data/dataset.h: the data set file of docs/design.md section 4 (HDF5).
 *
 *   /images   uint16 or float32 [N][V][H][W], chunked one image per chunk, deflate
 *   /labels   uint8 [N][L], 0/1
 *   /patient  int64 [N]
 *   root attributes label_names (L strings), view_names (V strings), and optionally
 *                   view_mirrored (V integers 0/1: the view is stored left-right mirrored, as
 *                   the posterior view of a whole-body scan is, seen from behind; when absent,
 *                   a view whose name starts with "post" is taken as mirrored)
 *   optional per-scan provenance datasets [N] or [N][k] (strings or float32) written by
 *   `spectcv import` (docs/formats.md); readers ignore them
 *
 * Writing is serial and streaming (one scan at a time: the phantom never holds the whole set).
 * Reading goes through MPI-IO (parallel HDF5, independent reads): every rank of the
 * communicator opens the file collectively and may then read any images it needs.
 * Every field is validated on open; errors name the file and the field. */
#ifndef SC_DATA_DATASET_H
#define SC_DATA_DATASET_H

#include <mpi.h>
#include <stdint.h>

#define SC_DS_MAX_LABELS 16
#define SC_DS_MAX_VIEWS 8
#define SC_DS_NAME_MAX 64

typedef enum { SC_PIX_U16 = 1, SC_PIX_F32 = 2 } sc_pixel_type;

typedef struct {
    char *path;
    int64_t n;           /* number of scans */
    int v, h, w;         /* views used and native size of each view */
    /* The views stored in the file, and the stored view of each used view k < v: all of them in
     * order, unless sc_ds_select_views chose some (data.views).  view_names and view_mirrored
     * describe the used views. */
    int v_file;
    int view_index[SC_DS_MAX_VIEWS];
    int l;               /* number of labels */
    sc_pixel_type pixel; /* stored type of /images */
    char label_names[SC_DS_MAX_LABELS][SC_DS_NAME_MAX];
    char view_names[SC_DS_MAX_VIEWS][SC_DS_NAME_MAX];
    int view_mirrored[SC_DS_MAX_VIEWS]; /* 1: stored left-right mirrored (see above) */
    int mirrored_given;                 /* 1: from the attribute, 0: from the view names */
    uint8_t *labels;  /* [n][l] */
    int64_t *patient; /* [n] */
    int64_t n_patients;
    uint64_t meta_hash; /* hash of shape, names, labels and patients (cheap; see results) */
    int64_t h5_file, h5_images; /* open HDF5 handles (hid_t) between sc_ds_open and close */
} sc_dataset;

/* Collective over comm.  Opens and validates the file, reads labels and patients.  On error
 * the message names the file and the field, e.g. "d.h5: /labels: value 2 at [5][1] is not 0
 * or 1". */
int sc_ds_open(MPI_Comm comm, const char *path, sc_dataset *ds);
void sc_ds_close(sc_dataset *ds);

/* Use only the named views, in that order (n >= 1, names of stored views, no repeats): v,
 * view_index, view_names and view_mirrored follow; sc_ds_read still reads every stored view, so
 * the content hash (data/preprocess.h) stays the data set's.  Errors name the file and list its
 * views. */
int sc_ds_select_views(sc_dataset *ds, const char *const *names, int n);

/* Independent: read `count` scans starting at `first` as float [count][v_file][h][w] (every
 * stored view; raw counts, no normalization).  NaN or infinite pixels (float files) and negative values are errors that
 * name the scan.  The file stays open between calls (opened by sc_ds_open). */
int sc_ds_read(sc_dataset *ds, int64_t first, int64_t count, float *out);

/* Per-label positive counts, and the number of distinct label sets, for `info`. */
void sc_ds_label_counts(const sc_dataset *ds, int64_t *pos /*[l]*/);

/* ---- writing (serial) ---- */
typedef struct sc_ds_writer sc_ds_writer;

/* Create `path` (truncating) for n scans of v views h x w, l labels.  The names arrays have
 * l and v entries.  Writes to path.partial and renames on close, so a failed or killed writer
 * never leaves a file that looks complete. */
int sc_ds_writer_open(const char *path, int64_t n, int v, int h, int w, int l,
                      const char *const *label_names, const char *const *view_names,
                      sc_ds_writer **out);
/* Scan i: image [v][h][w] of counts, labels [l] (0/1), patient id. */
int sc_ds_writer_put(sc_ds_writer *wr, int64_t i, const uint16_t *image, const uint8_t *labels,
                     int64_t patient);
/* The view_mirrored attribute (v values 0/1). */
int sc_ds_writer_mirrored(sc_ds_writer *wr, const int *mirrored);
/* A string attribute on the root, e.g. the generator's parameters (provenance). */
int sc_ds_writer_attr(sc_ds_writer *wr, const char *name, const char *value);
/* Per-scan provenance (e.g. the importer's source paths, DICOM UIDs, pixel spacing): row i of
 * the dataset /NAME, of k values per scan ([N][k]), or one ([N]) when k == 0; created on the
 * first call for that name.  Strings are variable-length UTF-8 (h5py reads str); a scan never
 * given a value reads as "" (strings) or 0 (float32).  At most SC_DS_MAX_META names. */
#define SC_DS_MAX_META 16
int sc_ds_writer_put_meta_str(sc_ds_writer *wr, const char *name, int64_t i, int k,
                              const char *const *values);
int sc_ds_writer_put_meta_f32(sc_ds_writer *wr, const char *name, int64_t i, int k,
                              const float *values);
/* Write labels, patients and attributes; close; rename into place.  Frees wr. */
int sc_ds_writer_close(sc_ds_writer *wr);
/* Abandon: close and remove the partial file.  Frees wr. */
void sc_ds_writer_abort(sc_ds_writer *wr);

#endif
