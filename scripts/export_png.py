#!/usr/bin/env python3
"""scripts/export_png.py: write a data set file as an import folder: one 16-bit greyscale PNG
per scan and view, and a labels.csv for `spectcv import --csv` (docs/import.md).

  scripts/export_png.py DATA.h5 DIR

Used by BENCHMARKS.md ("Import") to time the import of realistic counts (the phantom's), and a
round trip check: importing DIR/labels.csv gives back the same images, labels and patients.
Needs only numpy and h5py (the PNG is written by hand with zlib)."""
import os
import struct
import sys
import zlib

import h5py
import numpy as np


def write_png16(path, a):
    h, w = a.shape
    raw = b''.join(b'\x00' + r.tobytes() for r in a.astype('>u2'))

    def chunk(kind, body):
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 16, 0, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(raw, 6)) + chunk(b'IEND', b''))


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    f = h5py.File(sys.argv[1], 'r')
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    views = [str(v) for v in f.attrs['view_names']]
    labels = [str(v) for v in f.attrs['label_names']]
    im, lab, pat = f['images'], f['labels'][:], f['patient'][:]
    rows = ['patient,' + ','.join(views + labels)]
    for i in range(im.shape[0]):
        scan = im[i]
        names = []
        for j, v in enumerate(views):
            name = '%06d_%s.png' % (i, v)
            write_png16(os.path.join(out, name), scan[j])
            names.append(name)
        rows.append(','.join(['P%d' % pat[i]] + names + [str(int(x)) for x in lab[i]]))
    with open(os.path.join(out, 'labels.csv'), 'w') as c:
        c.write('\n'.join(rows) + '\n')


if __name__ == '__main__':
    main()
