"""tests/integration/import_images.py: write test images for t_import.sh without PIL.

  import_images.py pgm OUT H W MAXVAL SEED        random greyscale PGM (P5), values <= MAXVAL
  import_images.py png OUT H W DEPTH SEED [TYPE]  PNG by hand (zlib): TYPE grey (default),
                                                  rgb or greyalpha; DEPTH 1, 2, 4, 8 or 16; a grey one
                                                  also gets OUT.truth.pgm, its pixels
  import_images.py ppm OUT H W SEED grey|colour   P6 for cjpeg: R=G=B, or real colour
  import_images.py raw OUT FRAMES H W SEED        little-endian uint16 frames (for gdcmimg),
                                                  and OUT.truthK.pgm, frame K
  import_images.py npy OUT PGM...                 PGM files (read here, independently of
                                                  spectcv) stacked [views][H][W] into OUT.npy

Pixels are a deterministic function of SEED, so equal seeds give duplicate scans."""
import struct
import sys
import zlib

import numpy as np


def pixels(h, w, maxval, seed, channels=1):
    rng = np.random.default_rng(seed)
    shape = (h, w) if channels == 1 else (h, w, channels)
    return rng.integers(0, maxval + 1, size=shape, dtype=np.int64)


def write_pgm(path, a, maxval):
    h, w = a.shape
    data = a.astype('>u2' if maxval > 255 else 'u1').tobytes()
    with open(path, 'wb') as f:
        f.write(b'P5\n# spectcv test\n%d %d\n%d\n' % (w, h, maxval) + data)


def read_pgm(path):
    with open(path, 'rb') as f:
        data = f.read()
    fields, pos = [], 2
    while len(fields) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b'#':
            pos = data.index(b'\n', pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(int(data[pos:end]))
        pos = end
    w, h, maxval = fields
    pos += 1
    dt = '>u2' if maxval > 255 else 'u1'
    return np.frombuffer(data, dtype=dt, count=w * h, offset=pos).reshape(h, w).astype(np.uint16)


def write_png(path, a, depth, color_type):
    h, w = a.shape[:2]
    if depth < 8:  # pack 8 / depth samples per byte, first in the high bits, rows padded
        per = 8 // depth
        padded = np.zeros((h, -(-w // per) * per), dtype=np.int64)
        padded[:, :w] = a
        g = padded.reshape(h, -1, per)
        rows = sum(g[:, :, k] << (8 - depth * (k + 1)) for k in range(per)).astype('u1')
    else:
        rows = a.astype('>u2' if depth == 16 else 'u1').reshape(h, -1)
    raw = b''.join(b'\x00' + r.tobytes() for r in rows)

    def chunk(kind, body):
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))
    ihdr = struct.pack('>IIBBBBB', w, h, depth, color_type, 0, 0, 0)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(raw))
                + chunk(b'IEND', b''))


def main(argv):
    cmd, out = argv[1], argv[2]
    if cmd == 'pgm':
        h, w, maxval, seed = map(int, argv[3:7])
        write_pgm(out, pixels(h, w, maxval, seed), maxval)
    elif cmd == 'png':
        h, w, depth, seed = map(int, argv[3:7])
        kind = argv[7] if len(argv) > 7 else 'grey'
        ch, ct = {'grey': (1, 0), 'rgb': (3, 2), 'greyalpha': (2, 4)}[kind]
        a = pixels(h, w, (1 << depth) - 1, seed, ch)
        write_png(out, a, depth, ct)
        if kind == 'grey':  # the truth, for the checks
            write_pgm(out + '.truth.pgm', a, max(255, (1 << depth) - 1))
    elif cmd == 'ppm':
        h, w, seed = map(int, argv[3:6])
        g = pixels(h, w, 255, seed)
        rgb = np.stack([g, g, g], axis=2) if argv[6] == 'grey' else pixels(h, w, 255, seed, 3)
        with open(out, 'wb') as f:
            f.write(b'P6\n%d %d\n255\n' % (w, h) + rgb.astype('u1').tobytes())
    elif cmd == 'raw':
        frames, h, w, seed = map(int, argv[3:7])
        a = np.stack([pixels(h, w, 65535, seed + k) for k in range(frames)])
        a.astype('<u2').tofile(out)
        for k in range(frames):
            write_pgm(out + '.truth%d.pgm' % k, a[k], 65535)
    elif cmd == 'npy':
        np.save(out, np.stack([read_pgm(p) for p in argv[3:]]))
    else:
        raise SystemExit('unknown command ' + cmd)


if __name__ == '__main__':
    main(sys.argv)
