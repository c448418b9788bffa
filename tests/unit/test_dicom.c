/* tests/unit/test_dicom.c: the pixels sc_dicom_read returns, in every transfer syntax, from
 * files written in the test: GDCM's C++ API writes explicit VR little endian NM files
 * (tests/dicom/fixture.cpp), gdcmconv transcodes them, gdcmdump confirms which syntax each
 * output really has (tests/dicom/testlib.c).  The pixels are the phantom's bone scans
 * (data/phantom.h), so the codecs see realistic content. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dicom.h"
#include "tests/dicom/testlib.h"
#include "util/error.h"

static void test_sniff(void **state)
{
    (void)state;
    write_fixture("sniff.dcm", &(dicom_fixture){.frames = 1, .h = 4, .w = 4, .bits_allocated = 8,
                                                .bits_stored = 8, .samples = 1, .pixels = scan8});
    assert_int_equal(sc_dicom_sniff(path_of("sniff.dcm")), 1);
    FILE *f = fopen(path_of("text.csv"), "w");
    assert_non_null(f);
    for (int i = 0; i < 40; i++) fputs("id,label\n", f);
    fclose(f);
    assert_int_equal(sc_dicom_sniff(path_of("text.csv")), 0);
    assert_int_equal(sc_dicom_sniff(path_of("absent.dcm")), 0);
}

/* The camera file as written: every header field, and Patient's Name nowhere in the result. */
static void test_camera_file_uncompressed(void **state)
{
    (void)state;
    dicom_fixture s = camera_file(16);
    write_fixture("camera16.dcm", &s);
    sc_dicom_image img;
    read_ok("camera16.dcm", &img);
    assert_camera_metadata(&img);
    assert_equal_pixels(&img, scan16, 16, 2 * NPIX);
    assert_string_equal(img.transfer_syntax, TS_EXPLICIT);
    assert_int_equal(img.bits_allocated, 16);
    assert_int_equal(img.bits_stored, 16);
    assert_int_equal(img.is_signed, 0);
    assert_int_equal(img.n_clipped, 0);
    assert_float_equal(img.spacing_row, 2.4, 1e-12);
    assert_float_equal(img.spacing_col, 2.5, 1e-12);
    assert_string_equal(img.modality, "NM");
    assert_string_equal(img.patient_id, "ANON-0042");
    assert_string_equal(img.study_instance_uid, s.study_uid);
    assert_string_equal(img.series_instance_uid, s.series_uid);
    assert_string_equal(img.sop_instance_uid, s.sop_uid);
    assert_string_equal(img.acquisition_date, "20240131");
    assert_string_equal(img.manufacturer, "Test Camera Co");
    assert_float_equal(img.rescale_slope, 1.0, 0);
    assert_null(memmem(&img, sizeof img, "Doe", 3));
    assert_null(memmem(&img, sizeof img, "Jane", 4));
    sc_dicom_free(&img);
    assert_null(img.pixels);
}

static const struct {
    const char *args, *ts;
} lossless[] = {
    {"--implicit", TS_IMPLICIT}, {"--raw", TS_EXPLICIT},     {"--rle", TS_RLE},
    {"--jpeg", TS_JPEG_LOSSLESS}, {"--jpegls", TS_JPEGLS},  {"--j2k", TS_J2K},
};

/* Lossless syntaxes: the exact counts back, 16-bit two-frame and 8-bit single-frame. */
static void test_lossless_syntaxes(void **state)
{
    (void)state;
    dicom_fixture cam = camera_file(16), one8 = plain_file(1, 8, scan8);
    write_fixture("cam16.dcm", &cam);
    write_fixture("one8.dcm", &one8);
    for (size_t k = 0; k < sizeof lossless / sizeof lossless[0]; k++) {
        sc_dicom_image img;
        transcode("cam16.dcm", "cam16.out.dcm", lossless[k].args, lossless[k].ts);
        read_ok("cam16.out.dcm", &img);
        assert_string_equal(img.transfer_syntax, lossless[k].ts);
        assert_camera_metadata(&img);
        assert_equal_pixels(&img, scan16, 16, 2 * NPIX);
        sc_dicom_free(&img);

        transcode("one8.dcm", "one8.out.dcm", lossless[k].args, lossless[k].ts);
        read_ok("one8.out.dcm", &img);
        assert_string_equal(img.transfer_syntax, lossless[k].ts);
        assert_int_equal(img.frames, 1);
        assert_int_equal(img.bits_allocated, 8);
        assert_equal_pixels(&img, scan8, 8, NPIX);
        sc_dicom_free(&img);
    }
}

/* The sample precision in the first JPEG frame header (SOF0/SOF1) of a file's pixel data. */
static int jpeg_precision(const char *name)
{
    FILE *f = fopen(path_of(name), "rb");
    assert_non_null(f);
    int prev = 0, c, precision = -1;
    while ((c = getc(f)) != EOF) {
        if (prev == 0xFF && (c == 0xC0 || c == 0xC1)) {
            for (int i = 0; i < 3; i++) c = getc(f); /* length (2 bytes), then precision */
            precision = c;
            break;
        }
        prev = c;
    }
    fclose(f);
    return precision;
}

/* Error of a lossy decode against the original: max |e|, RMS, and the mean (the bias). */
static void lossy_error(const sc_dicom_image *img, const void *want, int bits, int n,
                        double *max_abs, double *rms, double *mean)
{
    double s = 0, s2 = 0, m = 0;
    for (int i = 0; i < n; i++) {
        double w = bits == 8 ? ((const uint8_t *)want)[i] : ((const uint16_t *)want)[i];
        double e = (double)img->pixels[i] - w;
        s += e;
        s2 += e * e;
        if (fabs(e) > m) m = fabs(e);
    }
    *max_abs = m;
    *rms = sqrt(s2 / n);
    *mean = s / n;
}

/* Lossy syntaxes.  JPEG-LS near-lossless guarantees |error| <= NEAR (the -e value) at every
 * pixel: asserted exactly.  JPEG (DCT) and lossy JPEG 2000 bound no single pixel; the bounds
 * below separate a correct decode from a wrong one: a wrong precision, byte order, frame order,
 * sign or mask gives errors of the order of the peak (thousands of counts; 16-bit-precision
 * lossy JPEG, which gdcmconv writes for 16-bit containers, wrapped undershoots to 4095), while
 * the codecs at these settings measured (printed below):
 *   JPEG q90 8 bit:   max 8 / peak 255 (3.1 %), RMS 0.29 % of the peak
 *   JPEG q90 12 bit:  max 18 / 3673 (0.5 %), RMS 0.08 %
 *   J2K PSNR 75 dB (GDCM's -q is a PSNR target against the 16-bit range, i.e. RMS about
 *   65535 * 10^(-75/20) = 11.7 counts): max 128 / 3673 (3.5 %), RMS 12.0 counts.
 * Bounds: max |error| <= 5 % of the peak, RMS <= rms_max, |mean error| <= 0.2 % of the peak (no
 * bias: a shifted or clipped decode shows up there). */
static void test_lossy_syntaxes(void **state)
{
    (void)state;
    static const struct {
        const char *in, *args, *ts;
        int bits, frames;
        double rms_max; /* counts */
    } cases[] = {
        {"lossy8.dcm", "--jpeg --lossy -q 90", TS_JPEG_BASELINE, 8, 1, 0.01 * 255},
        {"lossy12.dcm", "api-jpeg12", TS_JPEG_EXTENDED, 12, 2, 0.01 * 3673},
        {"lossy16.dcm", "--jpegls --lossy -e 2", TS_JPEGLS_NEAR, 16, 2, 2},
        /* twice the RMS that the PSNR target allows */
        {"lossy16.dcm", "--j2k --lossy -q 75", TS_J2K_LOSSY, 16, 2, 2 * 11.7},
    };
    dicom_fixture one8 = plain_file(1, 8, scan8), cam12 = camera_file(12), cam16 = camera_file(16);
    write_fixture("lossy8.dcm", &one8);
    write_fixture("lossy12.dcm", &cam12);
    write_fixture("lossy16.dcm", &cam16);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sc_dicom_image img;
        transcode(cases[k].in, "lossy.out.dcm", cases[k].args, cases[k].ts);
        if (cases[k].bits == 12) assert_int_equal(jpeg_precision("lossy.out.dcm"), 12);
        read_ok("lossy.out.dcm", &img);
        assert_string_equal(img.transfer_syntax, cases[k].ts);
        assert_int_equal(img.frames, cases[k].frames);
        if (cases[k].frames == 2) assert_camera_metadata(&img);
        const void *want = cases[k].bits == 8 ? (const void *)scan8
                           : cases[k].bits == 12 ? (const void *)scan12 : (const void *)scan16;
        double peak = cases[k].bits == 8 ? 255 : cases[k].bits == 12 ? peak12 : peak16;
        double max_abs, rms, mean;
        lossy_error(&img, want, cases[k].bits, cases[k].frames * NPIX, &max_abs, &rms, &mean);
        print_message("%-22s %s: peak %.0f, max |error| %.0f, RMS %.2f, mean %+.3f\n",
                      cases[k].args, cases[k].ts, peak, max_abs, rms, mean);
        if (!strcmp(cases[k].ts, TS_JPEGLS_NEAR)) assert_true(max_abs <= 2);
        else assert_true(max_abs <= 0.05 * peak);
        assert_true(rms <= cases[k].rms_max);
        assert_true(fabs(mean) <= 0.002 * peak);
        sc_dicom_free(&img);
    }
}

/* Signed data: negative values become 0 and are counted; the rest is exact (raw and RLE). */
static void test_signed_negatives_clipped(void **state)
{
    (void)state;
    static int16_t sig[2 * NPIX];
    int64_t negatives = 0;
    for (int i = 0; i < 2 * NPIX; i++) {
        sig[i] = (int16_t)((int)scan16[i] - 20); /* background of a few counts goes negative */
        negatives += sig[i] < 0;
    }
    assert_true(negatives > 1000);
    dicom_fixture s = camera_file(16);
    s.pixels = sig;
    s.is_signed = 1;
    write_fixture("signed.dcm", &s);
    transcode("signed.dcm", "signed.rle.dcm", "--rle", TS_RLE);
    for (int k = 0; k < 2; k++) {
        sc_dicom_image img;
        read_ok(k ? "signed.rle.dcm" : "signed.dcm", &img);
        assert_int_equal(img.is_signed, 1);
        assert_int_equal(img.n_clipped, negatives);
        for (int i = 0; i < 2 * NPIX; i++)
            if (img.pixels[i] != (sig[i] < 0 ? 0 : sig[i])) fail_msg("pixel %d", i);
        sc_dicom_free(&img);
    }
}

/* Rescale Slope/Intercept that are not the identity are applied, rounded, clipped both ways. */
static void test_rescale(void **state)
{
    (void)state;
    dicom_fixture s = plain_file(2, 16, scan16);
    s.rescale_slope = "20";
    s.rescale_intercept = "-100";
    write_fixture("rescaled.dcm", &s);
    sc_dicom_image img;
    read_ok("rescaled.dcm", &img);
    assert_float_equal(img.rescale_slope, 20, 0);
    assert_float_equal(img.rescale_intercept, -100, 0);
    int64_t low = 0, high = 0;
    for (int i = 0; i < 2 * NPIX; i++) {
        long v = 20L * scan16[i] - 100;
        low += v < 0;
        high += v > 65535;
        long want = v < 0 ? 0 : v > 65535 ? 65535 : v;
        if (img.pixels[i] != want) fail_msg("pixel %d: %u, expected %ld", i, img.pixels[i], want);
    }
    assert_true(low > 0 && high > 0);
    assert_int_equal(img.n_clipped, low);
    assert_int_equal(img.n_saturated, high);
    sc_dicom_free(&img);
    /* A fractional slope: rounded half away from zero. */
    s.rescale_slope = "0.5";
    s.rescale_intercept = NULL;
    write_fixture("half.dcm", &s);
    read_ok("half.dcm", &img);
    for (int i = 0; i < 2 * NPIX; i++)
        if (img.pixels[i] != (scan16[i] + 1) / 2) fail_msg("pixel %d: %u", i, img.pixels[i]);
    assert_int_equal(img.n_clipped + img.n_saturated, 0);
    sc_dicom_free(&img);
    /* The identity is no rescale. */
    s.rescale_slope = "1.0";
    s.rescale_intercept = "0";
    write_fixture("identity.dcm", &s);
    read_ok("identity.dcm", &img);
    assert_equal_pixels(&img, scan16, 16, 2 * NPIX);
    sc_dicom_free(&img);
}

/* Bits above Bits Stored (overlays, garbage) are not counts. */
static void test_bits_above_bits_stored_masked(void **state)
{
    (void)state;
    static uint16_t dirty[2 * NPIX];
    for (int i = 0; i < 2 * NPIX; i++) dirty[i] = scan12[i] | (i % 3 ? 0xF000 : 0x1000);
    dicom_fixture s = camera_file(12);
    s.pixels = dirty;
    write_fixture("dirty12.dcm", &s);
    sc_dicom_image img;
    read_ok("dirty12.dcm", &img);
    assert_int_equal(img.bits_stored, 12);
    assert_equal_pixels(&img, scan12, 16, 2 * NPIX);
    sc_dicom_free(&img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_camera_file_uncompressed),
        cmocka_unit_test(test_lossless_syntaxes),
        cmocka_unit_test(test_lossy_syntaxes),
        cmocka_unit_test(test_signed_negatives_clipped),
        cmocka_unit_test(test_rescale),
        cmocka_unit_test(test_bits_above_bits_stored_masked),
    };
    return cmocka_run_group_tests(tests, dicom_setup, dicom_teardown);
}
