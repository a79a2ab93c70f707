#!/usr/bin/env bash
# Build je08.app and je08-VERSION-macos-ARCH.dmg on macOS (hdiutil is macOS
# only, so this runs in the release workflow, not on the Linux machine):
#   je08.app/Contents/{Info.plist, MacOS/je08, Resources/je08.icns}
# The bundle is ad-hoc signed (codesign -s -), which Apple Silicon requires
# to run it; it is not notarized, so Gatekeeper asks on first open
# (right-click > Open).
# CARGO (default cargo) runs cargo; TARGET_DIR (default: target); OUT
# (default: TARGET_DIR/packaging) receives the .dmg; NO_BUILD=1 skips cargo.
set -euo pipefail
cd "$(dirname "$0")/../.."
CARGO=${CARGO:-cargo}
TARGET_DIR=${TARGET_DIR:-${CARGO_TARGET_DIR:-target}}
OUT=${OUT:-$TARGET_DIR/packaging}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
arch=$(uname -m)

[ "$(uname -s)" = Darwin ] || { echo "macos/build.sh: needs macOS (hdiutil, codesign)" >&2; exit 1; }
if [ "${NO_BUILD:-0}" != 1 ]; then
  "$CARGO" build --release --locked --bin je08
fi
stage=$(mktemp -d)
app="$stage/JE08 Configurator.app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
sed "s/@VERSION@/$version/g" packaging/macos/Info.plist >"$app/Contents/Info.plist"
plutil -lint "$app/Contents/Info.plist"
cp "$TARGET_DIR/release/je08" "$app/Contents/MacOS/je08"
cp assets/icon/je08.icns "$app/Contents/Resources/je08.icns"
packaging/cli-assets.sh "$app/Contents/MacOS/je08" "$app/Contents/Resources"
codesign --force --deep --sign - "$app"
"$app/Contents/MacOS/je08" --version
ln -s /Applications "$stage/Applications"
mkdir -p "$OUT"
dmg="$OUT/je08-$version-macos-$arch.dmg"
rm -f "$dmg"
hdiutil create -volname "JE08 Configurator $version" -srcfolder "$stage" -ov -format UDZO "$dmg"
hdiutil verify "$dmg"
echo "OK: $dmg ($(du -h "$dmg" | cut -f1))"
