/* data/dicom.h: read one DICOM file (any transfer syntax GDCM decodes) as uint16 counts.
 *
 * Implemented in C++ on GDCM (data/dicom.cpp, the only C++ file of spectcv; docs/dicom.md says
 * why GDCM).  Decodes uncompressed (implicit/explicit VR little endian), RLE, JPEG baseline,
 * JPEG extended (12 bits), JPEG lossless (process 14, SV1), JPEG-LS (lossless, near-lossless)
 * and JPEG 2000 (lossless, lossy).  Every GDCM exception becomes an error message; GDCM's own
 * traces are switched off (nothing reaches stderr).  Only DICOM Part 10 files (128-byte
 * preamble + "DICM") are read; a file shorter than its data set says is refused as truncated.
 *
 * Pixels:
 *   - Samples per Pixel must be 1 and Photometric Interpretation MONOCHROME1/MONOCHROME2
 *     (MONOCHROME1 only inverts the display: the stored values are still counts and are kept);
 *     colour (RGB, YBR, PALETTE COLOR) is refused.  Bits Allocated must be 8 or 16.
 *   - Values are taken from the bits stored: unsigned values are masked to Bits Stored bits,
 *     signed ones (Pixel Representation 1) sign-extended from Bits Stored.
 *   - Rescale: when Rescale Slope (0028,1053) or Rescale Intercept (0028,1052) is present and not
 *     the identity (slope 1, intercept 0), each value becomes round(slope * v + intercept)
 *     (round half away from zero).  The values written are then the rescaled ones, which are
 *     counts only if the file's rescale produces counts; rescale_slope/_intercept record what was
 *     applied.
 *   - Negative values (signed data, e.g. after lossy compression, or after a rescale) become 0
 *     and are counted in n_clipped; values above 65535 (only possible after a rescale) become
 *     65535 and are counted in n_saturated.
 *
 * Views (view[f], for the first 8 frames; later frames have no view information):
 *   1. NM Detector Information Sequence (0054,0022): the item of frame f is item Detector Vector
 *      (0054,0020)[f] (1-based) when the vector is present; otherwise item f when the sequence has
 *      one item per frame, or the only item when it has one.  In that item's View Code Sequence
 *      (0054,0220), Code Value G-5215 / G-5216 (SRT, DICOM CID 26 "Anterior projection" /
 *      "Posterior projection"), or a Code Meaning that reads "anterior" / "posterior" (case
 *      ignored, optionally followed by "projection" or "view"), give "anterior" / "posterior".
 *      Obliques, laterals and the retired antero-/postero-anterior codes give "".
 *   2. Otherwise from the text of Image Type (0008,0008), then Series Description (0008,103E):
 *      split into words at anything not a letter or digit, words ANT / ANTERIOR and
 *      POST / POSTERIOR / PST (case ignored).  A text naming one view gives it to every frame; a
 *      text naming both views, in a file of exactly 2 frames, gives them in the order they are
 *      named ("WB ANT/POST": frame 0 anterior, frame 1 posterior).  Anything else: "".
 *   view_source[f] names which rule decided ("View Code Sequence", "Image Type",
 *   "Series Description", or "" when none did).
 *
 * Mirroring (mirrored[f], first 8 frames): 1 when the frame shows the patient as seen from
 * behind, i.e. its rows run toward the patient's RIGHT (left-right mirrored against an anterior
 * view, whose rows run toward the patient's left).  Decided by the first of:
 *   1. Image Orientation (Patient) (0020,0037) in the frame's Detector Information item: the row
 *      direction cosines (x toward the patient's left): mirrored when x < 0, used only when x is
 *      the dominant component (|x| > 0.5).
 *   2. The file-level Image Orientation (Patient) (0020,0037) (same rule), then Patient
 *      Orientation (0020,0020) (first value starting with R: mirrored, with L: not) -- used only
 *      when all frames have the same view (or none is known): one orientation cannot describe
 *      an anterior and a posterior frame at once, and the standard puts per-view orientation in
 *      the Detector Information Sequence.
 *   3. Default: posterior frames 1 (stored as the posterior detector acquires them, seen from
 *      behind, which is also how whole-body bone scans are displayed), other frames 0.
 *   mirror_source[f] names the rule ("detector orientation", "image orientation",
 *   "patient orientation", "default").
 *
 * Header fields are copied as text with surrounding spaces removed and non-printable bytes
 * replaced by '?'.  Patient's Name (0010,0010) is never read or copied: it is erased from GDCM's
 * in-memory data set right after parsing.  UIDs longer than 64 characters and a Patient ID
 * longer than 64 are errors (a truncated identifier could merge two scans); Manufacturer is
 * truncated to 64, Modality to 16, Acquisition Date (0008,0022) must be YYYYMMDD or absent.
 *
 * GDCM keeps some process-wide state (its trace switches, set once); sc_dicom_read may be called
 * from one thread at a time per process (each MPI rank is its own process). */
#ifndef SC_DATA_DICOM_H
#define SC_DATA_DICOM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SC_DICOM_UID_MAX 65
#define SC_DICOM_MAX_VIEWS 8

typedef struct {
    int frames;            /* frames in the file (1 or more) */
    int h, w;              /* rows, columns */
    uint16_t *pixels;      /* [frames][h][w], see the header comment (rescale, clipping) */
    int64_t n_clipped;     /* pixels that were negative and were set to 0 */
    int64_t n_saturated;   /* pixels above 65535 after a rescale, set to 65535 */
    int bits_allocated;    /* (0028,0100): 8 or 16 */
    int bits_stored;       /* (0028,0101) */
    int is_signed;         /* Pixel Representation (0028,0103) */
    double rescale_slope, rescale_intercept; /* applied: 1 and 0 when absent or identity */
    char view[SC_DICOM_MAX_VIEWS][16];       /* "anterior", "posterior" or "" */
    const char *view_source[SC_DICOM_MAX_VIEWS];   /* static strings, see above; NULL past
                                                      the frames */
    int mirrored[SC_DICOM_MAX_VIEWS];
    const char *mirror_source[SC_DICOM_MAX_VIEWS]; /* static strings; NULL past the frames */
    double spacing_row, spacing_col; /* Pixel Spacing (0028,0030) in mm, 0 when absent */
    char transfer_syntax[SC_DICOM_UID_MAX];
    char modality[17];
    char sop_instance_uid[SC_DICOM_UID_MAX], series_instance_uid[SC_DICOM_UID_MAX],
        study_instance_uid[SC_DICOM_UID_MAX];
    char patient_id[65];   /* (0010,0020) as stored; Patient's Name is never read */
    char acquisition_date[9]; /* (0008,0022) YYYYMMDD, "" when absent */
    char manufacturer[65];
} sc_dicom_image;

/* 0 ok, -1 error with the message set through util/error.h: it names the file and what is
 * wrong.  Never prints, never exits.  On error *img holds nothing to free. */
int sc_dicom_read(const char *path, sc_dicom_image *img);
void sc_dicom_free(sc_dicom_image *img);
/* 1 when the file starts with a 128-byte preamble + "DICM" (cheap sniff, no decode). */
int sc_dicom_sniff(const char *path);
/* The version of the GDCM library loaded (for `spectcv --version`). */
const char *sc_dicom_library_version(void);

#ifdef __cplusplus
}
#endif
#endif
