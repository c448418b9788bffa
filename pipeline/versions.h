/* pipeline/versions.h: spectcv's version and the versions of the libraries it runs with, for
 * `spectcv --version` and for the provenance a results file records (pipeline/run_info.c). */
#ifndef SC_PIPELINE_VERSIONS_H
#define SC_PIPELINE_VERSIONS_H

#include <stddef.h>
#include <stdio.h>

/* SPECTCV_VERSION (util/version.h), followed by " (git DESCRIBE)" when the binary was built from
 * a git checkout (the Makefile passes `git describe --always --dirty` as SPECTCV_GIT; a build
 * from a tarball has none). */
const char *sc_version_string(void);
/* The first line of MPI_Get_library_version (name and version; callable before MPI_Init). */
void sc_mpi_library_version(char *out, size_t size);
/* H5get_libversion as "MAJOR.MINOR.RELEASE". */
void sc_hdf5_version(char *out, size_t size);
/* `spectcv --version`: spectcv's version, then one line per library: its name, the version it
 * runs with, and whether that is the runtime library's answer or only the headers' (the
 * compile-time version, for libraries that offer no runtime query).  Needs no MPI_Init. */
void sc_print_versions(FILE *out);

#endif
