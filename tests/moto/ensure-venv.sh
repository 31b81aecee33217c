#!/usr/bin/env bash
# Creates (once) a Python venv holding moto's server, pinned, outside the
# repository; prints the venv path on stdout. Safe to run from parallel tests.
set -euo pipefail
MOTO_VERSION=5.2.5
cache=${SITEPACK_CACHE:-/var/cache/sitepack}
venv=$cache/moto-venv-$MOTO_VERSION
mkdir -p "$cache"
exec 9>"$venv.lock"
flock 9
# A venv records its own path, so it is built in place; the marker, written
# last, says an earlier run was not interrupted half way.
if [[ ! -f $venv/.complete ]]; then
    echo "ensure-venv: installing moto[server]==$MOTO_VERSION into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
    touch "$venv/.complete"
fi
echo "$venv"
