/* tests/dicom/testlib.h: what test_dicom.c and test_dicom_header.c share: the phantom scans
 * the files are made of, the camera-like file, transcoding with gdcmconv (the syntax checked
 * with gdcmdump), and assertions on a read image.  Uses cmocka: include it first. */
#ifndef SC_TESTS_DICOM_TESTLIB_H
#define SC_TESTS_DICOM_TESTLIB_H

#include <stdint.h>

#include "data/dicom.h"
#include "tests/dicom/fixture.h"

#define H 512
#define W 128
#define NPIX (H * W)

#define TS_IMPLICIT "1.2.840.10008.1.2"
#define TS_EXPLICIT "1.2.840.10008.1.2.1"
#define TS_RLE "1.2.840.10008.1.2.5"
#define TS_JPEG_BASELINE "1.2.840.10008.1.2.4.50"
#define TS_JPEG_EXTENDED "1.2.840.10008.1.2.4.51"
#define TS_JPEG_LOSSLESS "1.2.840.10008.1.2.4.70"
#define TS_JPEGLS "1.2.840.10008.1.2.4.80"
#define TS_JPEGLS_NEAR "1.2.840.10008.1.2.4.81"
#define TS_J2K "1.2.840.10008.1.2.4.90"
#define TS_J2K_LOSSY "1.2.840.10008.1.2.4.91"

extern uint16_t scan16[2 * NPIX]; /* anterior, posterior: counts of a phantom scan */
extern uint16_t scan12[2 * NPIX]; /* the same, at most 4095 (12 bits stored) */
extern uint8_t scan8[NPIX];       /* the anterior view scaled to 0..255 */
extern uint16_t peak16, peak12;

/* cmocka group setup/teardown: a temporary folder and the scans. */
int dicom_setup(void **state);
int dicom_teardown(void **state);
/* name inside the temporary folder (rotating static buffers: up to 4 at a time). */
const char *path_of(const char *name);

/* What a two-detector gamma camera writes for a whole-body study (see testlib.c). */
dicom_fixture camera_file(int bits_stored);
dicom_fixture plain_file(int frames, int bits, const void *pixels);
void write_fixture(const char *name, const dicom_fixture *s);
/* gdcmconv `args` in -> out ("api-jpeg12": dicom_fixture_jpeg_extended at quality 90); the
 * output's transfer syntax must be want_ts. */
void transcode(const char *in, const char *out, const char *args, const char *want_ts);
/* Edit tags with gdcmanon's dumb mode (`args`: --remove, --replace ...). */
void gdcm_edit(const char *in, const char *out, const char *args);
void read_ok(const char *name, sc_dicom_image *img);
void assert_equal_pixels(const sc_dicom_image *img, const void *want, int bits, int n);
/* Frames, size, views and mirroring of camera_file(). */
void assert_camera_metadata(const sc_dicom_image *img);

#endif
