/* tests/dicom/fixture.h: write test DICOM files with GDCM's C++ API (fixture.cpp),
 * shaped as a gamma camera writes them: NM Image Storage, one frame per view, an NM Detector
 * Information Sequence whose items carry a View Code Sequence and an Image Orientation
 * (Patient).  Always explicit VR little endian; tests transcode with gdcmconv. */
#ifndef SC_TESTS_DICOM_FIXTURE_H
#define SC_TESTS_DICOM_FIXTURE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int frames, h, w;
    int bits_allocated, bits_stored, is_signed;
    int samples;          /* 1, or 3 for an RGB (Secondary Capture) image */
    const void *pixels;   /* frames*h*w*samples values of bits_allocated/8 bytes (host order) */
    int no_pixel_data;    /* 1: write the image attributes but no (7FE0,0010) */
    int n_detectors;      /* items of the Detector Information Sequence (0: no sequence) */
    const char *detector_code_value[2], *detector_code_meaning[2]; /* View Code Sequence */
    const char *detector_orientation[2]; /* (0020,0037) text in the item, NULL: absent */
    const uint16_t *detector_vector;     /* (0054,0020), one value per frame; NULL: absent */
    /* Top-level text attributes, NULL: absent. */
    const char *image_type, *series_description, *patient_orientation, *image_orientation;
    const char *pixel_spacing, *rescale_slope, *rescale_intercept;
    const char *patient_id, *patient_name, *study_uid, *series_uid, *sop_uid;
    const char *acquisition_date, *manufacturer;
} dicom_fixture;

/* The attributes a two-detector gamma camera writes for a whole-body study: 2 frames, anterior
 * then posterior, each detector with its View Code Sequence and orientation (the posterior one
 * seen from behind: rows toward the patient's right), detector vector 1, 2, whole-body Image
 * Type and a series description.  The caller sets size, bits, pixels and identifiers. */
void dicom_fixture_camera(dicom_fixture *s);

/* 0 ok, -1 on failure (message on stderr: this is test code). */
int dicom_fixture_write(const char *path, const dicom_fixture *spec);

/* Compress `in` (Bits Stored 9..12) to JPEG extended, process 2/4, 12-bit precision, at the
 * given quality (0..100), with GDCM's codec; see fixture.cpp for why not gdcmconv. */
int dicom_fixture_jpeg_extended(const char *in, const char *out, double quality);

#ifdef __cplusplus
}
#endif
#endif
