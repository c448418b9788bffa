/* tests/unit/test_dicom_scan.c: the length walk of data/dicom_scan.h on data sets built here
 * byte by byte from PS3.5 (7.1 element encodings, 7.5 sequences and items, A.4 encapsulated
 * pixel data), independently of GDCM: legal ones pass in each encoding, and each kind of
 * over-long or unterminated length is refused with the element named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "data/dicom_scan.h"

typedef struct {
    uint8_t b[4096];
    size_t n;
    int big; /* big endian */
} buf;

static void put16(buf *d, unsigned v)
{
    d->b[d->n++] = (uint8_t)(d->big ? v >> 8 : v);
    d->b[d->n++] = (uint8_t)(d->big ? v : v >> 8);
}

static void put32(buf *d, uint32_t v)
{
    for (int i = 0; i < 4; i++) d->b[d->n++] = (uint8_t)(v >> (d->big ? 24 - 8 * i : 8 * i));
}

static void tag(buf *d, unsigned g, unsigned e)
{
    put16(d, g);
    put16(d, e);
}

/* An explicit-VR element header (the 4-byte length form for the long VRs). */
static void ex(buf *d, unsigned g, unsigned e, const char *vr, uint32_t len)
{
    tag(d, g, e);
    d->b[d->n++] = (uint8_t)vr[0];
    d->b[d->n++] = (uint8_t)vr[1];
    if (strstr("OBODOFOLOVOWSQSVUCUNURUTUV", vr)) {
        put16(d, 0);
        put32(d, len);
    } else {
        put16(d, len);
    }
}

static void bytes(buf *d, size_t k)
{
    memset(d->b + d->n, 'x', k);
    d->n += k;
}

static void item(buf *d, uint32_t len) { tag(d, 0xFFFE, 0xE000), put32(d, len); }
static void item_end(buf *d) { tag(d, 0xFFFE, 0xE00D), put32(d, 0); }
static void seq_end(buf *d) { tag(d, 0xFFFE, 0xE0DD), put32(d, 0); }

static int scan(const buf *d, sc_dicom_encoding enc, char *why)
{
    return sc_dicom_scan_lengths(d->b, d->n, enc, why, 256);
}

/* A data set as an NM camera writes it: short and long VRs, a sequence of undefined length
 * holding an item of undefined length with a nested sequence of defined length, then pixels. */
static void legal_explicit(buf *d)
{
    ex(d, 0x0008, 0x0060, "CS", 2), bytes(d, 2);
    ex(d, 0x0054, 0x0022, "SQ", 0xFFFFFFFF); /* Detector Information Sequence */
    item(d, 0xFFFFFFFF);
    ex(d, 0x0020, 0x0037, "DS", 12), bytes(d, 12);
    ex(d, 0x0054, 0x0220, "SQ", 8 + 8 + 4); /* View Code Sequence, defined length */
    item(d, 8 + 4);
    ex(d, 0x0008, 0x0100, "SH", 4), bytes(d, 4);
    item_end(d);
    seq_end(d);
    ex(d, 0x0028, 0x0010, "US", 2), bytes(d, 2);
    ex(d, 0x7FE0, 0x0010, "OW", 64), bytes(d, 64);
}

static void test_legal_data_sets(void **state)
{
    (void)state;
    char why[256] = "";
    buf d = {.n = 0};
    legal_explicit(&d);
    assert_int_equal(scan(&d, SC_DICOM_EXPLICIT_LE, why), 0);
    buf be = {.n = 0, .big = 1};
    legal_explicit(&be);
    assert_int_equal(scan(&be, SC_DICOM_EXPLICIT_BE, why), 0);

    /* implicit VR: 4-byte lengths, a sequence of undefined length known by its length alone */
    buf im = {.n = 0};
    tag(&im, 0x0008, 0x0060), put32(&im, 2), bytes(&im, 2);
    tag(&im, 0x0054, 0x0022), put32(&im, 0xFFFFFFFF);
    item(&im, 0xFFFFFFFF);
    tag(&im, 0x0020, 0x0037), put32(&im, 12), bytes(&im, 12);
    item_end(&im);
    seq_end(&im);
    tag(&im, 0x7FE0, 0x0010), put32(&im, 32), bytes(&im, 32);
    assert_int_equal(scan(&im, SC_DICOM_IMPLICIT_LE, why), 0);

    /* encapsulated pixel data: the offset table (empty) and two fragments, then the end */
    buf enc = {.n = 0};
    ex(&enc, 0x0028, 0x0010, "US", 2), bytes(&enc, 2);
    ex(&enc, 0x7FE0, 0x0010, "OB", 0xFFFFFFFF);
    item(&enc, 0);
    item(&enc, 100), bytes(&enc, 100);
    item(&enc, 6), bytes(&enc, 6);
    seq_end(&enc);
    assert_int_equal(scan(&enc, SC_DICOM_EXPLICIT_LE, why), 0);

    /* in an explicit syntax, an element written without a VR is read as implicit, as GDCM does;
     * the walk goes on after it */
    buf mixed = {.n = 0};
    tag(&mixed, 0x0009, 0x0010), put32(&mixed, 4), bytes(&mixed, 4);
    ex(&mixed, 0x7FE0, 0x0010, "OW", 16), bytes(&mixed, 16);
    assert_int_equal(scan(&mixed, SC_DICOM_EXPLICIT_LE, why), 0);
}

static void expect_refused(const buf *d, sc_dicom_encoding enc, const char *want)
{
    char why[256] = "";
    assert_int_equal(scan(d, enc, why), -1);
    if (!strstr(why, want)) fail_msg("message '%s' lacks '%s'", why, want);
}

static void test_lengths_refused(void **state)
{
    (void)state;
    /* the fuzzer's find: a small file whose pixel data declares 3 GB */
    buf d = {.n = 0};
    ex(&d, 0x0028, 0x0010, "US", 2), bytes(&d, 2);
    ex(&d, 0x7FE0, 0x0010, "OW", 0xC0000000u), bytes(&d, 40);
    expect_refused(&d, SC_DICOM_EXPLICIT_LE, "truncated DICOM file: element (7FE0,0010) at byte "
                   "10 of the data set declares 3221225472 bytes; the file holds 40 after it");
    /* the fuzzer's second find: an implicit element in a file of an explicit syntax, where GDCM
     * falls back to implicit VR and read a 4 GB length */
    buf mixed = {.n = 0};
    ex(&mixed, 0x0008, 0x0060, "CS", 2), bytes(&mixed, 2);
    tag(&mixed, 0x0009, 0x1010), put32(&mixed, 0xFFDEADBEu), bytes(&mixed, 30);
    expect_refused(&mixed, SC_DICOM_EXPLICIT_LE, "truncated DICOM file: element (0009,1010) at "
                   "byte 10 of the data set declares 4292783550 bytes; the file holds 30 after it");
    buf im = {.n = 0};
    tag(&im, 0x0010, 0x0020), put32(&im, 1000), bytes(&im, 10);
    expect_refused(&im, SC_DICOM_IMPLICIT_LE, "element (0010,0020) at byte 0 of the data set "
                   "declares 1000 bytes; the file holds 10 after it");

    /* inside an item of defined length: the element runs past its item, not past the file */
    buf nested = {.n = 0};
    ex(&nested, 0x0054, 0x0022, "SQ", 8 + 8 + 4);
    item(&nested, 8 + 4);
    ex(&nested, 0x0008, 0x0100, "SH", 400), bytes(&nested, 4);
    bytes(&nested, 500); /* the file goes on: only the item is too short */
    expect_refused(&nested, SC_DICOM_EXPLICIT_LE, "corrupt DICOM file: element (0008,0100) at byte "
                   "20 of the data set declares 400 bytes; 4 are left in the item or sequence");

    /* an item longer than its sequence; a fragment longer than the file */
    buf it = {.n = 0};
    ex(&it, 0x0054, 0x0022, "SQ", 0xFFFFFFFF);
    item(&it, 5000), bytes(&it, 16);
    expect_refused(&it, SC_DICOM_EXPLICIT_LE, "element (FFFE,E000) at byte 12 of the data set "
                   "(an item) declares 5000 bytes; 16 are left");
    buf fr = {.n = 0};
    ex(&fr, 0x7FE0, 0x0010, "OB", 0xFFFFFFFF);
    item(&fr, 0);
    item(&fr, 0x10000000), bytes(&fr, 8);
    expect_refused(&fr, SC_DICOM_EXPLICIT_LE, "(an item) declares 268435456 bytes; 8 are left");

    /* the fuzzer's third find: a byte too many after a fragment, where GDCM took a length from
     * the bytes that follow (2.9 GB); and a fragment of undefined length */
    buf stray = {.n = 0};
    ex(&stray, 0x7FE0, 0x0010, "OB", 0xFFFFFFFF);
    item(&stray, 0);
    item(&stray, 3), bytes(&stray, 4);
    seq_end(&stray);
    expect_refused(&stray, SC_DICOM_EXPLICIT_LE, "corrupt DICOM file: element (FE78,DDFF) at byte "
                   "31 of the data set stands where the pixel data's next fragment (FFFE,E000) or "
                   "its end (FFFE,E0DD) must");
    buf open_frag = {.n = 0};
    ex(&open_frag, 0x7FE0, 0x0010, "OB", 0xFFFFFFFF);
    item(&open_frag, 0xFFFFFFFF), bytes(&open_frag, 8);
    expect_refused(&open_frag, SC_DICOM_EXPLICIT_LE, "(a fragment of the pixel data) has an "
                   "undefined length");
    buf not_item = {.n = 0};
    ex(&not_item, 0x0054, 0x0022, "SQ", 0xFFFFFFFF);
    ex(&not_item, 0x0008, 0x0060, "CS", 2), bytes(&not_item, 2);
    seq_end(&not_item);
    expect_refused(&not_item, SC_DICOM_EXPLICIT_LE, "element (0008,0060) at byte 12 of the data set "
                   "stands where a sequence's next item (FFFE,E000) or its end must");

    /* a sequence's end, an item, an item's end outside any sequence (GDCM asserted on the first
     * and aborted the process: fuzz_dicom) */
    buf stray_end = {.n = 0};
    ex(&stray_end, 0x0008, 0x0060, "CS", 2), bytes(&stray_end, 2);
    seq_end(&stray_end);
    ex(&stray_end, 0x7FE0, 0x0010, "OW", 4), bytes(&stray_end, 4);
    expect_refused(&stray_end, SC_DICOM_EXPLICIT_LE, "element (FFFE,E0DD) at byte 10 of the data "
                   "set stands outside any sequence");
    buf stray_item = {.n = 0};
    item(&stray_item, 4), bytes(&stray_item, 4);
    expect_refused(&stray_item, SC_DICOM_IMPLICIT_LE, "element (FFFE,E000) at byte 0 of the data "
                   "set stands outside any sequence");
    buf stray_item_end = {.n = 0};
    item_end(&stray_item_end);
    expect_refused(&stray_item_end, SC_DICOM_EXPLICIT_LE, "element (FFFE,E00D) at byte 0 of the "
                   "data set stands outside any item of undefined length");

    /* undefined lengths that never end */
    buf open_seq = {.n = 0};
    ex(&open_seq, 0x0054, 0x0022, "SQ", 0xFFFFFFFF);
    item(&open_seq, 8 + 2);
    ex(&open_seq, 0x0008, 0x0060, "CS", 2), bytes(&open_seq, 2);
    expect_refused(&open_seq, SC_DICOM_EXPLICIT_LE, "element (FFFE,E0DD) at byte 30 of the data "
                   "set is missing: a sequence of undefined length runs to the end");
    buf open_item = {.n = 0};
    ex(&open_item, 0x0054, 0x0022, "SQ", 0xFFFFFFFF);
    item(&open_item, 0xFFFFFFFF);
    ex(&open_item, 0x0008, 0x0060, "CS", 2), bytes(&open_item, 2);
    expect_refused(&open_item, SC_DICOM_EXPLICIT_LE, "element (FFFE,E00D) at byte 30 of the data "
                   "set is missing: an item of undefined length runs to the end");

    /* sequences nested deeper than the walk follows (a stack bomb for a recursive reader) */
    buf deep = {.n = 0};
    for (int i = 0; i <= SC_DICOM_SCAN_DEPTH; i++) {
        ex(&deep, 0x0040, 0xA730, "SQ", 0xFFFFFFFF);
        item(&deep, 0xFFFFFFFF);
    }
    expect_refused(&deep, SC_DICOM_EXPLICIT_LE, "is nested in more than 32 sequences");
}

static void test_encoding_of_syntax(void **state)
{
    (void)state;
    assert_int_equal(sc_dicom_encoding_of("1.2.840.10008.1.2"), SC_DICOM_IMPLICIT_LE);
    assert_int_equal(sc_dicom_encoding_of("1.2.840.10008.1.2 "), SC_DICOM_IMPLICIT_LE);
    assert_int_equal(sc_dicom_encoding_of("1.2.840.10008.1.2.1"), SC_DICOM_EXPLICIT_LE);
    assert_int_equal(sc_dicom_encoding_of("1.2.840.10008.1.2.2"), SC_DICOM_EXPLICIT_BE);
    assert_int_equal(sc_dicom_encoding_of("1.2.840.10008.1.2.4.80"), SC_DICOM_EXPLICIT_LE);
    assert_int_equal(sc_dicom_encoding_of("1.2.840.10008.1.2.1.99"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legal_data_sets),
        cmocka_unit_test(test_lengths_refused),
        cmocka_unit_test(test_encoding_of_syntax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
