/* pipeline/versions.c: see versions.h.  Runtime versions come from the loaded shared libraries,
 * so they show what a cluster's modules actually provide (which may differ from the headers the
 * binary was built with: both are printed where the library offers both). */
#include "pipeline/versions.h"

#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <libconfig.h>
#include <png.h>
#include <zlib.h>
/* jpeglib.h needs stdio.h's FILE first. */
#include <jpeglib.h>

#include "data/dicom.h"
#include "nn/nn.h"
#include "util/version.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const char *sc_version_string(void)
{
#ifdef SPECTCV_GIT
    if (SPECTCV_GIT[0]) return SPECTCV_VERSION " (git " SPECTCV_GIT ")";
#endif
    return SPECTCV_VERSION;
}

void sc_mpi_library_version(char *out, size_t size)
{
    char mpi[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int len = 0;
    if (MPI_Get_library_version(mpi, &len) != MPI_SUCCESS) snprintf(mpi, sizeof mpi, "unknown");
    mpi[strcspn(mpi, "\n")] = '\0'; /* its first line: name and version */
    snprintf(out, size, "%s", mpi);
}

void sc_hdf5_version(char *out, size_t size)
{
    unsigned maj = 0, min = 0, rel = 0;
    H5get_libversion(&maj, &min, &rel);
    snprintf(out, size, "%u.%u.%u", maj, min, rel);
}

/* One line: NAME, VERSION, then where the version comes from. */
static void line(FILE *out, const char *name, const char *version, const char *source)
{
    fprintf(out, "  %-10s %s  (%s)\n", name, version, source);
}

void sc_print_versions(FILE *out)
{
    char v[MPI_MAX_LIBRARY_VERSION_STRING + 64];
    fprintf(out, "spectcv %s\n", sc_version_string());
    /* a sanitizer build (make SANITIZE=1) says so: its speed and memory are not a release's */
#if defined(__SANITIZE_ADDRESS__)
    fprintf(out, "build: AddressSanitizer and UBSan (make SANITIZE=1), for testing\n");
#endif
    fprintf(out, "libraries (runtime: the loaded library's answer; compile-time: its headers'):\n");

    sc_mpi_library_version(v, sizeof v);
#ifdef OMPI_MAJOR_VERSION
    line(out, "MPI", v,
         "runtime; built with Open MPI " STR(OMPI_MAJOR_VERSION) "." STR(OMPI_MINOR_VERSION) "." STR(
             OMPI_RELEASE_VERSION) ", MPI " STR(MPI_VERSION) "." STR(MPI_SUBVERSION));
#else
    line(out, "MPI", v, "runtime; built with MPI " STR(MPI_VERSION) "." STR(MPI_SUBVERSION));
#endif

    sc_hdf5_version(v, sizeof v);
    line(out, "HDF5", v,
         "runtime; built with " STR(H5_VERS_MAJOR) "." STR(H5_VERS_MINOR) "." STR(H5_VERS_RELEASE)
#ifdef H5_HAVE_PARALLEL
         ", parallel"
#endif
    );

    line(out, "libconfig",
         STR(LIBCONFIG_VER_MAJOR) "." STR(LIBCONFIG_VER_MINOR) "." STR(LIBCONFIG_VER_REVISION),
         "compile-time: libconfig has no runtime query");

    line(out, "GSL", gsl_version, "runtime; built with " GSL_VERSION);

    snprintf(v, sizeof v, "%s; kernels %s", nn_blas_config(), nn_blas_core());
    line(out, "OpenBLAS", v, "runtime");

    line(out, "libpng", png_get_libpng_ver(NULL), "runtime; built with " PNG_LIBPNG_VER_STRING);

    line(out, "zlib", zlibVersion(), "runtime; built with " ZLIB_VERSION);

    line(out, "GDCM", sc_dicom_library_version(), "runtime; reads DICOM for import");

#ifdef LIBJPEG_TURBO_VERSION
    line(out, "libjpeg", "libjpeg-turbo " STR(LIBJPEG_TURBO_VERSION) ", API " STR(JPEG_LIB_VERSION),
         "compile-time: libjpeg has no runtime query");
#else
    line(out, "libjpeg", "API " STR(JPEG_LIB_VERSION), "compile-time: libjpeg has no runtime query");
#endif
}
