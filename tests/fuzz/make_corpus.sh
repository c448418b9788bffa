#!/usr/bin/env bash
# tests/fuzz/make_corpus.sh: (re)write the seed corpora of the fuzz targets under
# tests/fuzz/corpus/<target>/ (committed; run once, or after a format change).  Needs the fuzz
# targets (make FUZZ=1 fuzz-bins: the HDF5 seeds are the files the harness writes with the
# project's own writers) and nm_write (make nm-write) for DICOM, cjpeg and gdcmconv.
set -euo pipefail
cd "$(dirname "$0")/../.."
C=tests/fuzz/corpus
FZ=build/fuzz/fuzz
NM_WRITE=${NM_WRITE:-build/release/tools/nm_write}
PYTHON=${PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
rm -rf "$C"
mkdir -p "$C"/{experiment,arch,csv,pgm,png,jpeg,dicom,dataset,results,dataset_h5mut,results_h5mut}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# experiment and architecture files: the shipped ones
cp configs/*.cfg "$C/experiment/"
for f in configs/ablation/*.cfg; do cp "$f" "$C/experiment/ablation_$(basename "$f")"; done
cp configs/archs/*.cfg tests/fixtures/archs/*.cfg "$C/arch/"

# CSV label lists: the documented layouts, quoting, CRLF, BOM, a bad row or two
printf 'patient,anterior,posterior,metastasis,arthritis\nP0017,scans/0017_ant.png,scans/0017_post.png,1,0\n"P0017",scans/0017b_ant.png,scans/0017b_post.png,1,1\nP0042,scans/0042_ant.png,scans/0042_post.png,0,0\n' > "$C/csv/views.csv"
printf 'patient,path,metastasis\r\nA,a.dcm,1\r\nB,"b,1.dcm",0\r\nA,a.dcm,1\r\n' > "$C/csv/path_crlf_dup.csv"
printf '\xef\xbb\xbfPatient,Path,"label ""q""",x\n  P1 ,"multi\nline.png",1,2\n\n' > "$C/csv/bom_quotes.csv"
printf 'patient,path,m\nP1,,1\n,x.pgm,0\nP2,/abs/y.pgm,\n' > "$C/csv/missing.csv"

# images: 16 x 8 (values kept exact), each format's variants the readers accept or refuse
"$PYTHON" - "$C" "$T" <<'PY'
import struct, sys, zlib
c, t = sys.argv[1], sys.argv[2]
h, w = 16, 8
px = [(r * 37 + k * 11) % 256 for r in range(h) for k in range(w)]
def pgm(name, maxval, data, comment=b''):
    body = b''.join(struct.pack('>H', v) for v in data) if maxval > 255 else bytes(data)
    open(f'{c}/pgm/{name}', 'wb').write(b'P5\n' + comment + b'%d %d\n%d\n' % (w, h, maxval) + body)
pgm('g8.pgm', 255, px)
pgm('g16.pgm', 65535, [v * 200 for v in px], b'# a comment\n')
pgm('g12.pgm', 4095, [v * 16 for v in px])
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
def png(name, depth, ctype, rows):
    raw = b''.join(b'\0' + r for r in rows)
    data = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, depth, ctype, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
    open(f'{c}/png/{name}', 'wb').write(data)
png('g8.png', 8, 0, [bytes(px[r * w:(r + 1) * w]) for r in range(h)])
png('g16.png', 16, 0, [b''.join(struct.pack('>H', v * 250) for v in px[r * w:(r + 1) * w]) for r in range(h)])
png('g1.png', 1, 0, [bytes([0b10110010]) for r in range(h)])
png('rgb8.png', 8, 2, [bytes(v for p in px[r * w:(r + 1) * w] for v in (p, p, 0)) for r in range(h)])
open(f'{t}/grey.pgm', 'wb').write(b'P5\n%d %d\n255\n' % (w, h) + bytes(px))
open(f'{t}/colour.ppm', 'wb').write(b'P6\n%d %d\n255\n' % (w, h) + bytes(v for p in px for v in (p, p, p)))
open(f'{t}/tinted.ppm', 'wb').write(b'P6\n%d %d\n255\n' % (w, h) + bytes(v for p in px for v in (p, 255 - p, 0)))
import numpy as np  # two uint16 frames [2][H][W] for nm_write
np.array([[v * 3 for v in px], [v * 2 for v in px]], dtype='<u2').tofile(f'{t}/frames.raw')
PY
cjpeg -grayscale -quality 90 "$T/grey.pgm" > "$C/jpeg/grey.jpg"
cjpeg -grayscale -progressive "$T/grey.pgm" > "$C/jpeg/grey_progressive.jpg"
cjpeg -quality 95 "$T/colour.ppm" > "$C/jpeg/ycbcr_neutral.jpg"
cjpeg "$T/tinted.ppm" > "$C/jpeg/colour.jpg"

# DICOM: a camera's two-frame NM study in explicit VR little endian, and transcoded
"$NM_WRITE" "$C/dicom/nm_explicit.dcm" "$T/frames.raw" 16 8 P001 1
gdcmconv --implicit "$C/dicom/nm_explicit.dcm" "$C/dicom/nm_implicit.dcm"
gdcmconv --rle "$C/dicom/nm_explicit.dcm" "$C/dicom/nm_rle.dcm"
gdcmconv --jpeg "$C/dicom/nm_explicit.dcm" "$C/dicom/nm_jpeg_lossless.dcm"
gdcmconv --jpegls "$C/dicom/nm_explicit.dcm" "$C/dicom/nm_jpegls.dcm"

# HDF5: the valid seeds the mutation targets start from, written by the project's writers
FUZZ_SAVE_SEED="$C/dataset/seed.h5" "$FZ/fuzz_dataset_h5mut" -runs=0 >/dev/null 2>&1
FUZZ_SAVE_SEED="$C/results/seed.h5" "$FZ/fuzz_results_h5mut" -runs=0 >/dev/null 2>&1
# mutation scripts: every operation once on a few objects (tests/fuzz/h5_mutate.c)
"$PYTHON" - "$C" <<'PY'
import sys
c = sys.argv[1]
for target in ('dataset_h5mut', 'results_h5mut'):
    for op in range(8):
        for obj in (1, 2, 3, 5):
            args = bytes([(op * 31 + obj * 7 + k * 13) % 256 for k in range(6)])
            open(f'{c}/{target}/op{op}_obj{obj}', 'wb').write(bytes([op, obj]) + args)
PY
du -sh "$C"

# dictionaries: every quoted word of the experiment and architecture parsers' tables (keys,
# choices, layer types), plus libconfig's punctuation
"$PYTHON" - <<'PY'
import re
def words(files, extra):
    out = set(extra)
    for f in files:
        for m in re.finditer(r'static const char \*(?:const )?\w+\[[^\]]*\] = \{([^}]*)\}', open(f).read()):
            out.update(re.findall(r'"([a-z_0-9]+)"', m.group(1)))
    return sorted(out)
punct = ['=', ';', '{', '}', '(', ')', '[', ']', ',', '"', '@include', 'true', 'false', '1e9', '-1', '0x7fffffff', '#']
for name, files, extra in (
        ('experiment', ['pipeline/experiment.c'], ['base', 'arch_dir', 'train_by_arch', 'synthetic', 'geometric', 'original', 'gan', 'dspic', 'alexnet']),
        ('arch', ['nn/arch.c', 'nn/arch_variant.c'], ['layers', 'type', 'name', 'base', 'n_out', 'remove', 'remove_types', 'width', 'override', 'init', 'residual', 'concat', 'dspic'])):
    with open(f'tests/fuzz/{name}.dict', 'w') as d:
        d.write(f'# libFuzzer dictionary of fuzz_{name} (tests/fuzz/make_corpus.sh writes it)\n')
        for w in words(files, extra + punct):
            d.write('"%s"\n' % w.replace('\\', '\\\\').replace('"', '\\"'))
PY
