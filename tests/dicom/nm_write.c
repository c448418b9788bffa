/* tests/dicom/nm_write.c: write one whole-body study as a gamma camera does, for the tutorial's
 * practice folder (scripts/practice-folder) and its test (t_tutorial):
 *
 *   nm_write OUT.dcm RAW H W PATIENT_ID INDEX [jpeg12]
 *
 * RAW holds two uint16 frames, little endian, [2][H][W]: the anterior view, then the posterior
 * one stored as seen from behind (as `spectcv synth` stores it).  The file is NM Image Storage
 * with one frame per view, a Detector Information Sequence whose items carry the View Code
 * (anterior, posterior) and the orientation (the posterior rows toward the patient's right),
 * pixel spacing, and UIDs made from INDEX under a fixed example root; no patient name.  Written
 * in explicit VR little endian through GDCM (tests/dicom/fixture.cpp); gdcmconv transcodes it.
 * With `jpeg12` the counts (at most 4095) are stored in 12 bits and compressed as JPEG extended
 * (process 2/4, quality 90) through GDCM's codec, which gdcmconv cannot do (fixture.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/dicom/fixture.h"

static int die(const char *msg, const char *arg)
{
    fprintf(stderr, "nm_write: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 7 && !(argc == 8 && !strcmp(argv[7], "jpeg12")))
        return die("usage: nm_write OUT.dcm RAW H W PATIENT_ID INDEX [jpeg12]", NULL);
    const int jpeg12 = argc == 8;
    char *end;
    long h = strtol(argv[3], &end, 10);
    if (*end || h < 1 || h > 4096) return die("H must be 1..4096", argv[3]);
    long w = strtol(argv[4], &end, 10);
    if (*end || w < 1 || w > 4096) return die("W must be 1..4096", argv[4]);
    long index = strtol(argv[6], &end, 10);
    if (*end || index < 0 || index > 99999999) return die("INDEX must be 0..99999999", argv[6]);

    size_t n = 2 * (size_t)h * (size_t)w;
    uint16_t *pix = malloc(n * sizeof *pix);
    if (!pix) return die("out of memory", NULL);
    FILE *f = fopen(argv[2], "rb");
    if (!f) return die(strerror(errno), argv[2]);
    size_t got = fread(pix, sizeof *pix, n, f);
    int extra = fgetc(f) != EOF;
    fclose(f);
    if (got != n || extra) return die("RAW must hold exactly 2 x H x W uint16 values", argv[2]);
    for (size_t i = 0; jpeg12 && i < n; i++)
        if (pix[i] > 4095) return die("jpeg12: a count above 4095 in", argv[2]);

    /* Example UIDs: a root registered for examples (2.25 would need 128-bit numbers). */
    char study[64], series[64], sop[64];
    snprintf(study, sizeof study, "1.2.826.0.1.3680043.10.1001.%ld", index + 1);
    snprintf(series, sizeof series, "1.2.826.0.1.3680043.10.1001.%ld.1", index + 1);
    snprintf(sop, sizeof sop, "1.2.826.0.1.3680043.10.1001.%ld.1.1", index + 1);
    dicom_fixture s = {0};
    dicom_fixture_camera(&s);
    s.h = (int)h;
    s.w = (int)w;
    s.bits_allocated = 16;
    s.bits_stored = jpeg12 ? 12 : 16;
    s.pixels = pix;
    s.pixel_spacing = "2.4\\2.4";
    s.patient_id = argv[5];
    s.study_uid = study;
    s.series_uid = series;
    s.sop_uid = sop;
    s.acquisition_date = "20240131";
    s.manufacturer = "spectcv practice folder";
    char plain[4096];
    snprintf(plain, sizeof plain, "%s.12bit.dcm", argv[1]);
    int rc = dicom_fixture_write(jpeg12 ? plain : argv[1], &s);
    if (!rc && jpeg12) {
        rc = dicom_fixture_jpeg_extended(plain, argv[1], 90);
        remove(plain);
    }
    free(pix);
    return rc ? 1 : 0;
}
