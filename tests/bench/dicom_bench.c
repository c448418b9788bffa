/* tests/bench/dicom_bench.c: decode speed of sc_dicom_read (BENCHMARKS.md, "DICOM decode").
 *
 *   build/release/bench/dicom_bench [runs]        (make bench-dicom)
 *
 * One phantom whole-body scan (data/phantom.h, default size 1024 x 256 and counts), written as a
 * 2-frame NM file (anterior + posterior, uint16) and transcoded with gdcmconv to each lossless
 * syntax.  Each run reads the file repeatedly for at least 0.5 s; the figure is the median over
 * the runs of scans (files) per second, one thread.  Every decode is checked against the
 * original counts, so a fast wrong decoder cannot pass. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "data/dicom.h"
#include "data/phantom.h"
#include "tests/dicom/fixture.h"
#include "util/error.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 7;
    if (runs < 1 || runs > 101) {
        fprintf(stderr, "usage: dicom_bench [runs 1..101]\n");
        return 2;
    }
    char dir[] = "/tmp/sc-bench-dicom.XXXXXX", in[128], out[128], cmd[512];
    if (!mkdtemp(dir)) return 1;
    sc_phantom_params p;
    sc_phantom_defaults(&p);
    const size_t n = (size_t)2 * p.h * p.w;
    uint16_t *scan = malloc(n * sizeof *scan);
    sc_phantom *g = sc_phantom_new(&p);
    if (!scan || !g || sc_phantom_scan(g, 0, 0, scan, NULL) != 0) return 1;
    sc_phantom_free(g);
    static const uint16_t detectors[2] = {1, 2};
    dicom_fixture s = {.frames = 2, .h = p.h, .w = p.w, .bits_allocated = 16, .bits_stored = 16,
                       .samples = 1, .pixels = scan, .n_detectors = 2,
                       .detector_code_value = {"G-5215", "G-5216"},
                       .detector_code_meaning = {"Anterior projection", "Posterior projection"},
                       .detector_vector = detectors, .pixel_spacing = "2.4\\2.4"};
    snprintf(in, sizeof in, "%s/scan.dcm", dir);
    if (dicom_fixture_write(in, &s) != 0) return 1;

    static const struct {
        const char *name, *args;
    } syntaxes[] = {
        {"explicit VR little endian", "--raw"}, {"RLE", "--rle"},
        {"JPEG lossless (SV1)", "--jpeg"},      {"JPEG-LS lossless", "--jpegls"},
        {"JPEG 2000 lossless", "--j2k"},
    };
    printf("sc_dicom_read, 2-frame %d x %d uint16 NM scan, median of %d runs, 1 thread\n", p.h,
           p.w, runs);
    printf("%-28s %-24s %10s %12s\n", "syntax", "transfer syntax UID", "file KiB", "scans/s");
    int rc = 0;
    for (size_t k = 0; k < sizeof syntaxes / sizeof syntaxes[0]; k++) {
        snprintf(out, sizeof out, "%s/out%zu.dcm", dir, k);
        snprintf(cmd, sizeof cmd, "gdcmconv %s -i '%s' -o '%s' >/dev/null 2>&1", syntaxes[k].args,
                 in, out);
        if (system(cmd) != 0) {
            fprintf(stderr, "dicom_bench: gdcmconv %s failed\n", syntaxes[k].args);
            rc = 1;
            continue;
        }
        struct stat st;
        stat(out, &st);
        double *rate = malloc(sizeof(double) * (size_t)runs);
        char ts[SC_DICOM_UID_MAX] = "";
        for (int r = 0; r < runs && rc == 0; r++) {
            int reads = 0;
            double t0 = now(), t = 0;
            do {
                sc_dicom_image img;
                if (sc_dicom_read(out, &img) != 0) {
                    fprintf(stderr, "dicom_bench: %s\n", sc_err_msg());
                    rc = 1;
                    break;
                }
                if (memcmp(img.pixels, scan, n * sizeof *scan) != 0) {
                    fprintf(stderr, "dicom_bench: %s: wrong pixels\n", out);
                    rc = 1;
                }
                memcpy(ts, img.transfer_syntax, sizeof ts);
                sc_dicom_free(&img);
                reads++;
                t = now() - t0;
            } while (t < 0.5 && rc == 0);
            rate[r] = reads / t;
        }
        if (rc == 0) {
            qsort(rate, (size_t)runs, sizeof *rate, cmp_double);
            printf("%-28s %-24s %10.1f %12.1f\n", syntaxes[k].name, ts, st.st_size / 1024.0,
                   rate[runs / 2]);
        }
        free(rate);
        unlink(out);
    }
    unlink(in);
    rmdir(dir);
    free(scan);
    return rc;
}
