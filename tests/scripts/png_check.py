# SPDX-License-Identifier: BSD-2-Clause
"""png_check.py SHOT WIDTH HEIGHT COLOURS -- fail unless SHOT is a
WIDTHxHEIGHT PNG (a Chromium --screenshot) that is not one colour and
shows the charts' colours named in COLOURS ("g" #4caf50 successes, "r"
#d32f2f failures, "" none) on enough pixels to be bars, not stray
anti-aliasing. Used by tests/scripts/t-summary*html.sh."""
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, ihdr = 8, [], None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", data[pos + 8:pos + 8 + n])
    elif kind == b"IDAT":
        idat.append(data[pos + 8:pos + 8 + n])
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = ihdr
assert (w, h) == (int(sys.argv[2]), int(sys.argv[3])), (w, h)
assert depth == 8 and ctype in (2, 6) and interlace == 0, ihdr
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(b"".join(idat))
stride = w * bpp
prev = bytearray(stride)
colours = {}
for y in range(h):
    f = raw[y * (stride + 1)]
    cur = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = cur[i - bpp] if i >= bpp else 0
        b = prev[i]
        if f == 1:
            cur[i] = (cur[i] + a) & 255
        elif f == 2:
            cur[i] = (cur[i] + b) & 255
        elif f == 3:
            cur[i] = (cur[i] + ((a + b) >> 1)) & 255
        elif f == 4:
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else
                                b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        k = bytes(cur[x:x + 3])
        colours[k] = colours.get(k, 0) + 1
    prev = cur
assert len(colours) > 1, "the screenshot is one single colour"
top = max(colours.values())
assert top < w * h * 0.995, "the screenshot is almost blank"
green = colours.get(bytes((0x4c, 0xaf, 0x50)), 0)
red = colours.get(bytes((0xd3, 0x2f, 0x2f)), 0)
if "g" in sys.argv[4]:
    assert green > 200, "no green (successful) bars: %d pixels" % green
if "r" in sys.argv[4]:
    assert red > 50, "no red (failed) bars: %d pixels" % red
print("%s: %dx%d, %d colours, %d green, %d red pixels"
      % (sys.argv[1], w, h, len(colours), green, red))
