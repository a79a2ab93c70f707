#!/usr/bin/env bash
# CPU used by the window of `je08 demo` (three simulated meters, live
# readings) under Xvfb with software OpenGL (llvmpipe), as a share of one
# core over a measured window after a warm-up. The simulators run in the
# same process and are included.
#
#   scripts/bench_window_cpu.sh [SECONDS] [je08 binary]     (default: 60, target/debug/je08)
#
# Needs: xvfb, libgl1-mesa-dri, libegl1, libxkbcommon-x11-0.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
bin="${2:-${CARGO_TARGET_DIR:-target}/debug/je08}"
[ -x "$bin" ] || cargo build --quiet
work="$(mktemp -d)"
export XDG_RUNTIME_DIR="$work/run" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" HOME="$work/home"
mkdir -p "$XDG_RUNTIME_DIR" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"
export LIBGL_ALWAYS_SOFTWARE=1 WINIT_UNIX_BACKEND=x11
unset WAYLAND_DISPLAY
for n in $(seq 140 180); do [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { disp=":$n"; break; }; done
Xvfb "$disp" -screen 0 1440x900x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export DISPLAY="$disp"
sleep 1
"$bin" demo >"$work/app.log" 2>&1 &
app_pid=$!
sleep 15  # warm-up: window open, meters online, plots filling
ticks() { awk '{print $14 + $15}' "/proc/$app_pid/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks); start=$(date +%s.%N)
sleep "$secs"
after=$(ticks); end=$(date +%s.%N)
awk -v a="$before" -v b="$after" -v hz="$hz" -v s="$start" -v e="$end" \
  'BEGIN { printf "je08 demo window: %.1f %% of one core over %.0f s\n", (b - a) / hz / (e - s) * 100, e - s }'
