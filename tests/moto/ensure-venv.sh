#!/usr/bin/env bash
# Creates (once) a Python venv holding moto's server, pinned, outside the
# repository; prints the venv path on stdout. Safe to run from parallel tests.
set -euo pipefail
MOTO_VERSION=5.2.5
cache=${SITEPACK_CACHE:-/var/cache/sitepack}
venv=$cache/moto-venv-$MOTO_VERSION
# shellcheck source=../venv.sh
source "$(dirname "$0")/../venv.sh"
ensure_venv "$venv" "moto[server]==$MOTO_VERSION"
echo "$venv"
