#!/usr/bin/env bash
# `cargo check` the platforms this Linux machine cannot build installers for:
# macOS (x86_64, arm64) and Windows MSVC (x86_64). A check type-checks every
# crate for the target — the renderers, the window, the platform-specific
# code — without linking, so neither Apple's SDK nor MSVC's linker is needed.
# What a check cannot reach is said at the end.
#
#   packaging/check-targets.sh [TARGET...]
#
# Needs the Rust targets (rustup target add x86_64-apple-darwin
# aarch64-apple-darwin x86_64-pc-windows-msvc).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc)
failed=()
for t in "${targets[@]}"; do
  if ! rustup target list --installed | grep -qx "$t"; then
    echo "== $t: Rust target not installed (rustup target add $t)"; failed+=("$t"); continue
  fi
  echo "== cargo check --target $t"
  start=$SECONDS
  if nice -n 10 "$CARGO" check --locked --workspace --bins --lib --target "$t"; then
    echo "   $t: OK ($((SECONDS - start)) s)"
  else
    failed+=("$t")
  fi
done
cat <<'TXT'
== not checked here
   - linking (Apple's ld and SDK frameworks; MSVC's link.exe and the
     static C runtime of +crt-static): the release workflow links on
     macos-latest and windows-latest;
   - C code compiled by build scripts for these targets (ring's assembly,
     Objective-C shims) is compiled only when a C compiler for the target
     exists: cargo check runs the build scripts, so a missing cross C
     compiler shows up as a failure above;
   - running anything: no macOS or Windows here (Windows runs under Wine:
     packaging/windows/wine-smoke.sh).
TXT
[ ${#failed[@]} -eq 0 ] || { echo "check-targets: FAILED: ${failed[*]}" >&2; exit 1; }
