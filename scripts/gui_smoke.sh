#!/usr/bin/env bash
# Real-window smoke test: start `je08 demo` (or `je08` with ARGS) under Xvfb
# with software OpenGL, wait for its window, take a screenshot, check that it
# is not blank, and save it.
#
#   scripts/gui_smoke.sh [OUTPUT.png] [je08 args...]     (default: demo)
#
# JE08_SMOKE_LOG=FILE keeps the program's output (e.g. to see which
# renderer drew the window, with JE08_LOG=info).
#
# Needs: xvfb, libgl1-mesa-dri, libegl1, libxkbcommon-x11-0, imagemagick.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-assets/screenshots/demo-live.png}"
shift || true
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(demo)
bin="${JE08_BIN:-${CARGO_TARGET_DIR:-target}/debug/je08}"
[ -x "$bin" ] || cargo build --quiet
# shellcheck source=scripts/xvfb_session.sh
source scripts/xvfb_session.sh 90
# The run's log file goes here, and must say which renderer opened.
export JE08_LOG_DIR="$work/logs"
"$bin" "${args[@]}" >"$work/app.log" 2>&1 &
app_pid=$!
# Wait until the screen shows a rich picture (the window drew its UI).
deadline=$((SECONDS + ${JE08_SMOKE_TIMEOUT:-90}))
colours=0
while [ $SECONDS -lt $deadline ]; do
  kill -0 "$app_pid" 2>/dev/null || { echo "je08 exited early:"; cat "$work/app.log"; exit 1; }
  import -window root "$work/shot.png" 2>/dev/null || true
  colours=$(identify -format '%k' "$work/shot.png" 2>/dev/null || echo 0)
  [ "$colours" -ge "${JE08_SMOKE_MIN_COLOURS:-200}" ] && break
  sleep 1
done
# Let live data arrive and plots fill for a few seconds, then take the final picture.
sleep "${JE08_SMOKE_SETTLE:-6}"
import -window root "$work/shot.png"
colours=$(identify -format '%k' "$work/shot.png")
echo "screenshot: $colours distinct colours"
if [ "$colours" -lt "${JE08_SMOKE_MIN_COLOURS:-200}" ]; then
  echo "the screenshot looks blank"; cat "$work/app.log"; exit 1
fi
mkdir -p "$(dirname "$out")"
cp "$work/shot.png" "$out"
echo "saved $out"
grep -ho "first frame drawn.*" "$work/app.log" || true
grep -h "the window opened" "$work"/logs/je08-*.log || {
  echo "no log file in $JE08_LOG_DIR says the window opened"; ls -la "$JE08_LOG_DIR" || true; exit 1
}
if [ -n "${JE08_SMOKE_LOG:-}" ]; then cp "$work/app.log" "$JE08_SMOKE_LOG"; fi
