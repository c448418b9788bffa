/* pipeline/import_info.c: the provenance block `spectcv info` prints for a data set, read from
 * what the writer left in it: the root attributes generator and version (every spectcv data
 * set), and for an import also source, formats and imported and the per-scan datasets
 * /source_path and /dicom_transfer_syntax (docs/import.md, "What is copied").  Attributes that
 * an older import did not write are left out of the block, not refused. */
#include <hdf5.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/import.h"
#include "util/error.h"
#include "util/h5.h"

/* DICOM PS3.6 names of the transfer syntaxes a bone scan is likely to come in. */
static const struct {
    const char *uid, *name;
} ts_names[] = {
    {"1.2.840.10008.1.2", "Implicit VR Little Endian"},
    {"1.2.840.10008.1.2.1", "Explicit VR Little Endian"},
    {"1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian"},
    {"1.2.840.10008.1.2.2", "Explicit VR Big Endian"},
    {"1.2.840.10008.1.2.4.50", "JPEG Baseline"},
    {"1.2.840.10008.1.2.4.51", "JPEG Extended"},
    {"1.2.840.10008.1.2.4.57", "JPEG Lossless"},
    {"1.2.840.10008.1.2.4.70", "JPEG Lossless, first-order prediction"},
    {"1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"},
    {"1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless"},
    {"1.2.840.10008.1.2.4.90", "JPEG 2000 Lossless"},
    {"1.2.840.10008.1.2.4.91", "JPEG 2000"},
    {"1.2.840.10008.1.2.5", "RLE Lossless"},
};

static const char *ts_name(const char *uid)
{
    for (size_t i = 0; i < sizeof ts_names / sizeof ts_names[0]; i++)
        if (!strcmp(uid, ts_names[i].uid)) return ts_names[i].name;
    return "unknown to spectcv";
}

/* String attribute `name` of the root, *out NULL when there is none. */
static int optional_attr(hid_t f, const char *path, const char *name, char **out)
{
    *out = NULL;
    htri_t e = H5Aexists(f, name);
    SC_H5(e, "%s: cannot look for attribute '%s'", path, name);
    return e ? sc_h5_read_str_attr(f, path, name, NULL, out) : 0;
fail:
    return -1;
}

/* Every string of the per-scan dataset /name ([N] or [N][V], variable length) into *out[*n];
 * *out NULL when the file has no such dataset.  Free with free_strs. */
static int read_strs(hid_t f, const char *path, const char *name, char ***out, size_t *n)
{
    hid_t d = -1, ft = -1, mt = -1, sp = -1;
    char **s = NULL;
    int rc = -1;
    *out = NULL;
    *n = 0;
    htri_t e = H5Lexists(f, name, H5P_DEFAULT);
    SC_H5(e, "%s: cannot look for /%s", path, name);
    if (!e) return 0;
    SC_H5(d = H5Dopen2(f, name, H5P_DEFAULT), "%s: cannot open /%s", path, name);
    SC_H5(ft = H5Dget_type(d), "%s: /%s: cannot read its type", path, name);
    SC_CHECK(H5Tget_class(ft) == H5T_STRING && H5Tis_variable_str(ft) > 0,
             "%s: /%s: expected variable-length strings (as spectcv import writes them)", path,
             name);
    SC_H5(sp = H5Dget_space(d), "%s: /%s: cannot read its shape", path, name);
    const int rank = H5Sget_simple_extent_ndims(sp);
    const hssize_t m = H5Sget_simple_extent_npoints(sp);
    SC_CHECK((rank == 1 || rank == 2) && m >= 0, "%s: /%s: expected [N] or [N][V] strings", path,
             name);
    SC_H5(mt = H5Tcopy(H5T_C_S1), "%s: /%s: string type", path, name);
    SC_H5(H5Tset_size(mt, H5T_VARIABLE), "%s: /%s: string type", path, name);
    SC_H5(H5Tset_cset(mt, H5Tget_cset(ft)), "%s: /%s: string type", path, name);
    s = sc_xcalloc((size_t)m + 1, sizeof *s);
    if (m > 0) SC_H5(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, s), "%s: /%s: cannot read",
                     path, name);
    *out = s;
    *n = (size_t)m;
    s = NULL;
    rc = 0;
fail:
    free(s);
    if (sp >= 0) H5Sclose(sp);
    if (mt >= 0) H5Tclose(mt);
    if (ft >= 0) H5Tclose(ft);
    if (d >= 0) H5Dclose(d);
    return rc;
}

static void free_strs(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (s[i]) H5free_memory(s[i]);
    free(s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of an import: files (per format), then each transfer syntax with its files. */
static int print_import_files(FILE *out, hid_t f, const char *path, const char *formats)
{
    char **paths = NULL, **ts = NULL;
    size_t np = 0, nt = 0, files = 0;
    int rc = -1;
    SC_TRY(read_strs(f, path, "source_path", &paths, &np));
    for (size_t i = 0; i < np; i++) files += paths[i] && paths[i][0];
    if (paths) fprintf(out, "  files: %zu%s%s%s\n", files, formats ? " (" : "",
                       formats ? formats : "", formats ? ")" : "");
    SC_TRY(read_strs(f, path, "dicom_transfer_syntax", &ts, &nt));
    size_t k = 0; /* the non-empty ones ("" is a file that was not DICOM), sorted */
    for (size_t i = 0; i < nt; i++)
        if (ts[i] && ts[i][0]) ts[k++] = ts[i];
        else if (ts[i]) H5free_memory(ts[i]);
    nt = k;
    if (nt) qsort(ts, nt, sizeof *ts, cmp_str); /* ts is NULL without the dataset */
    for (size_t i = 0, run = 1; i < nt; i++, run++)
        if (i + 1 == nt || strcmp(ts[i], ts[i + 1])) {
            fprintf(out, "  DICOM transfer syntax %s (%s): %zu file%s\n", ts[i], ts_name(ts[i]),
                    run, run == 1 ? "" : "s");
            run = 0;
        }
    rc = 0;
fail:
    free_strs(paths, np);
    free_strs(ts, nt);
    return rc;
}

int imp_print_provenance(FILE *out, const char *path, int64_t scans)
{
    hid_t f = -1;
    char *gen = NULL, *ver = NULL, *src = NULL, *formats = NULL, *when = NULL;
    int rc = -1;
    SC_H5(f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), "%s: cannot open", path);
    SC_TRY(optional_attr(f, path, "generator", &gen));
    SC_TRY(optional_attr(f, path, "version", &ver));
    if (!gen || strcmp(gen, "spectcv import")) { /* synth, or a file made elsewhere */
        if (gen) fprintf(out, "made by: %s%s%s%s\n", gen, ver ? " (spectcv " : "",
                         ver ? ver : "", ver ? ")" : "");
        rc = 0;
        goto fail;
    }
    SC_TRY(optional_attr(f, path, "source", &src));
    SC_TRY(optional_attr(f, path, "formats", &formats));
    SC_TRY(optional_attr(f, path, "imported", &when));
    const char *what = src ? src : "", *from = "";
    if (!strncmp(what, "csv:", 4)) {
        from = "the CSV ";
        what += 4;
    } else if (!strncmp(what, "bs80k:", 6)) {
        from = "the BS-80K folder ";
        what += 6;
    }
    fprintf(out, "imported: %" PRId64 " scans from %s%s", scans, from, src ? what : "(no source "
            "attribute)");
    if (when) fprintf(out, " on %s", when);
    fprintf(out, " by spectcv %s\n", ver ? ver : "(no version attribute)");
    SC_TRY(print_import_files(out, f, path, formats));
    rc = 0;
fail:
    free(gen);
    free(ver);
    free(src);
    free(formats);
    free(when);
    if (f >= 0) H5Fclose(f);
    return rc;
}
