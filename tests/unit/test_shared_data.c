/* tests/unit/test_shared_data.c: loading the data set in slices (data/preprocess.h
 * sc_ds_load_range) gives the same images, count scales and content hash as loading it whole,
 * whatever the slices; the content hash depends on every scan and on their order; and the
 * node's shared window (pipeline/shared_data.h) of a one-rank run holds the same as
 * sc_ds_load; a selection of views (data.views) loads those channels of the whole load, with
 * the data set's content hash.  Runs as an MPI singleton; the multi-rank cases are the integration tests'
 * (t_run, t_gan: results and dataset_hash identical for 1, 2 and 3 ranks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "data/dataset.h"
#include "data/preprocess.h"
#include "pipeline/shared_data.h"
#include "util/error.h"

enum { N = 7, V = 2, H = 16, W = 8, OH = 8, OW = 4 };

static const char *const LABELS[3] = {"metastasis", "arthritis", "normal"};
static const char *const VIEWS[2] = {"anterior", "posterior"};
static char dir[256], path[300];

/* A small data set whose scans all differ (and whose views have different means). */
static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sc-test-shd.XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/d.h5", dir);
    sc_ds_writer *wr;
    if (sc_ds_writer_open(path, N, V, H, W, 3, LABELS, VIEWS, &wr)) return -1;
    uint16_t img[V * H * W];
    for (int64_t i = 0; i < N; i++) {
        for (size_t k = 0; k < sizeof img / sizeof *img; k++)
            img[k] = (uint16_t)((k * 7 + (size_t)i * 13) % 1000 + (k >= H * W ? 50 : 0));
        uint8_t lab[3] = {(uint8_t)(i & 1), 0, (uint8_t)!(i & 1)};
        if (sc_ds_writer_put(wr, i, img, lab, 100 + i / 2)) return -1;
    }
    return sc_ds_writer_close(wr);
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_slices_match_the_whole(void **state)
{
    (void)state;
    sc_dataset ds;
    assert_int_equal(sc_ds_open(MPI_COMM_SELF, path, &ds), 0);
    float *all, *scale_all;
    uint64_t hash;
    assert_int_equal(sc_ds_load(&ds, OH, OW, SC_NORM_MEAN, &all, &hash, &scale_all), 0);

    const size_t per = (size_t)V * OH * OW;
    float img[N * V * OH * OW], scale[N * V];
    uint64_t scan_hash[N];
    /* Uneven slices, an empty one among them, loaded out of order. */
    const int64_t cut[][2] = {{5, 2}, {0, 3}, {3, 0}, {3, 2}};
    memset(img, 0xff, sizeof img);
    for (size_t c = 0; c < sizeof cut / sizeof *cut; c++) {
        int64_t first = cut[c][0], count = cut[c][1];
        assert_int_equal(sc_ds_load_range(&ds, first, count, OH, OW, SC_NORM_MEAN,
                                          img + first * per, scale + first * V,
                                          scan_hash + first), 0);
    }
    assert_memory_equal(img, all, sizeof img);
    assert_memory_equal(scale, scale_all, sizeof scale);
    assert_true(sc_ds_content_hash(&ds, scan_hash) == hash);
    /* Every scan's pixels count, and so does their order. */
    for (int i = 1; i < N; i++) assert_true(scan_hash[i] != scan_hash[0]);
    uint64_t swapped[N];
    memcpy(swapped, scan_hash, sizeof swapped);
    swapped[1] = scan_hash[2];
    swapped[2] = scan_hash[1];
    assert_true(sc_ds_content_hash(&ds, swapped) != hash);
    /* The count scale: the view's mean count times the input pixels per output pixel. */
    double mean = 0;
    float raw[V * H * W];
    assert_int_equal(sc_ds_read(&ds, 4, 1, raw), 0);
    for (int k = 0; k < H * W; k++) mean += raw[H * W + k];
    mean /= H * W;
    assert_float_equal(scale[4 * V + 1], mean * (H * W) / (OH * OW), 1e-3 * mean);
    /* A range past the end names the scans and the file. */
    assert_int_equal(sc_ds_load_range(&ds, 5, 3, OH, OW, SC_NORM_MEAN, img, NULL, NULL), -1);
    assert_non_null(strstr(sc_err_msg(), "scans [5, 8) out of range (N = 7)"));
    assert_non_null(strstr(sc_err_msg(), "d.h5"));
    free(all);
    free(scale_all);
    sc_ds_close(&ds);
}

static void test_one_rank_window_holds_the_whole_set(void **state)
{
    (void)state;
    sc_dataset ds;
    assert_int_equal(sc_ds_open(MPI_COMM_WORLD, path, &ds), 0);
    float *all, *scale_all;
    uint64_t hash;
    assert_int_equal(sc_ds_load(&ds, OH, OW, SC_NORM_LOG, &all, &hash, &scale_all), 0);
    sc_shared_data sd;
    assert_int_equal(sc_shared_data_load(MPI_COMM_WORLD, &ds, OH, OW, SC_NORM_LOG, &sd), 0);
    assert_true(sd.loaded && sd.first == 0 && sd.count == N);
    assert_memory_equal(sd.images, all, sizeof(float) * N * V * OH * OW);
    assert_memory_equal(sd.count_scale, scale_all, sizeof(float) * N * V);
    assert_true(sd.content_hash == hash);
    assert_int_equal(sc_shared_data_free(&sd), 0);
    assert_false(sd.loaded);
    assert_int_equal(sc_shared_data_free(&sd), 0); /* twice: nothing left to free */
    free(all);
    free(scale_all);
    sc_ds_close(&ds);
}

/* sc_ds_select_views: the posterior view alone is channel 1 of the two-view load (its image and
 * count scale), the content hash stays the data set's, the shared window follows; both views
 * in reverse order swap the channels; bad names are errors naming the file and its views. */
static void test_selected_views(void **state)
{
    (void)state;
    sc_dataset ds, one;
    assert_int_equal(sc_ds_open(MPI_COMM_SELF, path, &ds), 0);
    float *all, *scale_all, *sel, *scale_sel;
    uint64_t hash, hash_sel;
    assert_int_equal(sc_ds_load(&ds, OH, OW, SC_NORM_MEAN, &all, &hash, &scale_all), 0);

    assert_int_equal(sc_ds_open(MPI_COMM_WORLD, path, &one), 0);
    const char *post[] = {"posterior"};
    assert_int_equal(sc_ds_select_views(&one, post, 1), 0);
    assert_int_equal(one.v, 1);
    assert_int_equal(one.v_file, V);
    assert_string_equal(one.view_names[0], "posterior");
    assert_int_equal(one.view_mirrored[0], ds.view_mirrored[1]);
    assert_int_equal(sc_ds_load(&one, OH, OW, SC_NORM_MEAN, &sel, &hash_sel, &scale_sel), 0);
    assert_true(hash_sel == hash);
    for (int i = 0; i < N; i++) {
        assert_memory_equal(sel + (size_t)i * OH * OW, all + ((size_t)i * V + 1) * OH * OW,
                            sizeof(float) * OH * OW);
        assert_true(scale_sel[i] == scale_all[i * V + 1]);
    }
    sc_shared_data sd;
    assert_int_equal(sc_shared_data_load(MPI_COMM_WORLD, &one, OH, OW, SC_NORM_MEAN, &sd), 0);
    assert_memory_equal(sd.images, sel, sizeof(float) * N * OH * OW);
    assert_true(sd.content_hash == hash);
    assert_int_equal(sc_shared_data_free(&sd), 0);
    /* a second selection is refused */
    assert_int_equal(sc_ds_select_views(&one, post, 1), -1);
    assert_non_null(strstr(sc_err_msg(), "views already selected"));
    free(sel);
    free(scale_sel);
    sc_ds_close(&one);

    assert_int_equal(sc_ds_open(MPI_COMM_SELF, path, &one), 0);
    const char *both[] = {"posterior", "anterior"};
    assert_int_equal(sc_ds_select_views(&one, both, 2), 0);
    assert_int_equal(sc_ds_load(&one, OH, OW, SC_NORM_MEAN, &sel, NULL, NULL), 0);
    for (int i = 0; i < N; i++)
        for (int v = 0; v < V; v++)
            assert_memory_equal(sel + ((size_t)i * V + v) * OH * OW,
                                all + ((size_t)i * V + (V - 1 - v)) * OH * OW,
                                sizeof(float) * OH * OW);
    free(sel);
    sc_ds_close(&one);

    const char *bad[] = {"lateral"}, *twice[] = {"anterior", "anterior"};
    assert_int_equal(sc_ds_open(MPI_COMM_SELF, path, &one), 0);
    assert_int_equal(sc_ds_select_views(&one, bad, 1), -1);
    assert_non_null(strstr(sc_err_msg(), "d.h5: no view named 'lateral' (its views: anterior, "
                                         "posterior)"));
    assert_int_equal(sc_ds_select_views(&one, twice, 2), -1);
    assert_non_null(strstr(sc_err_msg(), "d.h5: view 'anterior' named twice"));
    assert_int_equal(sc_ds_select_views(&one, both, 0), -1);
    assert_int_equal(one.v, V); /* a refused selection changes nothing */
    sc_ds_close(&one);
    free(all);
    free(scale_all);
    sc_ds_close(&ds);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slices_match_the_whole),
        cmocka_unit_test(test_one_rank_window_holds_the_whole_set),
        cmocka_unit_test(test_selected_views),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    MPI_Finalize();
    return rc;
}
