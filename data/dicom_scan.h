/* data/dicom_scan.h: a walk over the element headers of a DICOM data set (the bytes after the
 * File Meta Information) that checks every declared length against the bytes that hold it,
 * before GDCM reads the file.
 *
 * Why: GDCM allocates (and zeroes) an element's declared length before it reads the value, so
 * a 1.7 KB file that declares a 3 GB element makes it ask for 3 GB (found by fuzz_dicom,
 * docs/reliability.md).  The walk follows the encoding of PS3.5 7.1 (explicit or implicit VR,
 * little or big endian), sequences and items of defined and undefined length (7.5) and
 * encapsulated pixel data (A.4), nested up to SC_DICOM_SCAN_DEPTH levels; in an explicit syntax,
 * an element without a valid VR is read as implicit, as GDCM reads it.  It only refuses what
 * cannot be right (a value that runs past its container, an undefined length without its
 * delimiter, anything but items in a sequence or in encapsulated pixel data, too deep a
 * nesting); where the structure is outside what it knows (an item outside any sequence, an
 * undefined length on a VR that cannot have one) it stops and leaves the rest to GDCM's own
 * checks. */
#ifndef SC_DATA_DICOM_SCAN_H
#define SC_DATA_DICOM_SCAN_H

#include <stddef.h>
#include <stdint.h>

#define SC_DICOM_SCAN_DEPTH 32

typedef enum {
    SC_DICOM_EXPLICIT_LE, /* explicit VR little endian, and every compressed syntax */
    SC_DICOM_IMPLICIT_LE,
    SC_DICOM_EXPLICIT_BE  /* retired, still read by GDCM */
} sc_dicom_encoding;

/* The encoding of the data set of a transfer syntax UID; -1 for the deflated syntax, whose data
 * set is compressed and cannot be walked. */
int sc_dicom_encoding_of(const char *ts_uid);

/* Walk data[0, n), the data set.  0 if every length fits; -1 with why (a sentence naming the
 * element as (gggg,eeee) and its offset in the data set) otherwise. */
int sc_dicom_scan_lengths(const uint8_t *data, size_t n, sc_dicom_encoding enc, char *why,
                          size_t why_size);

#endif
