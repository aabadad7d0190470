# Pinned versions of the real services the tests start, and the cache they are built into.
# Changing a version builds a new binary beside the old one (cache keys are the versions).
export KUBE_VERSION=v1.36.3            # k8s.io/kubernetes: kube-apiserver + kubectl
export ETCD_VERSION=v3.6.16            # go.etcd.io/etcd/server/v3
export FERRETDB_VERSION=v1.24.2        # github.com/FerretDB/FerretDB, SQLite backend
export MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c   # github.com/minio/minio (source releases only)
export HELM_VERSION=v3.22.0            # helm.sh/helm/v3
export MOTO_VERSION=5.2.5              # PyPI moto[server], the ECS API emulator

export TESTENV_CACHE="${TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/transcode-cp}"
export TESTENV_BIN="$TESTENV_CACHE/bin"
