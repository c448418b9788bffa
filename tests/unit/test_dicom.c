/* tests/unit/test_dicom.c: sc_dicom_read on files written in the test: GDCM's C++ API writes
 * explicit VR little endian NM files (dicom_fixture.cpp), gdcmconv transcodes them into every
 * transfer syntax, gdcmdump confirms which syntax each output really has.  The pixels are the
 * phantom's bone scans (data/phantom.h), so the codecs see realistic content. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/dicom.h"
#include "data/phantom.h"
#include "tests/unit/dicom_fixture.h"
#include "util/error.h"

#define H 512
#define W 128
#define NPIX (H * W)

static char dir[64];
static uint16_t scan16[2 * NPIX]; /* anterior, posterior: counts of a phantom scan */
static uint16_t scan12[2 * NPIX]; /* the same, at most 4095 (12 bits stored) */
static uint8_t scan8[NPIX];       /* the anterior view scaled to 0..255 */
static uint16_t peak16, peak12;

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

static const char *path_of(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sc-test-dicom.XXXXXX");
    if (!mkdtemp(dir)) return -1;
    sc_phantom_params p;
    sc_phantom_defaults(&p);
    p.h = H;
    p.w = W;
    /* A bright scan: hot spots of a few thousand counts, as in a clinical 1024 x 256 scan. */
    p.counts_min = p.counts_max = 6e6;
    sc_phantom *g = sc_phantom_new(&p);
    if (!g || sc_phantom_scan(g, 3, 0, scan16, NULL) != 0) return -1;
    sc_phantom_free(g);
    for (int i = 0; i < 2 * NPIX; i++) {
        if (scan16[i] > peak16) peak16 = scan16[i];
        scan12[i] = scan16[i] > 4095 ? 4095 : scan16[i];
        if (scan12[i] > peak12) peak12 = scan12[i];
    }
    for (int i = 0; i < NPIX; i++) scan8[i] = (uint8_t)((uint32_t)scan16[i] * 255u / peak16);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* What a two-detector gamma camera writes for a whole-body study: anterior and posterior
 * frames, each detector with its View Code Sequence and orientation (the posterior one seen
 * from behind: rows toward the patient's right). */
static dicom_fixture camera_file(int bits_stored)
{
    static const uint16_t detector_vector[2] = {1, 2};
    dicom_fixture s = {0};
    s.frames = 2;
    s.h = H;
    s.w = W;
    s.bits_allocated = 16;
    s.bits_stored = bits_stored;
    s.samples = 1;
    s.pixels = bits_stored == 12 ? scan12 : scan16;
    s.n_detectors = 2;
    s.detector_code_value[0] = "G-5215";
    s.detector_code_meaning[0] = "Anterior projection";
    s.detector_code_value[1] = "G-5216";
    s.detector_code_meaning[1] = "Posterior projection";
    s.detector_orientation[0] = "1\\0\\0\\0\\0\\-1";
    s.detector_orientation[1] = "-1\\0\\0\\0\\0\\-1";
    s.detector_vector = detector_vector;
    s.image_type = "ORIGINAL\\PRIMARY\\WHOLE BODY\\EMISSION";
    s.series_description = "WB bone";
    s.pixel_spacing = "2.4\\2.5";
    s.patient_id = "ANON-0042";
    s.patient_name = "Doe^Jane";
    s.study_uid = "1.2.826.0.1.3680043.9.7.1";
    s.series_uid = "1.2.826.0.1.3680043.9.7.1.2";
    s.sop_uid = "1.2.826.0.1.3680043.9.7.1.2.3";
    s.acquisition_date = "20240131";
    s.manufacturer = "Test Camera Co";
    return s;
}

static dicom_fixture plain_file(int frames, int bits, const void *pixels)
{
    dicom_fixture s = {0};
    s.frames = frames;
    s.h = H;
    s.w = W;
    s.bits_allocated = s.bits_stored = bits;
    s.samples = 1;
    s.pixels = pixels;
    return s;
}

static void write_fixture(const char *name, const dicom_fixture *s)
{
    assert_int_equal(dicom_fixture_write(path_of(name), s), 0);
}

/* gdcmconv `args` in -> out (args "api-jpeg12": dicom_fixture_jpeg_extended at quality 90),
 * then the transfer syntax of out as GDCM's dump of the file reports it. */
static void transcode(const char *in, const char *out, const char *args, const char *want_ts)
{
    char cmd[1024], line[512], ts[128] = "";
    if (!strcmp(args, "api-jpeg12")) {
        assert_int_equal(dicom_fixture_jpeg_extended(path_of(in), path_of(out), 90), 0);
    } else {
        snprintf(cmd, sizeof cmd, "gdcmconv %s -i '%s' -o '%s' >/dev/null 2>&1", args,
                 path_of(in), path_of(out));
        assert_int_equal(system(cmd), 0);
    }
    /* gdcmdump, not gdcminfo: gdcminfo goes through gdcm::ImageReader, which aborts on these
     * NM files (docs/dicom.md); both report the header's (0002,0010). */
    snprintf(cmd, sizeof cmd, "gdcmdump '%s' 2>/dev/null", path_of(out));
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    while (fgets(line, sizeof line, p))
        if (sscanf(line, "(0002,0010) UI [%127[0-9.]]", ts) == 1) break;
    while (fgets(line, sizeof line, p)) continue;
    assert_int_equal(pclose(p), 0);
    assert_string_equal(ts, want_ts);
}

static void read_ok(const char *name, sc_dicom_image *img)
{
    int rc = sc_dicom_read(path_of(name), img);
    if (rc != 0) fail_msg("%s", sc_err_msg());
    assert_non_null(img->pixels);
}

static void assert_equal_pixels(const sc_dicom_image *img, const void *want, int bits, int n)
{
    for (int i = 0; i < n; i++) {
        unsigned w = bits == 8 ? ((const uint8_t *)want)[i] : ((const uint16_t *)want)[i];
        if (img->pixels[i] != w) fail_msg("pixel %d: %u, expected %u", i, img->pixels[i], w);
    }
}

static void assert_camera_metadata(const sc_dicom_image *img)
{
    assert_int_equal(img->frames, 2);
    assert_int_equal(img->h, H);
    assert_int_equal(img->w, W);
    assert_string_equal(img->view[0], "anterior");
    assert_string_equal(img->view[1], "posterior");
    assert_string_equal(img->view_source[1], "View Code Sequence");
    assert_int_equal(img->mirrored[0], 0);
    assert_int_equal(img->mirrored[1], 1);
    assert_string_equal(img->mirror_source[1], "detector orientation");
}

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

/* Edit tags with gdcmanon's dumb mode (`args`: --remove, --replace ...). */
static void gdcm_edit(const char *in, const char *out, const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "gdcmanon --dumb %s -i '%s' -o '%s' >/dev/null 2>&1", args,
             path_of(in), path_of(out));
    assert_int_equal(system(cmd), 0);
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
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_camera_file_uncompressed),
        cmocka_unit_test(test_lossless_syntaxes),
        cmocka_unit_test(test_lossy_syntaxes),
        cmocka_unit_test(test_signed_negatives_clipped),
        cmocka_unit_test(test_rescale),
        cmocka_unit_test(test_bits_above_bits_stored_masked),
        cmocka_unit_test(test_views_and_mirroring_rules),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_nothing_on_stderr),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
