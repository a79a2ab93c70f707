#!/usr/bin/env bash
# Regenerate every application icon from the vector source assets/icon/je08.svg:
#   assets/icon/png/je08-N.png  (N = 16 24 32 48 64 128 256 512; Linux hicolor sizes, window icon)
#   assets/icon/je08.ico        (Windows: 16 24 32 48 64 128 256, the 256 one PNG-compressed)
#   assets/icon/je08.icns       (macOS: 16 32 48 128 256 512)
# Tools, all Debian packages: librsvg2-bin (rsvg-convert), icoutils (icotool), icnsutils (png2icns).
# The generated files are committed; run this again after editing the SVG.
set -euo pipefail
cd "$(dirname "$0")/../assets/icon"
for tool in rsvg-convert icotool png2icns; do
  command -v "$tool" >/dev/null || { echo "icons.sh: $tool missing (apt-get install librsvg2-bin icoutils icnsutils)" >&2; exit 1; }
done
mkdir -p png
for n in 16 24 32 48 64 128 256 512; do
  rsvg-convert --width "$n" --height "$n" je08.svg --output "png/je08-$n.png"
done
icotool --create --output je08.ico \
  png/je08-16.png png/je08-24.png png/je08-32.png png/je08-48.png png/je08-64.png png/je08-128.png \
  --raw=png/je08-256.png
png2icns je08.icns png/je08-16.png png/je08-32.png png/je08-48.png png/je08-128.png png/je08-256.png png/je08-512.png >/dev/null
ls -l je08.ico je08.icns png/
