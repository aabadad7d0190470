#!/usr/bin/env bash
# `npm test`: installs/builds the real services (cached), then type check, lint, and the whole mocha suite
# (unit + integration + e2e) with coverage, as concurrent shards (scripts/test/shards.ts), each with its own
# stack of services; c8 covers every shard in one report. Each phase and each shard prints its duration.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

phase() {
  local name=$1; shift
  local t0=$SECONDS
  echo "==> $name"
  "$@"
  echo "<== $name: $((SECONDS - t0)) s"
}

phase "services (install/build, cached)" bash scripts/testenv/install.sh
phase "type check" tsc --noEmit -p tsconfig.json
phase "lint" eslint --max-warnings 0 .
phase "hadolint (every Containerfile)" bash scripts/images/lint.sh
phase "mocha (unit + integration + e2e, coverage, in shards)" c8 tsx scripts/test/run-shards.cli.ts
