#!/usr/bin/env bash
# The crate graph points one way (see ARCHITECTURE.md): fail if a library
# crate gained a dependency its tier forbids.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every crate `$1` depends on in normal builds, one name per line.
deps_of() {
  cargo tree --locked -p "$1" -e normal --prefix none | awk '{print $1}' | sort -u
}

# Fails naming each crate of `$2…` that `$1` pulls in.
forbid() {
  local package=$1 found=0
  shift
  local deps
  deps=$(deps_of "$package")
  for banned in "$@"; do
    if grep -qx "$banned" <<<"$deps"; then
      echo "layer violation: $package depends on $banned" >&2
      found=1
    fi
  done
  return $found
}

status=0
forbid je08-protocol tokio egui eframe reqwest axum hyper rumqttc rumqttd je08-net je08-client je08-sim je08 || status=1
forbid je08-net egui eframe axum rumqttd je08-client je08-sim je08 || status=1
forbid je08-client egui eframe axum rumqttd je08-sim je08 || status=1
forbid je08-sim egui eframe reqwest je08-client je08 || status=1
[ $status -eq 0 ] && echo "crate layers: ok"
exit $status
