#!/usr/bin/env bash
# Builds the Pulumi CLI (and, with `kubernetes`, the Kubernetes provider) from the Go module proxy into
# ${XDG_CACHE_HOME:-~/.cache}/transcode-cp/, keyed by version, and prints the wall time and the disk used.
# Usage: bash infra/local/build-pulumi.sh [cli|kubernetes]...   (default: cli kubernetes)
# Each build has its own GOMODCACHE/GOCACHE under build/<name>-<version>/ so that its disk use can be measured
# (and deleted) on its own. Runs at nice 19: the machine is shared.
set -euo pipefail

PULUMI_VERSION=v3.274.1
# The newest pulumi-kubernetes provider module the proxy serves (a pseudo-version; no tagged v4 is served).
PULUMI_K8S_VERSION=v4.0.0-20260115033456-f47bc2d6f199

cache="${XDG_CACHE_HOME:-$HOME/.cache}/transcode-cp"
mkdir -p "$cache/bin" "$cache/build" "$cache/logs"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0 GOPROXY="${GOPROXY:-https://proxy.golang.org}"

# build NAME VERSION MODULE PACKAGE OUT [EXTRA go.mod LINES]
build() {
  local name=$1 version=$2 module=$3 pkg=$4 out=$5 extra=${6:-}
  if [ -x "$out" ]; then echo "[$name] $out exists (warm: nothing to build)"; return 0; fi
  local dir="$cache/build/$name-$version" log="$cache/logs/build-$name-$version.log"
  mkdir -p "$dir/src"
  export GOMODCACHE="$dir/gomod" GOCACHE="$dir/gocache"
  printf 'module local/%sbuild\n\ngo 1.26\n\nrequire %s %s\n%s\n' "$name" "$module" "$version" "$extra" >"$dir/src/go.mod"
  printf 'package tools\n\nimport _ "%s"\n' "$pkg" >"$dir/src/tools.go"
  local start=$SECONDS
  echo "[$name] building $pkg@$version (log: $log)"
  (cd "$dir/src" && nice -n 19 go mod tidy && nice -n 19 go build -trimpath -ldflags="-s -w $7" -o "$out.tmp" "$pkg") >"$log" 2>&1 || {
    echo "[$name] FAILED after $((SECONDS - start)) s; last lines of $log:"; tail -n 20 "$log"; return 1; }
  mv "$out.tmp" "$out"
  echo "[$name] built in $((SECONDS - start)) s; disk: $(du -sh "$dir" | cut -f1) (module + build cache), binary $(du -h "$out" | cut -f1)"
}

# The provider's main package embeds schema-embed.json, which its Makefile generates from the committed schema.json
# (go:generate) and which is therefore not in the module zip: copy the main package into our module and run the
# same generator there, then build it as our own main package.
build_kubernetes() {
  local name=pulumi-resource-kubernetes version=$PULUMI_K8S_VERSION module=github.com/pulumi/pulumi-kubernetes/provider/v4
  local out="$cache/bin/$name-$version"
  if [ -x "$out" ]; then echo "[$name] $out exists (warm: nothing to build)"; return 0; fi
  local dir="$cache/build/$name-$version" log="$cache/logs/build-$name-$version.log"
  export GOMODCACHE="$dir/gomod" GOCACHE="$dir/gocache"
  rm -rf "$dir/src" && mkdir -p "$dir/src"
  local start=$SECONDS
  echo "[$name] building $module@$version (log: $log)"
  (
    set -e
    cd "$dir/src"
    printf 'module local/%sbuild\n\ngo 1.26\n\nrequire %s %s\n' "$name" "$module" "$version" >go.mod
    nice -n 19 go mod download "$module@$version"
    local src; src="$(go env GOMODCACHE)/$module@$version/cmd/$name"
    cp "$src/main.go" "$src/schema.json" "$src/terraform-mapping.json" .
    mkdir gen && cp "$src/generate.go" gen/ && sed -i 's|"./|"../|' gen/generate.go
    chmod -R u+w .
    nice -n 19 go mod tidy
    (cd gen && VERSION="${version#v}" nice -n 19 go run generate.go)
    nice -n 19 go build -trimpath -ldflags="-s -w -X $module/pkg/version.Version=${version#v}" -o "$out.tmp" .
  ) >"$log" 2>&1 || { echo "[$name] FAILED after $((SECONDS - start)) s; last lines of $log:"; tail -n 20 "$log"; return 1; }
  mv "$out.tmp" "$out"
  echo "[$name] built in $((SECONDS - start)) s; disk: $(du -sh "$dir" | cut -f1) (module + build cache), binary $(du -h "$out" | cut -f1)"
}

targets=("$@"); ((${#targets[@]})) || targets=(cli kubernetes)
for t in "${targets[@]}"; do
  case $t in
    cli)
      # pkg/v3's own go.mod replaces atotto/clipboard; a replace only applies in the main module, so repeat it.
      build pulumi "$PULUMI_VERSION" github.com/pulumi/pulumi/pkg/v3 github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
        "$cache/bin/pulumi-$PULUMI_VERSION" \
        "replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e" \
        "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" ;;
    kubernetes) build_kubernetes ;;
    *) echo "unknown target $t (cli|kubernetes)"; exit 2 ;;
  esac
done
