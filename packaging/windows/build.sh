#!/usr/bin/env bash
# Cross-build the Windows installer on Linux and check what can be checked here:
#   1. cargo build --release --target x86_64-pc-windows-gnu (mingw-w64 linker, windres icon)
#   2. both executables are PE32+ x86-64; je08.exe is a console program,
#      je08w.exe a GUI one (no console window)
#   3. makensis packaging/windows/je08.nsi -> je08-VERSION-x86_64-setup.exe
#   4. if wine is installed: `wine je08.exe --version` prints the version
#      (result written down, not fatal: wine may be missing or broken)
#
# Debian packages: gcc-mingw-w64-x86-64 (linker, windres), nsis, file; optional wine64.
# Rust target: rustup target add x86_64-pc-windows-gnu.
# CARGO (default cargo) runs cargo; TARGET_DIR (default: target) is where it
# writes; OUT (default: TARGET_DIR/packaging) receives the installer.
set -euo pipefail
cd "$(dirname "$0")/../.."
CARGO=${CARGO:-cargo}
TARGET_DIR=${TARGET_DIR:-${CARGO_TARGET_DIR:-target}}
OUT=${OUT:-$TARGET_DIR/packaging}
triple=x86_64-pc-windows-gnu
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)

say() { printf '== %s\n' "$*"; }
die() { printf 'windows/build.sh: FAILED: %s\n' "$*" >&2; exit 1; }

for tool in x86_64-w64-mingw32-gcc x86_64-w64-mingw32-windres makensis file; do
  command -v "$tool" >/dev/null || die "$tool missing (apt-get install gcc-mingw-w64-x86-64 nsis file)"
done
if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$triple"; then
  die "rust target missing: rustup target add $triple"
fi

if [ "${NO_BUILD:-0}" != 1 ]; then
  say "cargo build --release --target $triple (low priority)"
  nice -n 10 "$CARGO" build --release --locked --target "$triple" --bins
fi
bin="$TARGET_DIR/$triple/release"
for exe in je08.exe je08w.exe; do
  [ -f "$bin/$exe" ] || die "no $bin/$exe"
  desc=$(file -b "$bin/$exe")
  echo "  $exe: $desc; $(stat -c %s "$bin/$exe") bytes"
  [[ $desc == PE32+\ executable* && $desc == *x86-64* ]] || die "$exe is not a PE32+ x86-64 executable"
done
[[ $(file -b "$bin/je08.exe") == *"(console)"* ]] || die "je08.exe must be a console program (the CLI)"
[[ $(file -b "$bin/je08w.exe") == *"(GUI)"* ]] || die "je08w.exe must be a GUI program (no console window)"

say "man pages and completions (from a je08 built for this machine; the command line is the same)"
if [ "${NO_BUILD:-0}" != 1 ]; then
  nice -n 10 "$CARGO" build --locked --bin je08
fi
packaging/cli-assets.sh "$TARGET_DIR/debug/je08" "$OUT/cli-assets"

say "makensis"
mkdir -p "$OUT"
setup="$OUT/je08-$version-x86_64-setup.exe"
makensis -V2 -WX -DVERSION="$version" -DBINDIR="$bin" -DCLIASSETS="$(realpath "$OUT/cli-assets")" -DOUTFILE="$(realpath -m "$setup")" "$PWD/packaging/windows/je08.nsi"
echo "  $setup: $(file -b "$setup"); $(stat -c %s "$setup") bytes"
[[ $(file -b "$setup") == PE32+\ executable* ]] || die "the installer is not a 64-bit Windows executable"

wine=$(command -v wine64 || command -v wine || true)
if [ -n "$wine" ]; then
  say "wine: je08.exe --version"
  export WINEPREFIX=${WINEPREFIX:-$(mktemp -d)/wine} WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  if got=$(timeout 300 "$wine" "$bin/je08.exe" --version 2>"$OUT/wine.err" | tr -d '\r'); then
    echo "  $got"
    [[ $got =~ ^je08\ $version\ \(commit\ ([0-9a-f]{7,}|unknown)\)$ ]] || die "unexpected output under wine: $got"
  else
    echo "  wine could not run je08.exe (not fatal here); see $OUT/wine.err"
  fi
else
  echo "== wine not installed: je08.exe not run (apt-get install wine64 to try)"
fi
say "OK: $setup"
