#!/usr/bin/env bash
# Build every installer this Linux machine can build, checking each:
#   - workflow lint (actionlint), shell scripts (shellcheck, if installed)
#   - icons regenerated from the SVG must match the committed ones
#   - third-party notices up to date (packaging/notices.sh --check; cargo-about)
#   - the .deb: built, linted (lintian, appstreamcli), installed, run, removed
#     (packaging/linux/lint-deb.sh, packaging/test-deb.sh; root)
#   - the Windows installer: cross-built and checked (packaging/windows/build.sh)
#   - macOS and Windows MSVC type-checked (packaging/check-targets.sh)
# The macOS .app/.dmg needs macOS: the release workflow builds it. The Wine
# run of the Windows build is packaging/windows/wine-smoke.sh (slow; separate).
# Release builds are heavy: run this at low priority on a quiet machine.
# CARGO and TARGET_DIR are passed on (see the scripts).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n#### %s\n' "$*"; }

say "workflow lint"
packaging/lint-workflows.sh
if command -v shellcheck >/dev/null; then
  say "shellcheck"
  shellcheck packaging/*.sh packaging/*/*.sh
fi

say "icons are up to date with assets/icon/je08.svg"
packaging/icons.sh >/dev/null
git diff --quiet -- assets/icon || { git status --short -- assets/icon; echo "icons changed: commit them" >&2; exit 1; }

say "third-party notices are up to date"
packaging/notices.sh --check

say "Linux: .deb"
packaging/test-deb.sh
TARGET_DIR=${TARGET_DIR:-${CARGO_TARGET_DIR:-target}}
packaging/linux/lint-deb.sh "$(find "$TARGET_DIR/debian" -maxdepth 1 -name "je08_*_amd64.deb" -printf "%T@ %p\n" | sort -rn | head -n1 | cut -d" " -f2-)"

say "Windows: cross-built NSIS installer"
packaging/windows/build.sh

say "macOS and Windows MSVC: cargo check"
packaging/check-targets.sh

say "macOS: not buildable here (hdiutil, codesign); the release workflow runs packaging/macos/build.sh"
