/* tests/dicom/testlib.c: see testlib.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/phantom.h"
#include "tests/dicom/testlib.h"
#include "util/error.h"

static char dir[64];
uint16_t scan16[2 * NPIX];
uint16_t scan12[2 * NPIX];
uint8_t scan8[NPIX];
uint16_t peak16, peak12;

const char *path_of(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

int dicom_setup(void **state)
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

int dicom_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* What a two-detector gamma camera writes for a whole-body study: anterior and posterior
 * frames, each detector with its View Code Sequence and orientation (the posterior one seen
 * from behind: rows toward the patient's right). */
dicom_fixture camera_file(int bits_stored)
{
    dicom_fixture s = {0};
    dicom_fixture_camera(&s);
    s.h = H;
    s.w = W;
    s.bits_allocated = 16;
    s.bits_stored = bits_stored;
    s.pixels = bits_stored == 12 ? scan12 : scan16;
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

dicom_fixture plain_file(int frames, int bits, const void *pixels)
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

void write_fixture(const char *name, const dicom_fixture *s)
{
    assert_int_equal(dicom_fixture_write(path_of(name), s), 0);
}

/* gdcmconv `args` in -> out (args "api-jpeg12": dicom_fixture_jpeg_extended at quality 90),
 * then the transfer syntax of out as GDCM's dump of the file reports it. */
void transcode(const char *in, const char *out, const char *args, const char *want_ts)
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

void read_ok(const char *name, sc_dicom_image *img)
{
    int rc = sc_dicom_read(path_of(name), img);
    if (rc != 0) fail_msg("%s", sc_err_msg());
    assert_non_null(img->pixels);
}

void assert_equal_pixels(const sc_dicom_image *img, const void *want, int bits, int n)
{
    for (int i = 0; i < n; i++) {
        unsigned w = bits == 8 ? ((const uint8_t *)want)[i] : ((const uint16_t *)want)[i];
        if (img->pixels[i] != w) fail_msg("pixel %d: %u, expected %u", i, img->pixels[i], w);
    }
}

void assert_camera_metadata(const sc_dicom_image *img)
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

/* Edit tags with gdcmanon's dumb mode (`args`: --remove, --replace ...). */
void gdcm_edit(const char *in, const char *out, const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "gdcmanon --dumb %s -i '%s' -o '%s' >/dev/null 2>&1", args,
             path_of(in), path_of(out));
    assert_int_equal(system(cmd), 0);
}
