#!/usr/bin/env bash
# CPU used by the window of `je08 demo` (three simulated meters, live
# readings) under Xvfb with software OpenGL (llvmpipe), as a share of one
# core over a measured window after a warm-up. The simulators run in the
# same process and are included.
#
#   scripts/bench_window_cpu.sh [SECONDS] [je08 binary]     (default: 60, target/debug/je08)
#
# Needs: what scripts/xvfb_session.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
bin="${2:-${CARGO_TARGET_DIR:-target}/debug/je08}"
[ -x "$bin" ] || cargo build --quiet
# shellcheck source=scripts/xvfb_session.sh
source scripts/xvfb_session.sh 140
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
