#!/usr/bin/env bash
# Both renderers draw a real window, and no renderer gives a plain message:
#   1. je08 demo --renderer glow  under Xvfb (Mesa llvmpipe): a window, not blank
#   2. je08 demo --renderer wgpu  under Xvfb (Mesa lavapipe Vulkan, or GLES):
#      a window, not blank
#   3. je08 gui with no usable renderer (Xvfb without GLX, no EGL vendor, no
#      Vulkan driver): exits with a failure status and says why, naming both
#      renderers, instead of exiting silently
# Each window's log must say which renderer opened it. Run by .ci/run.
#
# Needs: xvfb, libgl1-mesa-dri, libegl1, mesa-vulkan-drivers,
# libxkbcommon-x11-0, imagemagick.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${JE08_BIN:-${CARGO_TARGET_DIR:-target}/debug/je08}"
[ -x "$bin" ] || cargo build --quiet
export JE08_BIN="$bin"
work=$(mktemp -d)
xvfb_pid=
cleanup() { [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
die() { printf 'renderer_smoke: FAILED: %s\n' "$*" >&2; exit 1; }

for renderer in glow wgpu; do
  echo "== je08 demo --renderer $renderer"
  JE08_LOG=info JE08_SMOKE_LOG="$work/$renderer.log" JE08_SMOKE_SETTLE=2 \
    scripts/gui_smoke.sh "$work/$renderer.png" demo --renderer "$renderer"
  # The log may be coloured: strip the escape sequences first.
  sed 's/\x1b\[[0-9;]*m//g' "$work/$renderer.log" | grep -q "the window opened .*renderer=$renderer " ||
    { cat "$work/$renderer.log"; die "the log does not say that $renderer opened the window"; }
done

echo "== je08 gui with no usable renderer"
for n in $(seq 131 170); do [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { disp=":$n"; break; }; done
Xvfb "$disp" -screen 0 1024x768x24 -nolisten tcp -extension GLX >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 100); do DISPLAY=$disp xdpyinfo >/dev/null 2>&1 && break; sleep 0.2; done
mkdir -p "$work/run" "$work/home" && chmod 700 "$work/run"
status=0
# No GLX on the server, no EGL vendor library, no Vulkan driver: nothing can draw.
env -u WAYLAND_DISPLAY DISPLAY="$disp" WINIT_UNIX_BACKEND=x11 XDG_RUNTIME_DIR="$work/run" HOME="$work/home" \
  __EGL_VENDOR_LIBRARY_FILENAMES=/dev/null VK_ICD_FILENAMES=/dev/null VK_DRIVER_FILES=/dev/null \
  timeout 60 "$bin" gui --no-mdns >"$work/none.out" 2>"$work/none.err" || status=$?
cat "$work/none.err"
[ "$status" -ne 0 ] || die "je08 gui exited 0 with no renderer"
[ "$status" -ne 124 ] || die "je08 gui hung with no renderer"
grep -q "no graphics renderer works on this computer" "$work/none.err" || die "no explanatory message"
for r in glow wgpu; do grep -q "$r: " "$work/none.err" || die "the message does not name $r"; done
echo "renderer smoke: glow and wgpu drew the window; with none, the message above (exit $status)"
