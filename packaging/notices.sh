#!/usr/bin/env bash
# Third-party notices: every crate je08 ships (cargo about, from Cargo.lock,
# about.toml, packaging/about.hbs) and the fonts the window embeds (egui's
# default fonts, with their licence files from the epaint_default_fonts crate)
# and the PDF documents embed (assets/fonts).
#
#   packaging/notices.sh           # (re)write assets/licenses/THIRD-PARTY-NOTICES.txt
#   packaging/notices.sh --check   # fail if the committed file is out of date
#
# The file is committed so the window can embed it (include_str!) and every
# installer ships it; build-all.sh and the release workflow run --check.
# Needs cargo-about (cargo install --locked cargo-about --features cli); no network.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
out=assets/licenses/THIRD-PARTY-NOTICES.txt
command -v cargo-about >/dev/null || { echo "notices.sh: cargo-about missing: cargo install --locked cargo-about --features cli" >&2; exit 1; }

tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
# --offline: licence texts come from the crates' own files; nothing is fetched.
"$CARGO" about generate --locked --offline --fail -c about.toml packaging/about.hbs >"$tmp"

fonts=$("$CARGO" metadata --locked --format-version 1 |
  python3 -c 'import json,sys,os; m=json.load(sys.stdin); print(next(os.path.dirname(p["manifest_path"]) for p in m["packages"] if p["name"]=="epaint_default_fonts"))')/fonts
{
  echo "------------------------------------------------------------------------"
  echo "Fonts embedded in the window (egui's default fonts, crate epaint_default_fonts)"
  echo "  - Ubuntu-Light.ttf: Ubuntu Font Licence 1.0 (UFL.txt below)"
  echo "  - Hack-Regular.ttf: MIT (Hack-Regular.txt below)"
  echo "  - NotoEmoji-Regular.ttf: SIL Open Font License 1.1 (OFL.txt below)"
  echo "  - emoji-icon-font.ttf: MIT (emoji-icon-font-mit-license.txt below)"
  echo "  - egui-icons.ttf: egui-icons.txt below"
  for f in UFL.txt Hack-Regular.txt OFL.txt emoji-icon-font-mit-license.txt egui-icons.txt; do
    [ -f "$fonts/$f" ] || { echo "notices.sh: $fonts/$f missing" >&2; exit 1; }
    printf '\n==== %s ====\n\n' "$f"
    cat "$fonts/$f"
  done
  echo
  echo "------------------------------------------------------------------------"
  echo "Fonts embedded in the PDF documents (assets/fonts, subsets of DejaVu Sans 2.37)"
  echo "  - DejaVuSans.ttf, DejaVuSans-Bold.ttf: Bitstream Vera licence, DejaVu changes public domain (LICENSE-DejaVu.txt below)"
  printf '\n==== %s ====\n\n' LICENSE-DejaVu.txt
  cat assets/fonts/LICENSE-DejaVu.txt
} >>"$tmp"

if [ "${1:-}" = --check ]; then
  cmp -s "$tmp" "$out" || { echo "notices.sh: $out is out of date: run packaging/notices.sh and commit it" >&2; exit 1; }
  echo "notices: $out is up to date"
else
  chmod 644 "$tmp"
  mv "$tmp" "$out"
  trap - EXIT
  echo "notices: wrote $out ($(grep -c '^  - ' "$out") crate and font entries)"
fi
