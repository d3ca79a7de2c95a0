#!/usr/bin/env bash
# Renders `lifecheck explain --svg` pictures with a real SVG renderer
# (rsvg-convert, Debian package librsvg2-bin) and checks the PNG: the size
# the SVG declares, and ink (tinted step boxes) in every thread's lane
# below its header, not just arrows crossing it. Skips (exit 0 with a
# SKIP line) only if rsvg-convert is
# missing.
#
# usage: tools/explain_render_test.sh /path/to/lifecheck CORPUS_DIR
set -u
LC=$1
CORPUS=$2
if ! command -v rsvg-convert >/dev/null 2>&1; then
  echo "SKIP: rsvg-convert not installed (apt-get install librsvg2-bin)"
  exit 0
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lifecheck_explain_test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failed=0
for name in 001-mkwrite-old-vs-writeback 003-wait-never-unpinned \
            003-dma-into-foreign-block 003-fault-in-scan-window; do
  trace=$CORPUS/$name.trace
  "$LC" explain "$trace" --svg "$TMP/$name.svg" --html "$TMP/$name.html" \
    >/dev/null
  rc=$?
  if [[ $rc -gt 1 ]]; then
    echo "FAIL  $name: lifecheck explain exit $rc"; failed=1; continue
  fi
  if ! rsvg-convert -o "$TMP/$name.png" "$TMP/$name.svg" 2>"$TMP/err"; then
    echo "FAIL  $name: rsvg-convert: $(cat "$TMP/err")"; failed=1; continue
  fi
  if ! python3 - "$TMP/$name.svg" "$TMP/$name.png" "$TMP/$name.html" <<'PY'
import re, struct, sys, zlib
svg, png, html = (open(sys.argv[1]).read(), open(sys.argv[2], 'rb').read(),
                  open(sys.argv[3]).read())
assert '<svg' in html and '</html>' in html, 'html does not embed the svg'
# Self-contained: no scripts, no external references.
for bad in ('<script', 'href="http', '@import', 'url(http'):
    assert bad not in svg, 'svg contains ' + bad
w = int(re.search(r'<svg[^>]* width="(\d+)"', svg).group(1))
h = int(re.search(r'<svg[^>]* height="(\d+)"', svg).group(1))
assert png[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, ihdr = 8, b'', None
while pos < len(png):
    n, kind = struct.unpack('>I4s', png[pos:pos + 8])
    data = png[pos + 8:pos + 8 + n]
    if kind == b'IHDR': ihdr = struct.unpack('>IIBBBBB', data)
    if kind == b'IDAT': idat += data
    pos += 12 + n
pw, ph, depth, ctype, _, _, interlace = ihdr
assert (pw, ph) == (w, h), f'PNG is {pw}x{ph}, SVG says {w}x{h}'
assert depth == 8 and ctype in (2, 6) and interlace == 0, ihdr
bpp = 4 if ctype == 6 else 3
raw, stride = zlib.decompress(idat), pw * bpp
rows, prev, i = [], bytearray(stride), 0
for y in range(ph):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line); prev = line
def ink(x0, x1, y0, y1):
    n = 0
    for y in range(y0, y1):
        r = rows[y]
        for x in range(x0, x1):
            px = r[x * bpp:x * bpp + 3]
            if bpp == 4 and r[x * bpp + 3] == 0: continue
            # Box fills (step boxes, the violating and blocked steps) are
            # tinted; text, arrows and guide lines are grey.
            if max(px) - min(px) >= 25:
                n += 1
                if n > 200: return n
    return n
lanes = re.findall(r'<g class="lane" data-thread="([^"]*)" data-x0="(\d+)" '
                   r'data-x1="(\d+)" data-y0="(\d+)" data-y1="(\d+)"', svg)
assert lanes, 'no lanes'
for name, x0, x1, y0, y1 in lanes:
    n = ink(int(x0), int(x1), int(y0), int(y1))
    assert n > 200, f'lane {name} has no step boxes ({n} tinted px)'
# The banner (finding or clean) is drawn: a saturated red or green band.
band = sum(1 for x in range(16, pw - 16, 4) for y in range(ph - 60, ph, 2)
           if rows[y][x*bpp] > 150 and rows[y][x*bpp+1] < 60 or
              rows[y][x*bpp+1] > 100 and rows[y][x*bpp] < 80)
assert band > 100, f'no banner ({band} px)'
print(f'{len(lanes)} lanes, {pw}x{ph}')
PY
  then
    echo "FAIL  $name: rendered picture check"; failed=1; continue
  fi
  echo "PASS  $name"
done
exit $failed
