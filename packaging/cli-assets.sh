#!/usr/bin/env bash
# Generate what the packages ship beside the binary for the command line:
# man pages (je08.1, je08-read.1, …) and shell completions, from the built
# je08 itself (`je08 manpages DIR`, `je08 completions SHELL`).
#
#   packaging/cli-assets.sh JE08_BINARY OUT_DIR
#
# Writes OUT_DIR/man/*.1 (and gzipped in OUT_DIR/man-gz/ for the .deb) and OUT_DIR/completions/{je08.bash,_je08,je08.fish,_je08.ps1}.
# The binary must run on this machine: for a cross-built package, pass a
# je08 built for this machine (the command line is the same everywhere).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 JE08_BINARY OUT_DIR" >&2; exit 2; }
bin=$1
out=$2
rm -rf "$out/man" "$out/completions"
mkdir -p "$out/man" "$out/completions"
"$bin" manpages "$out/man" >/dev/null
# Debian installs man pages compressed (gzip -9n: no name or time stamp).
rm -rf "$out/man-gz"
mkdir -p "$out/man-gz"
for page in "$out"/man/*.1; do gzip -9nc "$page" >"$out/man-gz/$(basename "$page").gz"; done
"$bin" completions bash >"$out/completions/je08.bash"
"$bin" completions zsh >"$out/completions/_je08"
"$bin" completions fish >"$out/completions/je08.fish"
"$bin" completions powershell >"$out/completions/_je08.ps1"
echo "cli-assets: $(find "$out/man" -name '*.1' | wc -l) man pages and 4 completion scripts in $out"
