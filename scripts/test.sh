#!/usr/bin/env bash
# `npm test`: installs/builds the real services (cached), then type check, lint and hadolint (at once: each is
# one process, and there are cores to spare), then the whole mocha suite (unit + integration + e2e) with
# coverage, as concurrent shards (scripts/test/shards.ts), each with its own stack of services; c8 covers every
# shard in one report. Each phase and each shard prints its duration.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

phase() {
  local name=$1; shift
  local t0=$SECONDS
  echo "==> $name"
  "$@"
  echo "<== $name: $((SECONDS - t0)) s"
}

# concurrent "NAME" CMD... ["NAME" CMD...]: separated by `--`; runs the phases at once, each one's output
# buffered and printed whole, in the order given, with its duration; fails if any fails.
concurrent() {
  local dir; dir=$(mktemp -d)
  local names=() pids=() n=0
  while (($#)); do
    local name=$1; shift
    local cmd=()
    while (($#)) && [ "$1" != -- ]; do cmd+=("$1"); shift; done
    (($#)) && shift
    (
      t0=$SECONDS
      if "${cmd[@]}"; then rc=0; else rc=$?; fi
      echo "<== $name: $((SECONDS - t0)) s$( ((rc)) && echo ", FAILED (exit $rc)")"
      exit "$rc"
    ) >"$dir/$n.log" 2>&1 &
    names+=("$name"); pids+=($!); n=$((n + 1))
  done
  local failed=0 i
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed=1
    echo "==> ${names[$i]}"
    cat "$dir/$i.log"
  done
  rm -rf "$dir"
  return "$failed"
}

phase "services (install/build, cached)" bash scripts/testenv/install.sh
concurrent \
  "type check" tsc --noEmit -p tsconfig.json -- \
  "lint" eslint --max-warnings 0 . -- \
  "hadolint (every Containerfile)" bash scripts/images/lint.sh
phase "mocha (unit + integration + e2e, coverage, in shards)" c8 tsx scripts/test/run-shards.cli.ts
