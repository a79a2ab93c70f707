#!/usr/bin/env bash
# Fuzz every parser that takes network or file input (the targets in
# fuzz/fuzz_targets/, see fuzz/README.md), one target after the other, each
# for a bounded time.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60; without TARGETs every target runs.
# Installs the nightly toolchain and cargo-fuzz when they are missing (the
# normal build needs neither). Each target starts from its committed seeds
# (fuzz/corpus/<target>/) plus what earlier runs found (fuzz/work/, not
# committed). Prints the executions of each target; exits non-zero when a
# target crashed (the input is saved under fuzz/artifacts/<target>/ and
# `cargo +nightly fuzz run <target> <file>` replays it).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
fi

# Installed once; an existing nightly is kept as it is (no update that
# would rebuild everything).
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

# The targets are safe Rust: no sanitizer (faster builds and runs); debug
# assertions on, so overflows are crashes.
fuzz_flags=(--sanitizer none --debug-assertions)

if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

# The store target writes a file per run: use memory-backed storage when
# there is one.
if [[ -z ${TMPDIR:-} && -d /dev/shm && -w /dev/shm ]]; then
  export TMPDIR=/dev/shm
fi

cargo +nightly fuzz build "${fuzz_flags[@]}"

log_dir=fuzz/work/logs
mkdir -p "$log_dir"
status=0
summary=()
for target in "${targets[@]}"; do
  corpus=fuzz/work/corpus/$target
  mkdir -p "$corpus" "fuzz/corpus/$target"
  log=$log_dir/$target.log
  echo "== $target: ${seconds}s"
  if cargo +nightly fuzz run "${fuzz_flags[@]}" "$target" "$corpus" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 -timeout=30 -rss_limit_mb=2048 >"$log" 2>&1; then
    verdict=ok
  else
    verdict=CRASH
    status=1
    tail -n 40 "$log" >&2
  fi
  execs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log" | tail -n 1)
  summary+=("$(printf '%-16s %12s executions  %s' "$target" "${execs:-?}" "$verdict")")
done

echo
echo "target                  executions"
printf '%s\n' "${summary[@]}"
exit $status
