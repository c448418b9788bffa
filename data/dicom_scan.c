/* data/dicom_scan.c: see dicom_scan.h. */
#include "data/dicom_scan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define UNDEFINED_LENGTH 0xFFFFFFFFu
#define ITEM_GROUP 0xFFFE
#define ITEM 0xE000
#define ITEM_END 0xE00D
#define SEQUENCE_END 0xE0DD

typedef struct {
    const uint8_t *b;
    size_t n;
    int explicit_vr, big_endian;
    int stopped; /* met an encoding it does not know: the rest is left to GDCM */
    char *why;
    size_t why_size;
} scan;

/* The VRs of PS3.5 6.2, and those with a 4-byte length (7.1.2). */
static const char short_vrs[] = "AEASATCSDADSDTFLFDISLOLTPNSHSLSSSTTMUIULUS";
static const char long_vrs[] = "OBODOFOLOVOWSQSVUCUNURUTUV";

static int listed(const char *list, const uint8_t *vr)
{
    for (const char *p = list; *p; p += 2)
        if (p[0] == (char)vr[0] && p[1] == (char)vr[1]) return 1;
    return 0;
}

static unsigned u16(const scan *s, size_t i)
{
    return s->big_endian ? (unsigned)s->b[i] << 8 | s->b[i + 1]
                         : s->b[i] | (unsigned)s->b[i + 1] << 8;
}

static uint32_t u32(const scan *s, size_t i)
{
    const uint8_t *p = s->b + i;
    return s->big_endian ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                         : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* "KIND DICOM file: element (gggg,eeee) at byte AT of the data set " and the rest; KIND is
 * "truncated" when what is missing would lie past the end of the file, "corrupt" otherwise. */
static int bad(scan *s, int truncated, size_t at, unsigned g, unsigned e, const char *fmt, ...)
{
    int k = snprintf(s->why, s->why_size, "%s DICOM file: element (%04X,%04X) at byte %zu of the "
                     "data set ", truncated ? "truncated" : "corrupt", g, e, at);
    if (k >= 0 && (size_t)k < s->why_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->why + k, s->why_size - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int walk_items(scan *s, size_t *pos, size_t end, int depth, int fragments, int undefined);

/* The elements in [*pos, end).  In an item of undefined length (in_item) the walk ends at the
 * item's delimiter, which it consumes. */
static int walk_elements(scan *s, size_t *pos, size_t end, int depth, int in_item)
{
    while (*pos < end && !s->stopped) {
        const size_t at = *pos;
        if (end - at < 8) break; /* trailing bytes: GDCM's to judge */
        const unsigned g = u16(s, at), e = u16(s, at + 2);
        if (g == ITEM_GROUP) {
            if (e == ITEM_END && in_item) {
                *pos = at + 8;
                return 0;
            }
            /* an item or a sequence's end outside any sequence (GDCM asserted and aborted the
             * process on such a (FFFE,E0DD): fuzz_dicom) */
            return bad(s, 0, at, g, e, "stands outside any %s", e == ITEM_END ? "item of "
                       "undefined length" : "sequence");
        }
        size_t hdr = 8;
        uint32_t len;
        const uint8_t *vr = s->b + at + 4;
        int sq = 0, un = 0, implicit = !s->explicit_vr;
        if (s->explicit_vr && listed(long_vrs, vr)) {
            if (end - at < 12) break;
            hdr = 12;
            len = u32(s, at + 8);
        } else if (s->explicit_vr && listed(short_vrs, vr)) {
            len = u16(s, at + 6);
        } else {
            /* implicit VR; or, in an explicit syntax, bytes that are no VR: GDCM then reads the
             * element as implicit (gdcm::ExplicitImplicitDataElement), and so does the walk */
            implicit = 1;
            len = u32(s, at + 4);
        }
        if (!implicit) {
            sq = vr[0] == 'S' && vr[1] == 'Q';
            un = vr[0] == 'U' && vr[1] == 'N';
        }
        const size_t v = at + hdr;
        if (len == UNDEFINED_LENGTH) { /* a sequence, or encapsulated pixel data */
            const int pixels = g == 0x7FE0 && e == 0x0010;
            if (!implicit && !sq && !un && !pixels) {
                s->stopped = 1;
                return 0;
            }
            *pos = v;
            if (walk_items(s, pos, end, depth + 1, pixels, 1)) return -1;
            continue;
        }
        if (len > end - v) {
            if (end == s->n)
                return bad(s, 1, at, g, e, "declares %lu bytes; the file holds %zu after it (or "
                           "the length is corrupt)", (unsigned long)len, end - v);
            return bad(s, 0, at, g, e, "declares %lu bytes; %zu are left in the item or sequence "
                       "that holds it", (unsigned long)len, end - v);
        }
        if (sq) {
            size_t p = v;
            if (walk_items(s, &p, v + len, depth + 1, 0, 0)) return -1;
        }
        *pos = v + len;
    }
    if (in_item && !s->stopped && *pos >= end)
        return bad(s, end == s->n, *pos, ITEM_GROUP, ITEM_END,
                   "is missing: an item of undefined length runs to the end of its container");
    return 0;
}

/* The items of a sequence, or the fragments of encapsulated pixel data, in [*pos, end): to end
 * (a sequence of defined length) or to the sequence's delimiter (undefined). */
static int walk_items(scan *s, size_t *pos, size_t end, int depth, int fragments, int undefined)
{
    if (depth > SC_DICOM_SCAN_DEPTH)
        return bad(s, 0, *pos, ITEM_GROUP, ITEM, "is nested in more than %d sequences",
                   SC_DICOM_SCAN_DEPTH);
    while (!s->stopped) {
        const size_t at = *pos;
        if (at >= end || end - at < 8) {
            if (!undefined) return 0;
            return bad(s, end == s->n, at, ITEM_GROUP, SEQUENCE_END,
                       "is missing: a sequence of undefined length runs to the end of its "
                       "container");
        }
        const unsigned g = u16(s, at), e = u16(s, at + 2);
        const uint32_t len = u32(s, at + 4);
        if (g == ITEM_GROUP && e == SEQUENCE_END && undefined) {
            *pos = at + 8;
            return 0;
        }
        /* PS3.5 7.5 and A.4: a sequence holds items only, and a fragment has a length (GDCM,
         * reading past such bytes, took a length from them: a 2.9 GB allocation, fuzz_dicom) */
        if (g != ITEM_GROUP || e != ITEM)
            return bad(s, 0, at, g, e, "stands where %s", fragments
                       ? "the pixel data's next fragment (FFFE,E000) or its end (FFFE,E0DD) must"
                       : "a sequence's next item (FFFE,E000) or its end must");
        const size_t v = at + 8;
        if (len == UNDEFINED_LENGTH) {
            if (fragments)
                return bad(s, 0, at, g, e, "(a fragment of the pixel data) has an undefined "
                           "length");
            *pos = v;
            if (walk_elements(s, pos, end, depth, 1)) return -1;
            continue;
        }
        if (len > end - v)
            return bad(s, end == s->n, at, g, e, "(an item) declares %lu bytes; %zu are left",
                       (unsigned long)len, end - v);
        if (!fragments) {
            size_t p = v;
            if (walk_elements(s, &p, v + len, depth, 0)) return -1;
        }
        *pos = v + len;
    }
    return 0;
}

int sc_dicom_encoding_of(const char *ts_uid)
{
    char uid[72];
    size_t n = 0;
    for (const char *p = ts_uid; *p && n + 1 < sizeof uid; p++)
        if (*p != ' ') uid[n++] = *p; /* values are padded to an even length */
    uid[n] = '\0';
    if (!strcmp(uid, "1.2.840.10008.1.2")) return SC_DICOM_IMPLICIT_LE;
    if (!strcmp(uid, "1.2.840.10008.1.2.2")) return SC_DICOM_EXPLICIT_BE;
    if (!strcmp(uid, "1.2.840.10008.1.2.1.99")) return -1;
    return SC_DICOM_EXPLICIT_LE;
}

int sc_dicom_scan_lengths(const uint8_t *data, size_t n, sc_dicom_encoding enc, char *why,
                          size_t why_size)
{
    scan s = {data, n, enc != SC_DICOM_IMPLICIT_LE, enc == SC_DICOM_EXPLICIT_BE, 0, why,
              why_size};
    size_t pos = 0;
    return walk_elements(&s, &pos, n, 0, 0);
}
