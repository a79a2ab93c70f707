# Sourced by the real-window scripts: a private home and runtime folder in
# "$work" (created here), software OpenGL over X11, and an Xvfb display on
# the first free number at or after $1 (default 90), waited for. Stops
# Xvfb and the app ("$app_pid", when set) and removes "$work" on exit.
# Needs: xvfb, libgl1-mesa-dri, libegl1, libxkbcommon-x11-0, imagemagick.
work="$(mktemp -d)"
export XDG_RUNTIME_DIR="$work/run" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" HOME="$work/home"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"
export LIBGL_ALWAYS_SOFTWARE=1 WINIT_UNIX_BACKEND=x11
unset WAYLAND_DISPLAY
first="${1:-90}"
for n in $(seq "$first" $((first + 40))); do [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { disp=":$n"; break; }; done
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
deadline=$((SECONDS + 30))
until xdpyinfo >/dev/null 2>&1 || import -window root "$work/probe.png" 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || { echo "Xvfb did not start"; cat "$work/xvfb.log"; exit 1; }
  sleep 0.2
done
