#!/usr/bin/env bash
# Run the Windows build of je08 under Wine, as a person on Windows would use it:
#   1. cross-build je08.exe and je08w.exe (x86_64-pc-windows-gnu, mingw-w64)
#   2. a fresh Wine prefix, with a test-only ProcessPrng shim (see below)
#   3. je08.exe --version
#   4. je08.exe read  against a Linux `je08 sim` (loopback, free ports)
#   5. Linux je08 read against `je08.exe sim`  (loopback, free ports)
#   6. the window (je08.exe gui --no-mdns) under Xvfb: screenshot, not blank
#   7. the NSIS installer: /S /CurrentUser, then /S /AllUsers /ADDTOPATH;
#      files, shortcuts, registry and PATH present; installed je08.exe runs;
#      silent uninstall; nothing left
#
#   packaging/windows/wine-smoke.sh [OUTDIR]     (default: TARGET_DIR/wine-smoke)
#
# PROFILE (default dev; the release workflow passes release) is the cargo
# profile; NO_BUILD=1 uses what is built. The Linux je08 is TARGET_DIR/debug/je08
# (built if missing). Debian packages: wine wine64 gcc-mingw-w64-x86-64 nsis
# xvfb imagemagick file. Not run by .ci/run (minutes of cross-building).
#
# ProcessPrng: Rust's standard library (1.78+) takes its random numbers from
# ProcessPrng in bcryptprimitives.dll, which Debian 12's Wine 8.0 lacks, so
# every Rust program stops at start. This script builds, with mingw, a
# one-function bcryptprimitives.dll whose ProcessPrng calls RtlGenRandom
# (advapi32!SystemFunction036), puts it in the throw-away prefix's system32
# only, and tells Wine to prefer it. Nothing shipped contains it; Windows 10+
# has the real ProcessPrng.
#
# Network: loopback only. The window runs with --no-mdns and the simulators
# without --mdns, so nothing is multicast.
set -euo pipefail
cd "$(dirname "$0")/../.."
CARGO=${CARGO:-cargo}
TARGET_DIR=${TARGET_DIR:-${CARGO_TARGET_DIR:-target}}
PROFILE=${PROFILE:-dev}
triple=x86_64-pc-windows-gnu
[ "$PROFILE" = dev ] && pdir=debug || pdir=$PROFILE
bin="$TARGET_DIR/$triple/$pdir"
linux_je08="${JE08_LINUX_BIN:-$TARGET_DIR/debug/je08}"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
out=$(realpath -m "${1:-$TARGET_DIR/wine-smoke}")
mkdir -p "$out"

say() { printf '== %s\n' "$*"; }
die() { printf 'wine-smoke: FAILED: %s\n' "$*" >&2; exit 1; }

for tool in wine x86_64-w64-mingw32-gcc x86_64-w64-mingw32-strip makensis Xvfb import identify file; do
  command -v "$tool" >/dev/null || die "$tool missing (apt-get install wine wine64 gcc-mingw-w64-x86-64 nsis xvfb imagemagick file)"
done
say "$(wine --version) on $(sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p' /etc/os-release)"

if [ "${NO_BUILD:-0}" != 1 ]; then
  say "cargo build --profile $PROFILE --target $triple (low priority)"
  nice -n 10 "$CARGO" build --locked --profile "$PROFILE" --target "$triple" --bins
  [ -x "$linux_je08" ] || nice -n 10 "$CARGO" build --locked --bin je08
fi
for exe in je08.exe je08w.exe; do [ -f "$bin/$exe" ] || die "no $bin/$exe"; done
[ -x "$linux_je08" ] || die "no Linux je08 at $linux_je08"
say "je08.exe: $(file -b "$bin/je08.exe"), $(stat -c %s "$bin/je08.exe") bytes"
say "DLLs je08.exe imports: $(x86_64-w64-mingw32-objdump -p "$bin/je08.exe" | sed -n 's/^\s*DLL Name: //p' | sort -u | tr '\n' ' ')"

work=$(mktemp -d)
pids=()
xvfb_pid=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  WINEPREFIX="$work/prefix" wineserver -k 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export HOME="$work/home" XDG_RUNTIME_DIR="$work/run" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEARCH=win64
# No Mono/Gecko prompts, no desktop menu entries in $HOME, the shim before Wine's own DLL.
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d;bcryptprimitives=n,b"
unset DISPLAY WAYLAND_DISPLAY

say "Wine prefix (wineboot)"
timeout 300 wineboot -i >"$work/wineboot.log" 2>&1 || { cat "$work/wineboot.log"; die "wineboot failed"; }
wineserver -w
sys32="$WINEPREFIX/drive_c/windows/system32"

say "test-only ProcessPrng shim -> the prefix's system32"
cat >"$work/prng.c" <<'C'
#include <windows.h>
/* RtlGenRandom: advapi32's SystemFunction036. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
C
printf 'LIBRARY bcryptprimitives\nEXPORTS\n  ProcessPrng\n' >"$work/prng.def"
x86_64-w64-mingw32-gcc -O2 -shared -o "$sys32/bcryptprimitives.dll" "$work/prng.c" "$work/prng.def" -ladvapi32

say "1. je08.exe --version"
got=$(timeout 120 wine "$bin/je08.exe" --version 2>"$work/version.err" | tr -d '\r') || { cat "$work/version.err"; die "je08.exe --version failed"; }
echo "  $got"
[[ $got =~ ^je08\ $version\ \(commit\ ([0-9a-f]{7,}|unknown)\)$ ]] || die "unexpected --version: $got"

# Start "$@" in the background, wait for its JSON ready line, and set
# sim_addr to its Modbus address. Not called in a subshell: pids must keep
# the process for cleanup.
start_sim() {
  local log=$1; shift
  "$@" >"$log" 2>"$log.err" &
  pids+=($!)
  for _ in $(seq 600); do
    grep -q '"event":"ready"' "$log" 2>/dev/null && break
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$log.err" >&2; die "simulator exited: $*"; }
    sleep 0.1
  done
  sim_addr=$(tr -d '\r' <"$log" | sed -n 's/.*"modbus":"\([^"]*\)".*/\1/p' | head -n1)
  [[ $sim_addr == 127.0.0.1:* ]] || die "no loopback Modbus address from: $*"
}
check_read() { # FILE: a decoded table with phase voltages
  grep -q 'Voltage (V)' "$1" || { cat "$1"; die "no voltage row in $1"; }
}

say "2. je08.exe read -> Linux je08 sim"
start_sim "$work/linux-sim.out" "$linux_je08" sim --modbus-port 0 --http-port 0 --ota-port 0
modbus=$sim_addr
echo "  Linux simulator at $modbus"
timeout 60 wine "$bin/je08.exe" read "$modbus" 2>"$work/read1.err" | tr -d '\r' >"$work/read1.txt" || { cat "$work/read1.err"; die "je08.exe read failed"; }
check_read "$work/read1.txt"
sed -n '1,6p' "$work/read1.txt" | sed 's/^/  /'
kill "${pids[-1]}"

say "3. Linux je08 read -> je08.exe sim"
start_sim "$work/wine-sim.out" wine "$bin/je08.exe" sim --modbus-port 0 --http-port 0 --ota-port 0
modbus=$sim_addr
echo "  Windows simulator at $modbus"
timeout 30 "$linux_je08" read "$modbus" >"$work/read2.txt" || die "je08 read against je08.exe sim failed"
check_read "$work/read2.txt"
sed -n '1,6p' "$work/read2.txt" | sed 's/^/  /'
kill "${pids[-1]}"; wineserver -w 2>/dev/null || true

say "4. the window under Xvfb (je08.exe gui --no-mdns)"
disp=:47
Xvfb "$disp" -screen 0 1440x900x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
export DISPLAY=$disp
for _ in $(seq 100); do import -window root "$work/probe.png" 2>/dev/null && break; sleep 0.2; done
wine "$bin/je08.exe" --log info gui --no-mdns >"$work/gui.out" 2>"$work/gui.err" &
pids+=($!)
colours=0
for _ in $(seq 120); do
  kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/gui.err"; die "je08.exe gui exited"; }
  import -window root "$work/shot.png" 2>/dev/null || true
  colours=$(identify -format '%k' "$work/shot.png" 2>/dev/null || echo 0)
  [ "$colours" -ge 200 ] && break
  sleep 1
done
sleep 3
import -window root "$work/shot.png"
colours=$(identify -format '%k' "$work/shot.png")
cp "$work/shot.png" "$out/wine-window.png"
echo "  screenshot $out/wine-window.png: $colours distinct colours"
tr -d '\r' <"$work/gui.err" | sed 's/\x1b\[[0-9;]*m//g' | grep -o '\(the window cannot start\|the window opened\).*' | sed 's/^/  log: /' || true
[ "$colours" -ge 200 ] || { cat "$work/gui.err"; die "the window's screenshot looks blank"; }
kill "${pids[-1]}"; wineserver -k 2>/dev/null || true; wineserver -w 2>/dev/null || true
kill "$xvfb_pid"; xvfb_pid=; unset DISPLAY

say "5. NSIS installer"
cp "$bin/je08.exe" "$bin/je08w.exe" "$work/"
# Stripped as the release profile's are (a dev build carries ~1 GB of debug info).
x86_64-w64-mingw32-strip "$work/je08.exe" "$work/je08w.exe"
setup="$out/je08-$version-x86_64-setup.exe"
# Man pages and completions, written by the Linux build of the same source.
packaging/cli-assets.sh "$linux_je08" "$work/cli-assets" >/dev/null
makensis -V2 -WX -DVERSION="$version" -DBINDIR="$work" -DCLIASSETS="$work/cli-assets" -DOUTFILE="$setup" "$PWD/packaging/windows/je08.nsi"
echo "  $(basename "$setup"): $(stat -c %s "$setup") bytes"
c="$WINEPREFIX/drive_c"
user_dir="$c/users/${USER:-$(id -un)}"
[ -d "$user_dir" ] || user_dir=$(find "$c/users" -mindepth 1 -maxdepth 1 -type d ! -name Public | head -n1)
reg_has() { wine reg query "$1" ${2:+/v "$2"} >/dev/null 2>&1; }
wait_gone() { for _ in $(seq 60); do [ ! -e "$1" ] && return 0; sleep 0.5; done; return 1; }

smoke_install() { # MODE DIR STARTMENU HIVE [extra switches]
  local mode=$1 dir=$2 menu=$3 hive=$4; shift 4
  say "5.$mode: setup /S /$mode $*"
  timeout 300 wine "$setup" /S "/$mode" "$@"
  wineserver -w
  for f in je08.exe je08w.exe je08.ico uninstall.exe THIRD-PARTY-NOTICES.txt LICENSE-MIT.txt LICENSE-APACHE.txt \
    man/je08.1 man/je08-flash.1 completions/_je08.ps1; do
    [ -f "$dir/$f" ] || die "$mode: $dir/$f missing"
  done
  for l in "JE08 Configurator.lnk" "JE08 command prompt.lnk" "Uninstall JE08 Configurator.lnk"; do
    [ -f "$menu/JE08 Configurator/$l" ] || die "$mode: shortcut $l missing"
  done
  reg_has "$hive\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\je08" DisplayName || die "$mode: not in Apps & features"
  echo "  files, 3 shortcuts and the Apps & features entry are there ($(find "$dir" -type f | wc -l) files)"
  local installed
  installed=$(timeout 120 wine "$dir/je08.exe" --version 2>/dev/null | tr -d '\r')
  echo "  installed je08.exe --version: $installed"
  [[ $installed == "je08 $version "* ]] || die "$mode: the installed je08.exe does not run"
}
smoke_uninstall() { # MODE DIR STARTMENU HIVE
  local mode=$1 dir=$2 menu=$3 hive=$4
  say "5.$mode: uninstall /S"
  timeout 300 wine "$dir/uninstall.exe" "/$mode" /S
  wineserver -w
  wait_gone "$dir/uninstall.exe" || die "$mode: the uninstaller left $dir/uninstall.exe"
  [ ! -e "$dir" ] || { find "$dir"; die "$mode: $dir is still there"; }
  [ ! -e "$menu/JE08 Configurator" ] || die "$mode: the Start-menu folder is still there"
  ! reg_has "$hive\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\je08" || die "$mode: the Apps & features entry is still there"
  ! reg_has "$hive\\Software\\je08" || die "$mode: HKxx\\Software\\je08 is still there"
  echo "  nothing left: folder, shortcuts and registry keys gone"
}

smoke_install CurrentUser "$user_dir/AppData/Local/Programs/JE08 Configurator" \
  "$user_dir/AppData/Roaming/Microsoft/Windows/Start Menu/Programs" HKCU
smoke_uninstall CurrentUser "$user_dir/AppData/Local/Programs/JE08 Configurator" \
  "$user_dir/AppData/Roaming/Microsoft/Windows/Start Menu/Programs" HKCU

machine_path() { wine reg query 'HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Environment' /v Path 2>/dev/null | tr -d '\r' | sed -n 's/.*REG_EXPAND_SZ\s*//p;s/.*REG_SZ\s*//p'; }
before=$(machine_path)
all_dir="$c/Program Files/JE08 Configurator"
all_menu="$c/ProgramData/Microsoft/Windows/Start Menu/Programs"
smoke_install AllUsers "$all_dir" "$all_menu" HKLM /ADDTOPATH
after=$(machine_path)
[[ $after == *'JE08 Configurator'* ]] || die "AllUsers /ADDTOPATH: the machine PATH lacks the install folder: $after"
echo "  machine PATH now ends with: ${after##*;}"
# Wine has no firewall: its netsh accepts the commands and does nothing, so
# this shows only that the installer ran them; the release workflow checks
# the rules themselves on Windows (netsh advfirewall firewall show rule).
if reg_has 'HKLM\Software\je08' FirewallRules; then
  echo "  firewall: the installer ran netsh advfirewall (Wine's netsh is a no-op; rules checked on Windows by the release workflow)"
else
  echo "  firewall: netsh advfirewall failed under Wine; the installer logged it and went on"
fi
smoke_uninstall AllUsers "$all_dir" "$all_menu" HKLM
[ "$(machine_path)" = "$before" ] || die "the machine PATH was not restored: $(machine_path)"
echo "  machine PATH restored"

say "OK: je08.exe ran under $(wine --version): --version, read <-> sim both ways, window ($colours colours), installer per-user and all-users installed and removed"
