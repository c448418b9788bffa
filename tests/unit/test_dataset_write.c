/* tests/unit/test_dataset_write.c: the data set writer (dataset.h): layout read back with
 * the HDF5 API, the .partial protocol (nothing at the path until a complete close), abort,
 * and bad inputs, the per-scan provenance datasets; plus the PNG writer and the preview. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <hdf5.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "data/dataset.h"
#include "data/png.h"
#include "data/preview.h"
#include "util/error.h"
#include "util/sys.h"

static const char *const LABELS[3] = {"metastasis", "arthritis", "normal"};
static const char *const VIEWS[2] = {"anterior", "posterior"};

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sc-test-dsw.XXXXXX");
    if (!mkdtemp(dir)) return -1;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_in(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", dir, name); }

static void fill(uint16_t *img, int64_t i, size_t n)
{
    for (size_t k = 0; k < n; k++) img[k] = (uint16_t)((k * 7 + (size_t)i * 13) % 1000);
}

static void read_str_attr(hid_t file, const char *name, int n, char **out)
{
    hid_t a = H5Aopen(file, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
    assert_true(H5Tis_variable_str(t) > 0);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), n);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    assert_true(H5Aread(a, mt, out) >= 0);
    H5Tclose(mt);
    H5Tclose(t);
    H5Sclose(sp);
    H5Aclose(a);
}

static void test_write_and_read_back(void **state)
{
    (void)state;
    char path[512], partial[600];
    path_in(path, sizeof path, "d.h5");
    snprintf(partial, sizeof partial, "%s.partial", path);
    const int64_t n = 5;
    const int v = 2, h = 16, w = 8;
    sc_ds_writer *wr;
    assert_int_equal(sc_ds_writer_open(path, n, v, h, w, 3, LABELS, VIEWS, &wr), 0);
    assert_true(sc_file_exists(partial));
    assert_false(sc_file_exists(path));
    uint16_t img[2 * 16 * 8];
    for (int64_t i = n - 1; i >= 0; i--) { /* any order */
        fill(img, i, sizeof img / 2);
        uint8_t lab[3] = {(uint8_t)(i & 1), (uint8_t)(i == 2), (uint8_t)(!(i & 1) && i != 2)};
        assert_int_equal(sc_ds_writer_put(wr, i, img, lab, 100 + i / 2), 0);
    }
    assert_int_equal(sc_ds_writer_attr(wr, "generator", "test"), 0);
    assert_int_equal(sc_ds_writer_attr(wr, "generator", "test2"), 0); /* replaced */
    assert_false(sc_file_exists(path));
    assert_int_equal(sc_ds_writer_close(wr), 0);
    assert_true(sc_file_exists(path));
    assert_false(sc_file_exists(partial));

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, "/images", H5P_DEFAULT);
    hid_t sp = H5Dget_space(d), t = H5Dget_type(d), pl = H5Dget_create_plist(d);
    hsize_t dims[4], chunk[4];
    assert_int_equal(H5Sget_simple_extent_dims(sp, dims, NULL), 4);
    assert_true(dims[0] == 5 && dims[1] == 2 && dims[2] == 16 && dims[3] == 8);
    assert_true(H5Tequal(t, H5T_STD_U16LE) > 0);
    assert_int_equal(H5Pget_chunk(pl, 4, chunk), 4);
    assert_true(chunk[0] == 1 && chunk[1] == 2 && chunk[2] == 16 && chunk[3] == 8);
    int nf = H5Pget_nfilters(pl), shuffle = 0, deflate = 0;
    for (int i = 0; i < nf; i++) {
        unsigned flags, cd[4];
        size_t ncd = 4;
        H5Z_filter_t id = H5Pget_filter2(pl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL);
        shuffle |= id == H5Z_FILTER_SHUFFLE;
        deflate |= id == H5Z_FILTER_DEFLATE;
    }
    assert_true(shuffle && deflate);
    uint16_t *all = malloc(sizeof(uint16_t) * 5 * 2 * 16 * 8);
    assert_true(H5Dread(d, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, all) >= 0);
    for (int64_t i = 0; i < n; i++) {
        fill(img, i, sizeof img / 2);
        assert_memory_equal(all + i * 256, img, sizeof img);
    }
    free(all);
    H5Pclose(pl);
    H5Tclose(t);
    H5Sclose(sp);
    H5Dclose(d);
    uint8_t lab[5][3];
    int64_t pat[5];
    d = H5Dopen2(f, "/labels", H5P_DEFAULT);
    assert_true(H5Dread(d, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, lab) >= 0);
    H5Dclose(d);
    d = H5Dopen2(f, "/patient", H5P_DEFAULT);
    assert_true(H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, pat) >= 0);
    H5Dclose(d);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(lab[i][0], i & 1);
        assert_int_equal(lab[i][1], i == 2);
        assert_int_equal(pat[i], 100 + i / 2);
    }
    char *ln[3], *vn[2], *gen[1];
    read_str_attr(f, "label_names", 3, ln);
    read_str_attr(f, "view_names", 2, vn);
    read_str_attr(f, "generator", 1, gen);
    assert_string_equal(ln[0], "metastasis");
    assert_string_equal(ln[2], "normal");
    assert_string_equal(vn[1], "posterior");
    assert_string_equal(gen[0], "test2");
    for (int i = 0; i < 3; i++) H5free_memory(ln[i]);
    for (int i = 0; i < 2; i++) H5free_memory(vn[i]);
    H5free_memory(gen[0]);
    H5Fclose(f);
}

/* Abort and an incomplete close leave nothing at the path (and no partial file). */
static void test_abort_and_incomplete(void **state)
{
    (void)state;
    char path[512], partial[600];
    path_in(path, sizeof path, "e.h5");
    snprintf(partial, sizeof partial, "%s.partial", path);
    uint16_t img[4] = {1, 2, 3, 4};
    uint8_t lab[1] = {1};
    const char *one[1] = {"x"};
    sc_ds_writer *wr;
    assert_int_equal(sc_ds_writer_open(path, 3, 1, 2, 2, 1, one, one, &wr), 0);
    assert_int_equal(sc_ds_writer_put(wr, 0, img, lab, 0), 0);
    sc_ds_writer_abort(wr);
    assert_false(sc_file_exists(path));
    assert_false(sc_file_exists(partial));

    assert_int_equal(sc_ds_writer_open(path, 3, 1, 2, 2, 1, one, one, &wr), 0);
    assert_int_equal(sc_ds_writer_put(wr, 0, img, lab, 0), 0);
    assert_int_equal(sc_ds_writer_put(wr, 2, img, lab, 0), 0);
    assert_int_equal(sc_ds_writer_close(wr), -1);
    assert_non_null(strstr(sc_err_msg(), "only 2 of 3 scans"));
    assert_false(sc_file_exists(path));
    assert_false(sc_file_exists(partial));
}

static void test_bad_inputs(void **state)
{
    (void)state;
    char path[512];
    path_in(path, sizeof path, "f.h5");
    const char *one[1] = {"x"}, *empty[1] = {""};
    sc_ds_writer *wr;
    assert_int_equal(sc_ds_writer_open("/nonexistent-dir/x.h5", 1, 1, 1, 1, 1, one, one, &wr), -1);
    assert_non_null(strstr(sc_err_msg(), "/nonexistent-dir/x.h5"));
    assert_null(wr);
    assert_int_equal(sc_ds_writer_open(path, 0, 1, 1, 1, 1, one, one, &wr), -1);
    assert_int_equal(sc_ds_writer_open(path, 1, 1, 1, 1, 1, empty, one, &wr), -1);
    assert_non_null(strstr(sc_err_msg(), "label name 0"));
    const char *accent[1] = {"m\xc3\xa9tastase"};
    assert_int_equal(sc_ds_writer_open(path, 1, 1, 1, 1, 1, accent, one, &wr), -1);
    assert_non_null(strstr(sc_err_msg(), "not printable ASCII"));
    assert_int_equal(sc_ds_writer_open(path, 2, 1, 1, 1, 1, one, one, &wr), 0);
    uint16_t px = 5;
    uint8_t two = 2, ok = 1;
    assert_int_equal(sc_ds_writer_put(wr, 2, &px, &ok, 0), -1);
    assert_non_null(strstr(sc_err_msg(), "out of range"));
    assert_int_equal(sc_ds_writer_put(wr, 0, &px, &two, 0), -1);
    assert_non_null(strstr(sc_err_msg(), "/labels: value 2 at [0][0]"));
    sc_ds_writer_abort(wr);
    assert_false(sc_file_exists(path));
}

/* Per-scan provenance (sc_ds_writer_put_meta_*): shapes, values, "" and 0 for scans never
 * given one, a mismatched second call refused, a bad name refused, the file still a data set. */
static void test_meta_datasets(void **state)
{
    (void)state;
    char path[512];
    path_in(path, sizeof path, "m.h5");
    const char *one[1] = {"x"};
    uint16_t img[4] = {1, 2, 3, 4};
    uint8_t lab[1] = {0};
    sc_ds_writer *wr;
    assert_int_equal(sc_ds_writer_open(path, 3, 1, 2, 2, 1, one, one, &wr), 0);
    for (int64_t i = 0; i < 3; i++) assert_int_equal(sc_ds_writer_put(wr, i, img, lab, i), 0);
    const char *id0[1] = {"P \xc3\xa9, 1"}, *id2[1] = {"P2"}, *paths[2] = {"a.png", "b.png"};
    const float sp[2] = {2.5f, 3.0f};
    assert_int_equal(sc_ds_writer_put_meta_str(wr, "patient_id_text", 0, 0, id0), 0);
    assert_int_equal(sc_ds_writer_put_meta_str(wr, "patient_id_text", 2, 0, id2), 0);
    assert_int_equal(sc_ds_writer_put_meta_str(wr, "source_path", 1, 2, paths), 0);
    assert_int_equal(sc_ds_writer_put_meta_f32(wr, "pixel_spacing", 1, 2, sp), 0);
    assert_int_equal(sc_ds_writer_put_meta_f32(wr, "source_path", 0, 2, sp), -1);
    assert_non_null(strstr(sc_err_msg(), "/source_path: written before with another shape"));
    const char *three[3] = {"a", "b", "c"};
    assert_int_equal(sc_ds_writer_put_meta_str(wr, "source_path", 0, 3, three), -1);
    assert_int_equal(sc_ds_writer_put_meta_str(wr, "labels", 0, 0, id2), -1);
    assert_non_null(strstr(sc_err_msg(), "invalid per-scan dataset name 'labels'"));
    assert_int_equal(sc_ds_writer_put_meta_str(wr, "patient_id_text", 3, 0, id2), -1);
    assert_int_equal(sc_ds_writer_close(wr), 0);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, H5T_VARIABLE);
    H5Tset_cset(st, H5T_CSET_UTF8);
    char *ids[3] = {0}, *sp_str[6] = {0};
    hid_t d = H5Dopen2(f, "patient_id_text", H5P_DEFAULT);
    assert_true(d >= 0 && H5Dread(d, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids) >= 0);
    assert_string_equal(ids[0], "P \xc3\xa9, 1");
    assert_true(ids[1] == NULL || ids[1][0] == '\0'); /* never written */
    assert_string_equal(ids[2], "P2");
    H5Dclose(d);
    d = H5Dopen2(f, "source_path", H5P_DEFAULT);
    hid_t dsp = H5Dget_space(d);
    hsize_t dims[2];
    assert_int_equal(H5Sget_simple_extent_dims(dsp, dims, NULL), 2);
    assert_true(dims[0] == 3 && dims[1] == 2);
    assert_true(H5Dread(d, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, sp_str) >= 0);
    assert_string_equal(sp_str[2], "a.png");
    assert_string_equal(sp_str[3], "b.png");
    H5Sclose(dsp);
    H5Dclose(d);
    float spacing[6] = {-1, -1, -1, -1, -1, -1};
    d = H5Dopen2(f, "pixel_spacing", H5P_DEFAULT);
    assert_true(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, spacing) >= 0);
    const float want[6] = {0, 0, 2.5f, 3.0f, 0, 0};
    assert_memory_equal(spacing, want, sizeof want);
    H5Dclose(d);
    for (int k = 0; k < 3; k++) free(ids[k]);
    for (int k = 0; k < 6; k++) free(sp_str[k]);
    H5Tclose(st);
    H5Fclose(f);
}

static void test_png_roundtrip_and_preview(void **state)
{
    (void)state;
    char path[512];
    path_in(path, sizeof path, "g.png");
    uint8_t pix[3 * 5];
    for (int i = 0; i < 15; i++) pix[i] = (uint8_t)(i * 17);
    assert_int_equal(sc_png_write_gray(path, pix, 3, 5), 0);
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&im, path));
    assert_int_equal(im.width, 5);
    assert_int_equal(im.height, 3);
    im.format = PNG_FORMAT_GRAY;
    uint8_t back[15];
    assert_true(png_image_finish_read(&im, NULL, back, 5, NULL));
    assert_memory_equal(back, pix, 15);
    assert_int_equal(sc_png_write_gray("/nonexistent-dir/g.png", pix, 3, 5), -1);
    assert_non_null(strstr(sc_err_msg(), "/nonexistent-dir/g.png"));

    /* preview: two views side by side, upscaled to at least 512 rows, inverse grey */
    uint16_t img[2 * 64 * 16];
    for (int i = 0; i < 2 * 64 * 16; i++) img[i] = (uint16_t)(i % 16 == 8 ? 200 : 0);
    path_in(path, sizeof path, "p.png");
    assert_int_equal(sc_preview_write(path, img, 64, 16, "NORMAL P1 S0"), 0);
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&im, path));
    assert_int_equal(im.height, 512 + 48);
    assert_int_equal(im.width, 2 * 16 * 8 + 16);
    im.format = PNG_FORMAT_GRAY;
    uint8_t *pv = malloc((size_t)im.width * im.height);
    assert_true(png_image_finish_read(&im, NULL, pv, 0, NULL));
    size_t row = 24 + 100; /* inside the first view */
    assert_int_equal(pv[row * im.width + 8 * 8 + 3], 0);  /* hot column: black */
    assert_int_equal(pv[row * im.width + 2 * 8], 255);    /* no counts: white */
    free(pv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_and_read_back),
        cmocka_unit_test(test_abort_and_incomplete),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_meta_datasets),
        cmocka_unit_test(test_png_roundtrip_and_preview),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
