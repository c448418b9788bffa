/* tests/unit/test_dicom_header.c: what sc_dicom_read takes from the DICOM header besides the
 * pixels -- views and mirroring by every rule of data/dicom.h -- and the files it refuses, each
 * with a message naming the file and the field; and that it never prints.  The files are made
 * as in test_dicom.c (tests/dicom/testlib.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/dicom.h"
#include "tests/dicom/testlib.h"
#include "util/error.h"

/* Views and mirroring without the View Code Sequence, and every orientation rule. */
static void test_views_and_mirroring_rules(void **state)
{
    (void)state;
    sc_dicom_image img;
    /* Detector Vector maps frames to detector items: [2, 1] swaps the views. */
    static const uint16_t swapped[2] = {2, 1};
    dicom_fixture s = camera_file(16);
    s.detector_vector = swapped;
    write_fixture("swapped.dcm", &s);
    read_ok("swapped.dcm", &img);
    assert_string_equal(img.view[0], "posterior");
    assert_string_equal(img.view[1], "anterior");
    assert_int_equal(img.mirrored[0], 1);
    assert_int_equal(img.mirrored[1], 0);
    sc_dicom_free(&img);

    /* Code Meaning alone; a posterior detector whose rows run toward the patient's left (the
     * camera flipped it) is not mirrored; an oblique is no view. */
    s = camera_file(16);
    s.detector_code_value[0] = NULL;
    s.detector_code_meaning[0] = "Right anterior oblique";
    s.detector_code_value[1] = NULL;
    s.detector_code_meaning[1] = "POSTERIOR";
    s.detector_orientation[1] = "1\\0\\0\\0\\0\\-1";
    write_fixture("meaning.dcm", &s);
    read_ok("meaning.dcm", &img);
    assert_string_equal(img.view[0], "");
    assert_string_equal(img.view_source[0], "");
    assert_string_equal(img.view[1], "posterior");
    assert_int_equal(img.mirrored[1], 0);
    assert_string_equal(img.mirror_source[1], "detector orientation");
    sc_dicom_free(&img);

    /* Text: two views named in a 2-frame file, in order; no orientation: the default. */
    s = plain_file(2, 16, scan16);
    s.series_description = "WB ANT/POST";
    s.patient_orientation = "L\\F"; /* ignored: the frames have different views */
    write_fixture("text2.dcm", &s);
    read_ok("text2.dcm", &img);
    assert_string_equal(img.view[0], "anterior");
    assert_string_equal(img.view[1], "posterior");
    assert_string_equal(img.view_source[1], "Series Description");
    assert_int_equal(img.mirrored[0], 0);
    assert_int_equal(img.mirrored[1], 1);
    assert_string_equal(img.mirror_source[1], "default");
    sc_dicom_free(&img);

    /* Image Type before Series Description; one frame: Patient Orientation decides. */
    struct {
        const char *patient_orientation, *image_orientation, *source;
        int mirrored;
    } one[] = {
        {NULL, NULL, "default", 1},
        {"L\\F", NULL, "patient orientation", 0},
        {"R\\F", NULL, "patient orientation", 1},
        {"R\\F", "1\\0\\0\\0\\0\\-1", "image orientation", 0},
    };
    for (size_t k = 0; k < sizeof one / sizeof one[0]; k++) {
        s = plain_file(1, 16, scan16 + NPIX);
        s.image_type = "ORIGINAL\\PRIMARY\\WHOLE BODY\\POST";
        s.series_description = "bone ANT";
        s.patient_orientation = one[k].patient_orientation;
        s.image_orientation = one[k].image_orientation;
        write_fixture("text1.dcm", &s);
        read_ok("text1.dcm", &img);
        assert_string_equal(img.view[0], "posterior");
        assert_string_equal(img.view_source[0], "Image Type");
        assert_int_equal(img.mirrored[0], one[k].mirrored);
        assert_string_equal(img.mirror_source[0], one[k].source);
        sc_dicom_free(&img);
    }

    /* Nothing said: no view, not mirrored; no spacing (removed: GDCM's writer always writes
     * one), no identifiers. */
    s = plain_file(1, 8, scan8);
    write_fixture("bare.dcm", &s);
    gdcm_edit("bare.dcm", "bare2.dcm", "--remove 0028,0030");
    read_ok("bare2.dcm", &img);
    assert_string_equal(img.view[0], "");
    assert_int_equal(img.mirrored[0], 0);
    assert_float_equal(img.spacing_row, 0, 0);
    assert_float_equal(img.spacing_col, 0, 0);
    assert_string_equal(img.patient_id, "");
    assert_string_equal(img.acquisition_date, "");
    sc_dicom_free(&img);
}

/* A refused file: -1, no pixels, and a message naming the file and the problem. */
static void assert_refused(const char *name, const char *phrase)
{
    sc_dicom_image img;
    sc_err_clear();
    assert_int_equal(sc_dicom_read(path_of(name), &img), -1);
    assert_null(img.pixels);
    const char *msg = sc_err_msg();
    if (!strstr(msg, path_of(name)) || !strstr(msg, phrase))
        fail_msg("%s: message '%s' lacks '%s' or the path", name, msg, phrase);
}

static void truncate_copy(const char *in, const char *out, double keep)
{
    FILE *f = fopen(path_of(in), "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    f = fopen(path_of(out), "wb");
    assert_non_null(f);
    fwrite(buf, 1, (size_t)(n * keep), f);
    fclose(f);
    free(buf);
}

/* A copy of `in` with the VR of the first File Meta Information element, (0002,0000) UL right
 * after "DICM", replaced by two bytes that are no VR (fuzz_dicom's finding: GDCM asserts). */
static void bad_meta_vr_copy(const char *in, const char *out)
{
    FILE *f = fopen(path_of(in), "rb");
    assert_non_null(f);
    static unsigned char buf[1 << 20];
    const size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(n > 140 && !memcmp(buf + 128, "DICM", 4) && !memcmp(buf + 136, "UL", 2));
    memcpy(buf + 136, "TI", 2);
    f = fopen(path_of(out), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
}

static void test_refusals(void **state)
{
    (void)state;
    FILE *f = fopen(path_of("labels.csv"), "w");
    assert_non_null(f);
    for (int i = 0; i < 50; i++) fprintf(f, "scan%d,metastasis\n", i);
    fclose(f);
    assert_refused("labels.csv", "not a DICOM file");
    assert_refused("absent.dcm", "cannot open");

    dicom_fixture s = camera_file(16);
    write_fixture("whole.dcm", &s);
    truncate_copy("whole.dcm", "header_cut.dcm", 0.001);
    assert_refused("header_cut.dcm", "truncated or corrupt DICOM file (File Meta Information");
    bad_meta_vr_copy("whole.dcm", "meta_vr.dcm");
    assert_refused("meta_vr.dcm", "element (0002,0000) has no valid VR");
    truncate_copy("whole.dcm", "pixels_cut.dcm", 0.6);
    assert_refused("pixels_cut.dcm", "truncated DICOM file");
    transcode("whole.dcm", "whole.jls.dcm", "--jpegls", TS_JPEGLS);
    truncate_copy("whole.jls.dcm", "jls_cut.dcm", 0.6);
    assert_refused("jls_cut.dcm", "truncated");

    static uint8_t rgb[3 * NPIX];
    for (int i = 0; i < 3 * NPIX; i++) rgb[i] = scan8[i / 3];
    s = plain_file(1, 8, rgb);
    s.samples = 3;
    write_fixture("rgb.dcm", &s);
    assert_refused("rgb.dcm", "(0028,0002) Samples per Pixel 3: colour images are not supported");
    /* One sample per pixel but a palette: colour too.  MONOCHROME1 only inverts the display: the
     * stored counts are read as they are. */
    s = plain_file(1, 8, scan8);
    write_fixture("grey.dcm", &s);
    gdcm_edit("grey.dcm", "palette.dcm", "--replace '0028,0004=PALETTE COLOR'");
    assert_refused("palette.dcm", "(0028,0004) Photometric Interpretation 'PALETTE COLOR' not");
    gdcm_edit("grey.dcm", "mono1.dcm", "--replace '0028,0004=MONOCHROME1'");
    sc_dicom_image img;
    read_ok("mono1.dcm", &img);
    assert_equal_pixels(&img, scan8, 8, NPIX);
    sc_dicom_free(&img);

    s = camera_file(16);
    s.no_pixel_data = 1;
    write_fixture("nopixels.dcm", &s);
    assert_refused("nopixels.dcm", "(7FE0,0010) Pixel Data: missing");

    static uint32_t wide[NPIX];
    for (int i = 0; i < NPIX; i++) wide[i] = scan16[i];
    s = plain_file(1, 32, wide);
    write_fixture("bits32.dcm", &s);
    assert_refused("bits32.dcm", "(0028,0100) Bits Allocated 32 not supported");

    /* A malformed Pixel Spacing, edited in with gdcmanon (GDCM's writer would not write it). */
    s = camera_file(16);
    write_fixture("spacing.dcm", &s);
    gdcm_edit("spacing.dcm", "badspacing.dcm", "--replace '0028,0030=2.4\\abc'");
    assert_refused("badspacing.dcm", "(0028,0030) Pixel Spacing: 'abc' is not a number");

    s.patient_id = "ANON-0000000000000000000000000000000000000000000000000000000000000001";
    write_fixture("longid.dcm", &s);
    assert_refused("longid.dcm", "(0010,0020) Patient ID: 69 characters, at most 64 allowed");
    s = camera_file(16);
    s.acquisition_date = "31.01.2024";
    write_fixture("baddate.dcm", &s);
    assert_refused("baddate.dcm", "(0008,0022) Acquisition Date");
    s = camera_file(16);
    s.rescale_slope = "two";
    write_fixture("badslope.dcm", &s);
    assert_refused("badslope.dcm", "(0028,1053) Rescale Slope: 'two' is not a number");
}

/* The library never prints: GDCM's traces and libjpeg's messages stay off stderr, also on the
 * decodes that made GDCM print before (a 12-bit JPEG in 16-bit containers) and on refusals. */
static void test_nothing_on_stderr(void **state)
{
    (void)state;
    dicom_fixture s = camera_file(12);
    write_fixture("quiet12.dcm", &s);
    transcode("quiet12.dcm", "quiet12.jpg.dcm", "api-jpeg12", TS_JPEG_EXTENDED);
    fflush(stderr);
    int saved = dup(2);
    FILE *capture = tmpfile();
    assert_non_null(capture);
    dup2(fileno(capture), 2);
    sc_dicom_image img;
    int rc = sc_dicom_read(path_of("quiet12.jpg.dcm"), &img);
    sc_dicom_free(&img);
    int rc2 = sc_dicom_read(path_of("jls_cut.dcm"), &img);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    long printed = ftell(capture);
    fclose(capture);
    assert_int_equal(rc, 0);
    assert_int_equal(rc2, -1);
    assert_int_equal(printed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_views_and_mirroring_rules),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_nothing_on_stderr),
    };
    return cmocka_run_group_tests(tests, dicom_setup, dicom_teardown);
}
