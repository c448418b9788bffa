/* data/dicom.cpp: sc_dicom_read on GDCM (data/dicom.h states the contract: pixels, views,
 * mirroring, header fields).  The only C++ file of spectcv: everything it calls from GDCM runs
 * inside one try block per entry point, so no exception crosses into C. */
#include "data/dicom.h"

#include <csetjmp>
#include <csignal>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <ostream>
#include <string>
#include <vector>

#include <gdcmDataSet.h>
#include <gdcmExplicitDataElement.h>
#include <gdcmImplicitDataElement.h>
#include <gdcmImage.h>
#include <gdcmJPEGCodec.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfFragments.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>
#include <gdcmVersion.h>

extern "C" {
#include "data/dicom_scan.h"
#include "util/error.h"
}

namespace {

/* Input errors: the message names the file (the caller adds nothing). */
struct input_error {
    std::string msg;
};

[[noreturn]] void fail(const char *path, const std::string &what)
{
    throw input_error{std::string(path) + ": " + what};
}

/* GDCM prints warnings and errors on std::cerr unless told otherwise: send its traces to a
 * stream without a buffer (every write is dropped) and switch them off, once per process. */
void quiet_gdcm()
{
    static std::once_flag once;
    std::call_once(once, [] {
        static std::ostream sink(nullptr);
        gdcm::Trace::SetStream(sink);
        gdcm::Trace::SetDebug(false);
        gdcm::Trace::SetWarning(false);
        gdcm::Trace::SetError(false);
    });
}

/* The raw text of an element ("" when absent or empty), without the padding DICOM adds (space
 * or NUL) and without leading spaces. */
std::string text_of(const gdcm::DataSet &ds, uint16_t group, uint16_t element)
{
    const gdcm::Tag tag(group, element);
    if (!ds.FindDataElement(tag)) return "";
    const gdcm::ByteValue *bv = ds.GetDataElement(tag).GetByteValue();
    if (!bv || !bv->GetPointer()) return "";
    std::string s(bv->GetPointer(), bv->GetLength());
    size_t end = s.find_last_not_of(std::string(" \0", 2));
    if (end == std::string::npos) return "";
    s.erase(end + 1);
    return s.substr(s.find_first_not_of(' '));
}

/* Copy into a fixed field; non-printable bytes become '?' (the strings end up in HDF5
 * attributes and log lines). */
void copy_field(char *dst, size_t cap, const std::string &s)
{
    size_t n = s.size() < cap - 1 ? s.size() : cap - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[n] = '\0';
}

/* An identifier must fit whole: a truncated one could make two scans look the same. */
void copy_identifier(const char *path, const gdcm::DataSet &ds, uint16_t g, uint16_t e,
                     const char *name, char *dst, size_t cap)
{
    std::string s = text_of(ds, g, e);
    if (s.size() > cap - 1) {
        char buf[160];
        snprintf(buf, sizeof buf, "(%04X,%04X) %s: %zu characters, at most %zu allowed", g, e,
                 name, s.size(), cap - 1);
        fail(path, buf);
    }
    copy_field(dst, cap, s);
}

/* The backslash-separated values of a decimal string (DS) element; empty when absent.  A value
 * that is not a finite number is an error naming the element. */
std::vector<double> decimals_of(const char *path, const gdcm::DataSet &ds, uint16_t g, uint16_t e,
                                const char *name)
{
    std::vector<double> out;
    std::string s = text_of(ds, g, e);
    if (s.empty()) return out;
    size_t start = 0;
    for (;;) {
        size_t end = s.find('\\', start);
        std::string v = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
        const char *p = v.c_str();
        char *q = nullptr;
        errno = 0;
        double d = strtod(p, &q);
        while (q && *q == ' ') q++;
        if (q == p || *q != '\0' || errno == ERANGE || !std::isfinite(d)) {
            char buf[200];
            snprintf(buf, sizeof buf, "(%04X,%04X) %s: '%.40s' is not a number", g, e, name,
                     v.c_str());
            fail(path, buf);
        }
        out.push_back(d);
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return out;
}

/* The values of an unsigned short (US) element; empty when absent.  Read here rather than
 * through GDCM's ImageHelper or gdcm::Attribute: Debian's GDCM keeps its assertions, and
 * ImageHelper asserts on attributes that are optional in planar NM files (Image Position
 * (Patient) in the Detector Information Sequence), which would abort the process. */
std::vector<unsigned> us_values(const char *path, const gdcm::DataSet &ds, uint16_t g, uint16_t e,
                                const char *name)
{
    std::vector<unsigned> out;
    const gdcm::Tag tag(g, e);
    if (!ds.FindDataElement(tag) || ds.GetDataElement(tag).IsEmpty()) return out;
    const gdcm::ByteValue *bv = ds.GetDataElement(tag).GetByteValue();
    if (!bv || bv->GetLength() % 2) {
        char buf[120];
        snprintf(buf, sizeof buf, "(%04X,%04X) %s: not 16-bit values", g, e, name);
        fail(path, buf);
    }
    for (uint32_t i = 0; i + 1 < bv->GetLength(); i += 2) {
        uint16_t v; /* GDCM holds binary values in host order */
        memcpy(&v, bv->GetPointer() + i, 2);
        out.push_back(v);
    }
    return out;
}

/* One US image attribute; `dflt` when absent (an error when dflt < 0). */
unsigned us_of(const char *path, const gdcm::DataSet &ds, uint16_t g, uint16_t e,
               const char *name, int dflt)
{
    std::vector<unsigned> v = us_values(path, ds, g, e, name);
    if (v.size() == 1) return v[0];
    char buf[120];
    snprintf(buf, sizeof buf, "(%04X,%04X) %s: %s", g, e, name,
             v.empty() ? "missing" : "expected one value");
    if (v.empty() && dflt >= 0) return (unsigned)dflt;
    fail(path, buf);
}

/* Items of a sequence element (null when absent or not a sequence). */
gdcm::SmartPointer<gdcm::SequenceOfItems> sequence_of(const gdcm::DataSet &ds, uint16_t g,
                                                      uint16_t e)
{
    const gdcm::Tag tag(g, e);
    if (!ds.FindDataElement(tag)) return nullptr;
    return ds.GetDataElement(tag).GetValueAsSQ();
}

std::string lower(std::string s)
{
    for (char &c : s) c = (char)tolower((unsigned char)c);
    return s;
}

/* "anterior", "posterior" or "" for one View Code Sequence (data/dicom.h, views rule 1). */
const char *view_from_code(const gdcm::DataSet &item)
{
    auto codes = sequence_of(item, 0x0054, 0x0220);
    if (!codes || codes->GetNumberOfItems() < 1) return "";
    const gdcm::DataSet &code = codes->GetItem(1).GetNestedDataSet();
    std::string value = text_of(code, 0x0008, 0x0100);
    if (value == "G-5215") return "anterior";
    if (value == "G-5216") return "posterior";
    std::string meaning = lower(text_of(code, 0x0008, 0x0104));
    for (const char *v : {"anterior", "posterior"}) {
        for (const char *suffix : {"", " projection", " view"})
            if (meaning == std::string(v) + suffix) return v;
    }
    return "";
}

/* Views named in free text, in order (views rule 2). */
std::vector<std::string> views_in_text(const std::string &s)
{
    std::vector<std::string> out;
    std::string word;
    for (size_t i = 0; i <= s.size(); i++) {
        unsigned char c = i < s.size() ? (unsigned char)s[i] : ' ';
        if (isalnum(c)) {
            word += (char)toupper(c);
            continue;
        }
        if (word == "ANT" || word == "ANTERIOR") out.push_back("anterior");
        if (word == "POST" || word == "POSTERIOR" || word == "PST") out.push_back("posterior");
        word.clear();
    }
    return out;
}

/* Mirroring from an Image Orientation (Patient) element: 1 mirrored, 0 not, -1 undecided. */
int mirrored_from_orientation(const char *path, const gdcm::DataSet &ds)
{
    std::vector<double> o = decimals_of(path, ds, 0x0020, 0x0037, "Image Orientation (Patient)");
    if (o.empty()) return -1;
    if (o.size() != 6) fail(path, "(0020,0037) Image Orientation (Patient): expected 6 values");
    if (std::fabs(o[0]) <= 0.5 || std::fabs(o[0]) < std::fabs(o[1]) ||
        std::fabs(o[0]) < std::fabs(o[2]))
        return -1;
    return o[0] < 0;
}

int mirrored_from_patient_orientation(const gdcm::DataSet &ds)
{
    std::string s = text_of(ds, 0x0020, 0x0020);
    if (s.empty()) return -1;
    if (s[0] == 'R') return 1;
    if (s[0] == 'L') return 0;
    return -1;
}

void read_views(const char *path, const gdcm::DataSet &ds, sc_dicom_image *img)
{
    const int n = img->frames < SC_DICOM_MAX_VIEWS ? img->frames : SC_DICOM_MAX_VIEWS;
    std::vector<const gdcm::DataSet *> detector(n, nullptr);

    auto detectors = sequence_of(ds, 0x0054, 0x0022);
    size_t n_items = detectors ? detectors->GetNumberOfItems() : 0;
    if (n_items > 0) {
        std::vector<unsigned> vec = us_values(path, ds, 0x0054, 0x0020, "Detector Vector");
        if (!vec.empty() && (int)vec.size() != img->frames)
            fail(path, "(0054,0020) Detector Vector: " + std::to_string(vec.size()) +
                           " values for " + std::to_string(img->frames) + " frames");
        for (int f = 0; f < n; f++) {
            size_t item = 0; /* 1-based, 0 = none */
            if (!vec.empty()) {
                if (vec[f] < 1 || vec[f] > n_items)
                    fail(path, "(0054,0020) Detector Vector: detector " + std::to_string(vec[f]) +
                                   " but (0054,0022) Detector Information Sequence has " +
                                   std::to_string(n_items) + " items");
                item = vec[f];
            } else if ((int)n_items == img->frames) {
                item = (size_t)f + 1;
            } else if (n_items == 1) {
                item = 1;
            }
            if (item) detector[f] = &detectors->GetItem(item).GetNestedDataSet();
        }
    }

    for (int f = 0; f < n; f++) {
        img->view_source[f] = "";
        if (!detector[f]) continue;
        const char *v = view_from_code(*detector[f]);
        if (*v) {
            copy_field(img->view[f], sizeof img->view[f], v);
            img->view_source[f] = "View Code Sequence";
        }
    }
    struct {
        uint16_t e;
        const char *name;
    } texts[] = {{0x0008, "Image Type"}, {0x103E, "Series Description"}};
    for (auto &t : texts) {
        bool any = false;
        for (int f = 0; f < n; f++) any = any || img->view[f][0];
        if (any) break;
        std::vector<std::string> named = views_in_text(text_of(ds, 0x0008, t.e));
        bool same = true;
        for (auto &v : named) same = same && v == named[0];
        for (int f = 0; f < n && !named.empty(); f++) {
            if (same) copy_field(img->view[f], sizeof img->view[f], named[0]);
            else if (named.size() == 2 && img->frames == 2)
                copy_field(img->view[f], sizeof img->view[f], named[f]);
            else continue;
            img->view_source[f] = t.name;
        }
    }

    bool one_view = true;
    for (int f = 1; f < n; f++) one_view = one_view && !strcmp(img->view[f], img->view[0]);
    int file_level = -1;
    const char *file_level_source = "";
    if (one_view) {
        file_level = mirrored_from_orientation(path, ds);
        file_level_source = "image orientation";
        if (file_level < 0) {
            file_level = mirrored_from_patient_orientation(ds);
            file_level_source = "patient orientation";
        }
    }
    for (int f = 0; f < n; f++) {
        int m = detector[f] ? mirrored_from_orientation(path, *detector[f]) : -1;
        if (m >= 0) {
            img->mirror_source[f] = "detector orientation";
        } else if (file_level >= 0) {
            m = file_level;
            img->mirror_source[f] = file_level_source;
        } else {
            m = !strcmp(img->view[f], "posterior");
            img->mirror_source[f] = "default";
        }
        img->mirrored[f] = m;
    }
}

/* Refuse, before GDCM sees it, a file that is not DICOM Part 10 (preamble + "DICM") or whose
 * File Meta Information (group 0002, always explicit VR little endian) does not fit in the
 * file or holds an element whose VR is not one of the standard's: Debian's GDCM keeps its
 * assertions, and a meta group cut short or with an unknown VR (found by tests/fuzz/fuzz_dicom)
 * aborts the process in GDCM's parser instead of failing. */
long check_part10(const char *path, long *file_size, std::string *ts_uid)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail(path, std::string("cannot open: ") + strerror(errno));
    /* The meta group is small: its first 64 KiB (or the whole file) hold it. */
    std::vector<unsigned char> b(65536);
    const size_t n = fread(b.data(), 1, b.size(), f);
    fseek(f, 0, SEEK_END);
    *file_size = ftell(f);
    fclose(f);
    if (n < 132 || memcmp(b.data() + 128, "DICM", 4))
        fail(path, "not a DICOM file (no 128-byte preamble followed by DICM)");
    size_t i = 132;
    /* Element headers: tag, VR, then a 2-byte length, or 2 reserved bytes + a 4-byte length. */
    /* The standard's VRs (PS3.5 6.2); those of the second string have the long form (7.1.2).
     * Any other pair of bytes is refused here: GDCM asserts on an unknown VR in this group. */
    static const char vrs[] = "AEASATCSDADSDTFLFDISLOLTPNSHSLSSSTTMUIULUS";
    static const char long_vrs[] = "OBODOFOLOVOWSQSVUCUNURUTUV";
    const auto listed = [](const char *list, const unsigned char *vr) {
        for (const char *p = list; *p; p += 2)
            if (p[0] == (char)vr[0] && p[1] == (char)vr[1]) return true;
        return false;
    };
    while (i + 8 <= n && (b[i] | b[i + 1] << 8) == 0x0002) {
        const bool long_form = listed(long_vrs, &b[i + 4]);
        if (!long_form && !listed(vrs, &b[i + 4])) {
            char what[96];
            snprintf(what, sizeof what, "corrupt DICOM file (File Meta Information: element "
                     "(0002,%04X) has no valid VR)", b[i + 2] | b[i + 3] << 8);
            fail(path, what);
        }
        if (long_form && i + 12 > n) break;
        const uint64_t len = long_form ? (uint64_t)b[i + 8] | (uint64_t)b[i + 9] << 8 |
                                             (uint64_t)b[i + 10] << 16 | (uint64_t)b[i + 11] << 24
                                       : (uint64_t)b[i + 6] | (uint64_t)b[i + 7] << 8;
        if ((b[i + 2] | b[i + 3] << 8) == 0x0010 && !long_form && i + 8 + len <= n)
            ts_uid->assign((const char *)&b[i + 8], strnlen((const char *)&b[i + 8], len));
        i += (long_form ? 12 : 8) + len;
    }
    /* A data set must follow the meta group, and the group must end inside what was read. */
    if (i == 132 || i + 8 > n)
        fail(path, "truncated or corrupt DICOM file (File Meta Information, group 0002)");
    return (long)i;
}

/* Every declared length of the data set checked against the file before GDCM reads it
 * (data/dicom_scan.h says why). */
void check_lengths(const char *path, long meta_end, long file_size, const std::string &ts_uid)
{
    const int enc = sc_dicom_encoding_of(ts_uid.c_str());
    if (enc < 0) return; /* deflated: GDCM inflates it; check_complete does not apply either */
    std::vector<uint8_t> data((size_t)(file_size - meta_end));
    FILE *f = fopen(path, "rb");
    if (!f) fail(path, std::string("cannot open: ") + strerror(errno));
    const bool read_all = fseek(f, meta_end, SEEK_SET) == 0 &&
                          fread(data.data(), 1, data.size(), f) == data.size();
    fclose(f);
    if (!read_all) fail(path, "cannot read the data set");
    char why[256];
    if (sc_dicom_scan_lengths(data.data(), data.size(), (sc_dicom_encoding)enc, why, sizeof why))
        fail(path, why);
}

/* GDCM's parser accepts a file cut inside the last element (the pixel data) and pads the value
 * with zeros: compare the encoded length of the parsed data set with what the file holds. */
void check_complete(const char *path, const gdcm::DataSet &ds, const gdcm::TransferSyntax &ts,
                    long bytes_in_file)
{
    if (ts == gdcm::TransferSyntax::DeflatedExplicitVRLittleEndian) return;
    const gdcm::VL need = ts.IsImplicit() ? ds.GetLength<gdcm::ImplicitDataElement>()
                                          : ds.GetLength<gdcm::ExplicitDataElement>();
    if (need.IsUndefined() || (uint64_t)(uint32_t)need > (uint64_t)bytes_in_file)
        fail(path, "truncated DICOM file: the data set needs " + std::to_string((uint32_t)need) +
                       " bytes after the File Meta Information, the file holds " +
                       std::to_string(bytes_in_file));
}

/* Number of Frames (0028,0008), an integer string; 1 when absent. */
unsigned frames_of(const char *path, const gdcm::DataSet &ds)
{
    std::string s = text_of(ds, 0x0028, 0x0008);
    if (s.empty()) return 1;
    char *end = nullptr;
    errno = 0;
    long v = strtol(s.c_str(), &end, 10);
    while (end && *end == ' ') end++;
    if (*end != '\0' || errno || v < 1 || v > 1000000)
        fail(path, "(0028,0008) Number of Frames: '" + s.substr(0, 20) + "' is not a count");
    return (unsigned)v;
}

/* The sample precision of a JPEG stream: the P field of its first SOFn segment; 0 when none is
 * found in the first fragment. */
int jpeg_precision(const gdcm::DataElement &px)
{
    const gdcm::SequenceOfFragments *sf = px.GetSequenceOfFragments();
    if (!sf || sf->GetNumberOfFragments() < 1) return 0;
    const gdcm::ByteValue *bv = sf->GetFragment(0).GetByteValue();
    if (!bv || !bv->GetPointer()) return 0;
    const unsigned char *p = (const unsigned char *)bv->GetPointer();
    const size_t n = bv->GetLength();
    if (n < 4 || p[0] != 0xFF || p[1] != 0xD8) return 0;
    size_t i = 2;
    while (i + 4 < n) {
        if (p[i] != 0xFF) return 0;
        unsigned char m = p[i + 1];
        if (m == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) return p[i + 4];
        if (m == 0xD9 || m == 0xDA) return 0; /* end of image, start of scan: no SOF before */
        i += 2 + ((size_t)p[i + 2] << 8 | p[i + 3]);
    }
    return 0;
}

/* GDCM's JPEG codec takes the stream's precision from Bits Allocated: a 12-bit stream in 16-bit
 * containers (the usual JPEG extended and many lossless files) first goes to the 16-bit
 * decoder, which fails, prints "Unsupported JPEG data precision 12" on stderr from libjpeg, and
 * is retried at 12 bits.  Giving the codec the precision read from the stream avoids both. */
class PrecisionJpegCodec : public gdcm::JPEGCodec
{
public:
    explicit PrecisionJpegCodec(int precision) : precision_(precision) {}
    void SetPixelFormat(gdcm::PixelFormat const &pf) override
    {
        gdcm::JPEGCodec::SetPixelFormat(pf);
        SetBitSample(precision_);
    }

private:
    int precision_;
};

/* Decode the pixel data with GDCM's codecs: a gdcm::Image built from the attributes checked
 * here (not gdcm::ImageReader, see us_values), whose GetBuffer picks the codec of the transfer
 * syntax.  raw receives frames*h*w values of bits_allocated bits, host order. */
void decode(const char *path, const gdcm::DataSet &ds, const gdcm::TransferSyntax &ts,
            const std::string &ts_uid, const gdcm::PixelFormat &pf, sc_dicom_image *img,
            std::vector<char> &raw)
{
    const gdcm::DataElement &px = ds.GetDataElement(gdcm::Tag(0x7FE0, 0x0010));
    if (px.IsEmpty()) fail(path, "(7FE0,0010) Pixel Data: empty");
    gdcm::Image im;
    im.SetNumberOfDimensions(img->frames > 1 ? 3 : 2);
    im.SetDimension(0, (unsigned)img->w);
    im.SetDimension(1, (unsigned)img->h);
    if (img->frames > 1) im.SetDimension(2, (unsigned)img->frames);
    im.SetPixelFormat(pf);
    im.SetPhotometricInterpretation(gdcm::PhotometricInterpretation::MONOCHROME2);
    im.SetTransferSyntax(ts);
    im.SetNeedByteSwap(ts == gdcm::TransferSyntax::ImplicitVRBigEndianPrivateGE);
    im.SetDataElement(px);
    const gdcm::ByteValue *bv = px.GetByteValue();
    if (!ts.IsEncapsulated()) {
        if (!bv || bv->GetLength() < raw.size())
            fail(path, "(7FE0,0010) Pixel Data: " +
                           std::to_string(bv ? (uint32_t)bv->GetLength() : 0u) +
                           " bytes, the image attributes need " + std::to_string(raw.size()));
    } else if (bv) {
        /* What GDCM's reader also accepts: raw pixels under a compressed syntax. */
        if (bv->GetLength() != raw.size() && bv->GetLength() != raw.size() + 1)
            fail(path, "(7FE0,0010) Pixel Data: transfer syntax " + ts_uid +
                           " is compressed but the data are not encapsulated");
        im.SetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
    }
    if (im.GetBufferLength() != raw.size())
        fail(path, "(7FE0,0010) Pixel Data: GDCM expects " + std::to_string(im.GetBufferLength()) +
                       " bytes, the image attributes say " + std::to_string(raw.size()));
    bool ok;
    /* The JPEG syntaxes go to GDCM's JPEG codec directly, never through gdcm::Bitmap::GetBuffer:
     * when its codec fails, GetBuffer writes the stream to a temporary file and runs the
     * external program pvrg-jpeg on it through system() (and leaks the file names: found by
     * fuzz_dicom).  A corrupt stream is refused here instead. */
    const bool jpeg = gdcm::JPEGCodec().CanDecode(im.GetTransferSyntax());
    const int precision = jpeg ? jpeg_precision(px) : 0;
    if (jpeg && (precision < 2 || precision > 16))
        fail(path, "(7FE0,0010) Pixel Data: corrupt JPEG stream (no frame header with a "
                   "precision of 2 to 16 bits before the scan)");
    if (jpeg) {
        /* What gdcm::Bitmap::GetBuffer does for JPEG, with the stream's precision. */
        PrecisionJpegCodec codec(precision);
        codec.SetNumberOfDimensions(im.GetNumberOfDimensions());
        codec.SetDimensions(im.GetDimensions());
        codec.SetPlanarConfiguration(0);
        codec.SetPhotometricInterpretation(im.GetPhotometricInterpretation());
        codec.SetPixelFormat(pf);
        codec.SetNeedOverlayCleanup(pf.GetBitsStored() != pf.GetBitsAllocated());
        gdcm::DataElement out;
        ok = codec.Decode(px, out);
        const gdcm::ByteValue *obv = ok ? out.GetByteValue() : nullptr;
        ok = obv && obv->GetLength() >= raw.size();
        if (ok) memcpy(raw.data(), obv->GetPointer(), raw.size());
    } else {
        ok = im.GetBuffer(raw.data());
    }
    if (!ok) {
        const char *name = gdcm::TransferSyntax::GetTSString(ts);
        fail(path, "(7FE0,0010) Pixel Data: cannot decode transfer syntax " + ts_uid + " (" +
                       (name ? name : "unknown") +
                       "): the codec failed (truncated or corrupt pixel data, or an encoding "
                       "GDCM does not support)");
    }
}

void read_pixels(const char *path, const gdcm::DataSet &ds, const gdcm::TransferSyntax &ts,
                 const std::string &ts_uid, sc_dicom_image *img)
{
    if (!ds.FindDataElement(gdcm::Tag(0x7FE0, 0x0010)))
        fail(path, "(7FE0,0010) Pixel Data: missing (not an image)");
    const unsigned spp = us_of(path, ds, 0x0028, 0x0002, "Samples per Pixel", -1);
    if (spp != 1)
        fail(path, "(0028,0002) Samples per Pixel " + std::to_string(spp) +
                       ": colour images are not supported (counts are one sample per pixel)");
    std::string pi = text_of(ds, 0x0028, 0x0004);
    if (pi != "MONOCHROME1" && pi != "MONOCHROME2")
        fail(path, "(0028,0004) Photometric Interpretation '" + pi.substr(0, 20) +
                       "' not supported (expected MONOCHROME2 or MONOCHROME1)");
    const unsigned ba = us_of(path, ds, 0x0028, 0x0100, "Bits Allocated", -1);
    if (ba != 8 && ba != 16)
        fail(path, "(0028,0100) Bits Allocated " + std::to_string(ba) +
                       " not supported (expected 8 or 16)");
    const unsigned bs = us_of(path, ds, 0x0028, 0x0101, "Bits Stored", -1);
    if (bs < 1 || bs > ba)
        fail(path, "(0028,0101) Bits Stored " + std::to_string(bs) + " with Bits Allocated " +
                       std::to_string(ba));
    const unsigned hb = us_of(path, ds, 0x0028, 0x0102, "High Bit", (int)bs - 1);
    if (hb != bs - 1)
        fail(path, "(0028,0102) High Bit " + std::to_string(hb) + " with Bits Stored " +
                       std::to_string(bs) + " not supported (expected Bits Stored - 1)");
    const unsigned rep = us_of(path, ds, 0x0028, 0x0103, "Pixel Representation", 0);
    if (rep > 1)
        fail(path, "(0028,0103) Pixel Representation " + std::to_string(rep) +
                       " (expected 0 or 1)");
    img->bits_allocated = (int)ba;
    img->bits_stored = (int)bs;
    img->is_signed = (int)rep;

    const unsigned rows = us_of(path, ds, 0x0028, 0x0010, "Rows", -1);
    const unsigned cols = us_of(path, ds, 0x0028, 0x0011, "Columns", -1);
    const unsigned frames = frames_of(path, ds);
    if (rows < 1 || cols < 1) fail(path, "(0028,0010)/(0028,0011) Rows, Columns: empty image");
    /* 2^28 pixels (512 MiB of uint16): far above any planar NM study, and a bound on what an
     * untrusted header can make us allocate. */
    const uint64_t n = (uint64_t)rows * cols * frames;
    if (n > (1ull << 28))
        fail(path, "(0028,0008) Number of Frames: " + std::to_string(frames) + " frames of " +
                       std::to_string(rows) + " x " + std::to_string(cols) +
                       " pixels is too large (at most 2^28 pixels)");
    img->h = (int)rows;
    img->w = (int)cols;
    img->frames = (int)frames;

    std::vector<char> raw((size_t)n * (ba / 8));
    decode(path, ds, ts, ts_uid, gdcm::PixelFormat(1, (unsigned short)ba, (unsigned short)bs,
                                                   (unsigned short)hb, (unsigned short)rep),
           img, raw);

    double slope = 1, intercept = 0;
    std::vector<double> s = decimals_of(path, ds, 0x0028, 0x1053, "Rescale Slope");
    std::vector<double> b = decimals_of(path, ds, 0x0028, 0x1052, "Rescale Intercept");
    if (s.size() > 1) fail(path, "(0028,1053) Rescale Slope: more than one value");
    if (b.size() > 1) fail(path, "(0028,1052) Rescale Intercept: more than one value");
    if (!s.empty()) slope = s[0];
    if (!b.empty()) intercept = b[0];
    const bool rescale = slope != 1 || intercept != 0;
    img->rescale_slope = slope;
    img->rescale_intercept = intercept;

    img->pixels = (uint16_t *)sc_xmalloc(n * sizeof(uint16_t));
    const uint32_t mask = (1u << bs) - 1, sign = 1u << (bs - 1);
    for (uint64_t i = 0; i < n; i++) {
        uint32_t u;
        if (ba == 8) {
            u = (uint8_t)raw[i];
        } else {
            uint16_t v;
            memcpy(&v, raw.data() + 2 * i, 2);
            u = v;
        }
        u &= mask; /* bits above Bits Stored may hold overlays */
        const int64_t v = rep == 1 && (u & sign) ? (int64_t)u - ((int64_t)1 << bs) : (int64_t)u;
        int64_t r = v; /* at most 16 bits: only a rescale can go above 65535 */
        if (rescale) {
            /* Bounded before rounding: llround of an out-of-range value is unspecified. */
            const double d = slope * (double)v + intercept;
            r = d < -1e6 ? -1 : d > 1e6 ? 65536 : (int64_t)std::llround(d);
        }
        if (r < 0) {
            img->n_clipped++;
            img->pixels[i] = 0;
        } else if (r > 65535) {
            img->n_saturated++;
            img->pixels[i] = 65535;
        } else {
            img->pixels[i] = (uint16_t)r;
        }
    }
}

void read_header(const char *path, const gdcm::DataSet &ds, sc_dicom_image *img)
{
    std::vector<double> sp = decimals_of(path, ds, 0x0028, 0x0030, "Pixel Spacing");
    if (!sp.empty()) {
        if (sp.size() != 2 || !(sp[0] > 0) || !(sp[1] > 0))
            fail(path, "(0028,0030) Pixel Spacing: expected two positive values (row\\column, "
                       "mm)");
        img->spacing_row = sp[0];
        img->spacing_col = sp[1];
    }
    copy_field(img->modality, sizeof img->modality, text_of(ds, 0x0008, 0x0060));
    copy_field(img->manufacturer, sizeof img->manufacturer, text_of(ds, 0x0008, 0x0070));
    copy_identifier(path, ds, 0x0008, 0x0018, "SOP Instance UID", img->sop_instance_uid,
                    sizeof img->sop_instance_uid);
    copy_identifier(path, ds, 0x0020, 0x000E, "Series Instance UID", img->series_instance_uid,
                    sizeof img->series_instance_uid);
    copy_identifier(path, ds, 0x0020, 0x000D, "Study Instance UID", img->study_instance_uid,
                    sizeof img->study_instance_uid);
    copy_identifier(path, ds, 0x0010, 0x0020, "Patient ID", img->patient_id,
                    sizeof img->patient_id);
    std::string date = text_of(ds, 0x0008, 0x0022);
    if (!date.empty()) {
        bool ok = date.size() == 8;
        for (char c : date) ok = ok && isdigit((unsigned char)c);
        if (!ok) fail(path, "(0008,0022) Acquisition Date: '" + date.substr(0, 20) +
                                "' is not YYYYMMDD");
        copy_field(img->acquisition_date, sizeof img->acquisition_date, date);
    }
}

/* Creates live_reader, and deletes it unless GDCM aborted (defined below). */
struct live_reader_guard {
    live_reader_guard();
    ~live_reader_guard();
};
extern gdcm::Reader *live_reader;

void read_file(const char *path, sc_dicom_image *img)
{
    quiet_gdcm();
    long file_size = 0;
    std::string meta_ts;
    const long meta_end = check_part10(path, &file_size, &meta_ts);
    check_lengths(path, meta_end, file_size, meta_ts);
    meta_ts.clear();
    meta_ts.shrink_to_fit(); /* nothing of this frame on the heap while GDCM parses */
    live_reader_guard guard;
    gdcm::Reader &reader = *live_reader;
    reader.SetFileName(path);
    if (!reader.Read())
        fail(path, "truncated or corrupt DICOM file (the data set cannot be parsed)");
    gdcm::DataSet &ds = reader.GetFile().GetDataSet();
    check_complete(path, ds, reader.GetFile().GetHeader().GetDataSetTransferSyntax(),
                   file_size - meta_end);
    /* Nothing below may see the patient's name (data/dicom.h). */
    ds.Remove(gdcm::Tag(0x0010, 0x0010));

    const gdcm::TransferSyntax &ts = reader.GetFile().GetHeader().GetDataSetTransferSyntax();
    const char *ts_uid = gdcm::TransferSyntax::GetTSString(ts);
    if (!ts_uid || ts == gdcm::TransferSyntax::TS_END)
        fail(path, "(0002,0010) Transfer Syntax UID: unknown to GDCM");
    copy_field(img->transfer_syntax, sizeof img->transfer_syntax, ts_uid);

    read_pixels(path, ds, ts, ts_uid, img);
    read_header(path, ds, img);
    read_views(path, ds, img);
}

/* The reader of the file being read lives on the heap, its address in live_reader: when one of
 * GDCM's assertions aborts the read (sc_dicom_read), it is abandoned, not freed, and kept in
 * abandoned_readers, so that what GDCM had built stays reachable rather than a leak that
 * LeakSanitizer and valgrind would report for every such file. */
gdcm::Reader *live_reader;
std::vector<gdcm::Reader *> *abandoned_readers; /* never destroyed: reachable until exit */

live_reader_guard::live_reader_guard() { live_reader = new gdcm::Reader; }
live_reader_guard::~live_reader_guard() /* skipped by the jump out of an abort */
{
    delete live_reader;
    live_reader = nullptr;
}

/* sc_dicom_read's work: every exception becomes the error message. */
int read_caught(const char *path, sc_dicom_image *img)
{
    try {
        read_file(path, img);
        return 0;
    } catch (const input_error &e) {
        sc_err_set(NULL, 0, "%s", e.msg.c_str());
    } catch (const std::bad_alloc &) {
        sc_err_set(NULL, 0, "%s: out of memory while decoding", path);
    } catch (const std::exception &e) {
        sc_err_set(NULL, 0, "%s: GDCM failed: %s", path, e.what());
    } catch (...) {
        sc_err_set(NULL, 0, "%s: GDCM failed (unknown exception)", path);
    }
    return -1;
}

/* Debian's GDCM keeps its assertions, and some fire on damaged files that the checks above do
 * not catch (fuzz_dicom found two kinds in two minutes once the length walk let it go deeper:
 * `0 && "Should not happen"` and `VRField == VR::UN`, in GDCM's element readers).  assert()
 * calls abort(), which would end a whole import.  While sc_dicom_read runs, SIGABRT jumps back
 * to it and the file is refused: what GDCM had allocated for that file is leaked and its
 * objects' destructors are skipped (none of them is used again); glibc's abort() allows a
 * handler that does not return. */
sigjmp_buf gdcm_abort;

void on_gdcm_abort(int) { siglongjmp(gdcm_abort, 1); }

} // namespace

extern "C" int sc_dicom_read(const char *path, sc_dicom_image *img)
{
    memset(img, 0, sizeof *img);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_gdcm_abort;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGABRT, &sa, &old) != 0) {
        sc_err_set(NULL, 0, "%s: cannot catch GDCM's aborts: %s", path, strerror(errno));
        return -1;
    }
    int rc;
    if (sigsetjmp(gdcm_abort, 1) == 0) {
        rc = read_caught(path, img);
    } else {
        sc_err_set(NULL, 0, "%s: corrupt DICOM file: GDCM stopped on one of its internal checks "
                   "(printed above as a failed assertion)", path);
        if (!abandoned_readers) abandoned_readers = new std::vector<gdcm::Reader *>;
        if (live_reader) abandoned_readers->push_back(live_reader);
        live_reader = nullptr;
        rc = -1;
    }
    sigaction(SIGABRT, &old, nullptr);
    if (rc) sc_dicom_free(img);
    return rc;
}

extern "C" const char *sc_dicom_library_version(void)
{
    return gdcm::Version::GetVersion();
}

extern "C" void sc_dicom_free(sc_dicom_image *img)
{
    if (!img) return;
    free(img->pixels);
    memset(img, 0, sizeof *img);
}

extern "C" int sc_dicom_sniff(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    unsigned char head[132];
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    return got == sizeof head && !memcmp(head + 128, "DICM", 4);
}
