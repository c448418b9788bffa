/* tests/dicom/fixture.cpp: see fixture.h. */
#include "tests/dicom/fixture.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include <gdcmAttribute.h>
#include <gdcmImageChangeTransferSyntax.h>
#include <gdcmImageWriter.h>
#include <gdcmJPEGCodec.h>
#include <gdcmPixmapReader.h>
#include <gdcmPixmapWriter.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmTrace.h>
#include <gdcmWriter.h>

namespace {

void put(gdcm::DataSet &ds, uint16_t g, uint16_t e, gdcm::VR vr, const char *text)
{
    if (!text) return;
    std::string v = text;
    if (v.size() % 2) v += vr == gdcm::VR::UI ? '\0' : ' ';
    gdcm::DataElement de(gdcm::Tag(g, e));
    de.SetVR(vr);
    de.SetByteValue(v.data(), (uint32_t)v.size());
    ds.Replace(de);
}

void put_sequence(gdcm::DataSet &ds, uint16_t g, uint16_t e,
                  const gdcm::SmartPointer<gdcm::SequenceOfItems> &sq)
{
    gdcm::DataElement de(gdcm::Tag(g, e));
    de.SetVR(gdcm::VR::SQ);
    de.SetValue(*sq);
    de.SetVLToUndefined();
    ds.Replace(de);
}

gdcm::Item item_with(const gdcm::DataSet &content)
{
    gdcm::Item it;
    it.SetVLToUndefined();
    it.GetNestedDataSet() = content;
    return it;
}

void fill_header(gdcm::DataSet &ds, const dicom_fixture *s)
{
    const bool colour = s->samples == 3;
    put(ds, 0x0008, 0x0016, gdcm::VR::UI,
        colour ? "1.2.840.10008.5.1.4.1.1.7" : "1.2.840.10008.5.1.4.1.1.20");
    put(ds, 0x0008, 0x0060, gdcm::VR::CS, colour ? "OT" : "NM");
    put(ds, 0x0008, 0x0008, gdcm::VR::CS, s->image_type);
    put(ds, 0x0008, 0x103E, gdcm::VR::LO, s->series_description);
    put(ds, 0x0020, 0x0020, gdcm::VR::CS, s->patient_orientation);
    put(ds, 0x0020, 0x0037, gdcm::VR::DS, s->image_orientation);
    put(ds, 0x0028, 0x0030, gdcm::VR::DS, s->pixel_spacing);
    put(ds, 0x0028, 0x1053, gdcm::VR::DS, s->rescale_slope);
    put(ds, 0x0028, 0x1052, gdcm::VR::DS, s->rescale_intercept);
    put(ds, 0x0010, 0x0020, gdcm::VR::LO, s->patient_id);
    put(ds, 0x0010, 0x0010, gdcm::VR::PN, s->patient_name);
    put(ds, 0x0020, 0x000D, gdcm::VR::UI, s->study_uid);
    put(ds, 0x0020, 0x000E, gdcm::VR::UI, s->series_uid);
    put(ds, 0x0008, 0x0018, gdcm::VR::UI, s->sop_uid);
    put(ds, 0x0008, 0x0022, gdcm::VR::DA, s->acquisition_date);
    put(ds, 0x0008, 0x0070, gdcm::VR::LO, s->manufacturer);
    if (s->n_detectors > 0) {
        gdcm::SmartPointer<gdcm::SequenceOfItems> det = new gdcm::SequenceOfItems;
        det->SetLengthToUndefined();
        for (int d = 0; d < s->n_detectors; d++) {
            gdcm::DataSet item;
            if (s->detector_code_value[d] || s->detector_code_meaning[d]) {
                gdcm::DataSet code;
                put(code, 0x0008, 0x0100, gdcm::VR::SH, s->detector_code_value[d]);
                put(code, 0x0008, 0x0102, gdcm::VR::SH, "SRT");
                put(code, 0x0008, 0x0104, gdcm::VR::LO, s->detector_code_meaning[d]);
                gdcm::SmartPointer<gdcm::SequenceOfItems> view = new gdcm::SequenceOfItems;
                view->SetLengthToUndefined();
                view->AddItem(item_with(code));
                put_sequence(item, 0x0054, 0x0220, view);
            }
            put(item, 0x0020, 0x0037, gdcm::VR::DS, s->detector_orientation[d]);
            det->AddItem(item_with(item));
        }
        put_sequence(ds, 0x0054, 0x0022, det);
        gdcm::Attribute<0x0054, 0x0021> n = {(unsigned short)s->n_detectors};
        ds.Replace(n.GetAsDataElement());
    }
    if (s->detector_vector) {
        gdcm::Attribute<0x0054, 0x0020> v;
        v.SetValues(s->detector_vector, (unsigned)s->frames, true);
        ds.Replace(v.GetAsDataElement());
    }
}

/* Without pixel data GDCM's ImageWriter has nothing to write: a plain data set with the image
 * attributes. */
bool write_without_pixels(const char *path, const dicom_fixture *s)
{
    gdcm::Writer w;
    w.SetFileName(path);
    gdcm::DataSet &ds = w.GetFile().GetDataSet();
    fill_header(ds, s);
    gdcm::Attribute<0x0028, 0x0010> rows = {(unsigned short)s->h};
    gdcm::Attribute<0x0028, 0x0011> cols = {(unsigned short)s->w};
    gdcm::Attribute<0x0028, 0x0002> spp = {(unsigned short)s->samples};
    gdcm::Attribute<0x0028, 0x0100> ba = {(unsigned short)s->bits_allocated};
    gdcm::Attribute<0x0028, 0x0101> bs = {(unsigned short)s->bits_stored};
    gdcm::Attribute<0x0028, 0x0102> hb = {(unsigned short)(s->bits_stored - 1)};
    gdcm::Attribute<0x0028, 0x0103> pr = {(unsigned short)s->is_signed};
    for (const gdcm::DataElement &de :
         {rows.GetAsDataElement(), cols.GetAsDataElement(), spp.GetAsDataElement(),
          ba.GetAsDataElement(), bs.GetAsDataElement(), hb.GetAsDataElement(),
          pr.GetAsDataElement()})
        ds.Replace(de);
    put(ds, 0x0028, 0x0004, gdcm::VR::CS, "MONOCHROME2");
    w.GetFile().GetHeader().SetDataSetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
    return w.Write();
}

bool write_image(const char *path, const dicom_fixture *s)
{
    gdcm::ImageWriter w;
    w.SetFileName(path);
    gdcm::Image &im = w.GetImage();
    im.SetNumberOfDimensions(s->frames > 1 ? 3 : 2);
    im.SetDimension(0, (unsigned)s->w);
    im.SetDimension(1, (unsigned)s->h);
    if (s->frames > 1) im.SetDimension(2, (unsigned)s->frames);
    gdcm::PixelFormat pf((unsigned short)s->samples, (unsigned short)s->bits_allocated,
                         (unsigned short)s->bits_stored, (unsigned short)(s->bits_stored - 1),
                         (unsigned short)s->is_signed);
    im.SetPixelFormat(pf);
    im.SetPhotometricInterpretation(s->samples == 3 ? gdcm::PhotometricInterpretation::RGB
                                                    : gdcm::PhotometricInterpretation::MONOCHROME2);
    im.SetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
    double row = 0, col = 0; /* ImageWriter writes Pixel Spacing from the image's spacing */
    if (s->pixel_spacing && sscanf(s->pixel_spacing, "%lf\\%lf", &row, &col) == 2) {
        im.SetSpacing(0, col);
        im.SetSpacing(1, row);
    }
    size_t bytes = (size_t)s->frames * s->h * s->w * s->samples * (s->bits_allocated / 8);
    gdcm::DataElement px(gdcm::Tag(0x7FE0, 0x0010));
    px.SetByteValue((const char *)s->pixels, (uint32_t)bytes);
    im.SetDataElement(px);
    fill_header(w.GetFile().GetDataSet(), s);
    return w.Write();
}

/* GDCM's JPEG encoder picks the sample precision from Bits Allocated: 16-bit containers get a
 * 16-bit-precision DCT stream, which the standard does not allow (DCT processes are 8 or 12
 * bits) and other decoders refuse.  This codec uses 12-bit precision when Bits Stored says the
 * values fit, which is what a camera writing JPEG extended (process 2/4) produces. */
class Jpeg12Codec : public gdcm::JPEGCodec
{
public:
    void SetPixelFormat(gdcm::PixelFormat const &pf) override
    {
        gdcm::JPEGCodec::SetPixelFormat(pf);
        if (pf.GetBitsStored() > 8 && pf.GetBitsStored() <= 12) SetBitSample(12);
    }
};

} // namespace

extern "C" int dicom_fixture_jpeg_extended(const char *in, const char *out, double quality)
{
    gdcm::Trace::SetWarning(false);
    try {
        gdcm::PixmapReader r;
        r.SetFileName(in);
        if (!r.Read()) {
            fprintf(stderr, "dicom_fixture_jpeg_extended: %s: cannot read\n", in);
            return -1;
        }
        Jpeg12Codec codec;
        codec.SetLossless(false);
        codec.SetQuality(quality);
        gdcm::ImageChangeTransferSyntax change;
        change.SetTransferSyntax(gdcm::TransferSyntax::JPEGExtendedProcess2_4);
        change.SetUserCodec(&codec);
        /* The filter works on a gdcm::Image; gdcm::ImageReader would assert on the NM files
         * without Image Position (Patient) (see data/dicom.cpp), so copy the Pixmap into one. */
        gdcm::SmartPointer<gdcm::Image> image = new gdcm::Image; /* reference counted */
        static_cast<gdcm::Pixmap &>(*image) = r.GetPixmap();
        change.SetInput(*image);
        if (!change.Change()) {
            fprintf(stderr, "dicom_fixture_jpeg_extended: %s: cannot compress\n", in);
            return -1;
        }
        gdcm::PixmapWriter w;
        w.SetFileName(out);
        w.SetFile(r.GetFile());
        w.SetPixmap(change.GetOutput());
        if (!w.Write()) {
            fprintf(stderr, "dicom_fixture_jpeg_extended: %s: cannot write\n", out);
            return -1;
        }
        return 0;
    } catch (const std::exception &e) {
        fprintf(stderr, "dicom_fixture_jpeg_extended: %s: %s\n", in, e.what());
        return -1;
    }
}

void dicom_fixture_camera(dicom_fixture *s)
{
    static const uint16_t detector_vector[2] = {1, 2};
    s->frames = 2;
    s->samples = 1;
    s->n_detectors = 2;
    s->detector_code_value[0] = "G-5215";
    s->detector_code_meaning[0] = "Anterior projection";
    s->detector_code_value[1] = "G-5216";
    s->detector_code_meaning[1] = "Posterior projection";
    s->detector_orientation[0] = "1\\0\\0\\0\\0\\-1";
    s->detector_orientation[1] = "-1\\0\\0\\0\\0\\-1";
    s->detector_vector = detector_vector;
    s->image_type = "ORIGINAL\\PRIMARY\\WHOLE BODY\\EMISSION";
    s->series_description = "WB bone";
}

extern "C" int dicom_fixture_write(const char *path, const dicom_fixture *s)
{
    gdcm::Trace::SetWarning(false); /* "no Photometric Interpretation": it is set later */
    try {
        bool ok = s->no_pixel_data ? write_without_pixels(path, s) : write_image(path, s);
        if (!ok) fprintf(stderr, "dicom_fixture_write: %s: GDCM could not write\n", path);
        return ok ? 0 : -1;
    } catch (const std::exception &e) {
        fprintf(stderr, "dicom_fixture_write: %s: %s\n", path, e.what());
        return -1;
    }
}
