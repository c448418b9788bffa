/* util/version.h: the version stored in every results file. */
#ifndef SC_UTIL_VERSION_H
#define SC_UTIL_VERSION_H
#define SPECTCV_VERSION "0.1.0"
#endif
