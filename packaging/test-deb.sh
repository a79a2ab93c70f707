#!/usr/bin/env bash
# Build the Debian package, install it with dpkg, use it as a person would
# (je08 --version; je08 read against a `je08 sim` on loopback, free ports),
# then remove it and check that every file it installed is gone.
#
#   packaging/test-deb.sh            # cargo deb (release build), then the checks
#   packaging/test-deb.sh FILE.deb   # check an existing package
#
# Needs root (dpkg -i), cargo-deb (`cargo install cargo-deb --locked`).
# CARGO (default cargo) runs cargo; TARGET_DIR (default: target) is where
# that cargo writes, to find the .deb.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
TARGET_DIR=${TARGET_DIR:-${CARGO_TARGET_DIR:-target}}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)

say() { printf '== %s\n' "$*"; }
die() { printf 'test-deb: FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (dpkg -i / dpkg -r)"
if [ $# -ge 1 ]; then
  deb=$1
else
  command -v cargo-deb >/dev/null || die "cargo-deb missing: cargo install cargo-deb --locked"
  say "building the binary (release profile, low priority), its man pages and completions, then the package"
  nice -n 10 "$CARGO" build --release --locked --bin je08
  packaging/cli-assets.sh "$TARGET_DIR/release/je08" "$TARGET_DIR/release/cli-assets"
  nice -n 10 "$CARGO" deb --no-build
  deb=$(find "$TARGET_DIR/debian" -maxdepth 1 -name "je08_${version}*_amd64.deb" -printf '%T@ %p\n' | sort -rn | head -n1 | cut -d" " -f2-)
fi
[ -f "$deb" ] || die "no package at $deb"
say "package $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb --info "$deb" | sed -n 's/^ \(Package\|Version\|Depends\|Recommends\|Installed-Size\):/  &/p'

if dpkg -s je08 >/dev/null 2>&1; then die "je08 is already installed; dpkg -r je08 first"; fi
[ ! -e /usr/bin/je08 ] || die "/usr/bin/je08 exists and belongs to no je08 package"

# Files (not directories) the package ships, as absolute paths.
mapfile -t files < <(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | sed 's#^\./#/#')
for expected in /usr/bin/je08 /usr/share/applications/je08.desktop \
  /usr/share/icons/hicolor/scalable/apps/je08.svg \
  /usr/share/icons/hicolor/{16x16,24x24,32x32,48x48,64x64,128x128,256x256,512x512}/apps/je08.png \
  /usr/share/bash-completion/completions/je08 /usr/share/zsh/vendor-completions/_je08 \
  /usr/share/fish/vendor_completions.d/je08.fish; do
  printf '%s\n' "${files[@]}" | grep -qx "$expected" || die "the package lacks $expected"
done

sim_pid=
cleanup() {
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; fi
  if dpkg -s je08 >/dev/null 2>&1; then dpkg -P je08 >/dev/null || true; fi
  rm -rf "$work"
}
work=$(mktemp -d)
trap cleanup EXIT

say "dpkg -i"
if ! dpkg -i "$deb"; then
  say "installing missing dependencies (apt-get -f install)"
  apt-get install -f -y -qq
fi
dpkg -s je08 | grep -q '^Status: install ok installed' || die "je08 is not installed after dpkg -i"
[ "$(command -v je08)" = /usr/bin/je08 ] || die "je08 is not /usr/bin/je08 on PATH"

say "je08 --version"
got=$(je08 --version)
echo "  $got"
[[ $got =~ ^je08\ $version\ \(commit\ ([0-9a-f]{7,}|unknown)\)$ ]] || die "unexpected --version output: $got"

say "je08 sim on loopback (free ports) + je08 read"
je08 sim --modbus-port 0 --http-port 0 --ota-port 0 >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 100); do
  grep -q '"event":"ready"' "$work/sim.out" 2>/dev/null && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$work/sim.err" >&2; die "je08 sim exited"; }
  sleep 0.1
done
modbus=$(sed -n 's/.*"modbus":"\([^"]*\)".*/\1/p' "$work/sim.out" | head -n1)
[[ $modbus == 127.0.0.1:* ]] || die "no loopback Modbus address in the ready line: $(cat "$work/sim.out")"
echo "  simulator Modbus at $modbus"
timeout 20 je08 read "$modbus" >"$work/read.txt" || die "je08 read $modbus failed"
head -n 8 "$work/read.txt" | sed 's/^/  /'
timeout 20 je08 read "$modbus" --json >"$work/read.json" || die "je08 read --json failed"
grep -q '"voltage_v"' "$work/read.json" || die "je08 read --json shows no phase voltages"
grep -q 'Voltage (V)' "$work/read.txt" || die "je08 read shows no voltage row"
id=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$work/sim.out" | head -n1)
grep -q "\"id\": $id," "$work/read.json" || die "je08 read --json does not show the simulator's device id $id"
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; sim_pid=

say "man pages and completions"
printf '%s\n' "${files[@]}" | grep -Eq '^/usr/share/man/man1/je08\.1(\.gz)?$' || die "the package lacks the je08(1) man page"
printf '%s\n' "${files[@]}" | grep -Eq '^/usr/share/man/man1/je08-flash\.1(\.gz)?$' || die "the package lacks je08-flash(1)"
if command -v man >/dev/null; then
  warnings=$(MANWIDTH=80 man --warnings je08 2>&1 >/dev/null) || die "man je08 fails"
  [ -z "$warnings" ] || die "man je08 warns: $warnings"
fi
bash -n /usr/share/bash-completion/completions/je08 || die "the bash completion does not parse"

if command -v desktop-file-validate >/dev/null; then
  say "desktop-file-validate"
  desktop-file-validate /usr/share/applications/je08.desktop
fi

say "dpkg -r"
dpkg -r je08
for f in "${files[@]}"; do
  [ ! -e "$f" ] || die "$f is still there after dpkg -r"
done
! dpkg -s je08 2>/dev/null | grep -q '^Status: install ok installed' || die "dpkg still lists je08 as installed"
dpkg -P je08 >/dev/null 2>&1 || true
say "OK: installed, ran (--version, read against je08 sim), removed; ${#files[@]} files gone"
