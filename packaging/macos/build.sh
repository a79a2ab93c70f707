#!/usr/bin/env bash
# Build "JE08 Configurator.app" and je08-VERSION-macos-universal.dmg on macOS
# (hdiutil and lipo are macOS only, so this runs in the release workflow, not
# on the Linux machine):
#   JE08 Configurator.app/Contents/{Info.plist, MacOS/je08 (x86_64 + arm64,
#   lipo), Resources/je08.icns, Resources/THIRD-PARTY-NOTICES.txt, LICENSE-*}
# Needs both Rust targets: rustup target add x86_64-apple-darwin aarch64-apple-darwin.
# The command line: the .dmg holds no installer, so a terminal reaches je08
# through a symlink the user makes once (packaging/README.md, "macOS").
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
targets=(x86_64-apple-darwin aarch64-apple-darwin)

[ "$(uname -s)" = Darwin ] || { echo "macos/build.sh: needs macOS (hdiutil, codesign)" >&2; exit 1; }
if [ "${NO_BUILD:-0}" != 1 ]; then
  for t in "${targets[@]}"; do "$CARGO" build --release --locked --bin je08 --target "$t"; done
fi
universal="$TARGET_DIR/universal-apple-darwin/release/je08"
mkdir -p "$(dirname "$universal")"
lipo -create -output "$universal" "$TARGET_DIR/x86_64-apple-darwin/release/je08" "$TARGET_DIR/aarch64-apple-darwin/release/je08"
archs=$(lipo -archs "$universal")
echo "je08: $archs"
[[ $archs == *x86_64* && $archs == *arm64* ]] || { echo "macos/build.sh: the binary is not universal: $archs" >&2; exit 1; }
stage=$(mktemp -d)
app="$stage/JE08 Configurator.app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
sed "s/@VERSION@/$version/g" packaging/macos/Info.plist >"$app/Contents/Info.plist"
plutil -lint "$app/Contents/Info.plist"
cp "$universal" "$app/Contents/MacOS/je08"
cp assets/icon/je08.icns "$app/Contents/Resources/je08.icns"
packaging/cli-assets.sh "$app/Contents/MacOS/je08" "$app/Contents/Resources"
cp assets/licenses/THIRD-PARTY-NOTICES.txt LICENSE-MIT LICENSE-APACHE "$app/Contents/Resources/"
codesign --force --deep --sign - "$app"
"$app/Contents/MacOS/je08" --version
ln -s /Applications "$stage/Applications"
mkdir -p "$OUT"
dmg="$OUT/je08-$version-macos-universal.dmg"
rm -f "$dmg"
hdiutil create -volname "JE08 Configurator $version" -srcfolder "$stage" -ov -format UDZO "$dmg"
hdiutil verify "$dmg"
echo "OK: $dmg ($(du -h "$dmg" | cut -f1))"
