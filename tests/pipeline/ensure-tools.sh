#!/usr/bin/env bash
# Creates (once) a Python venv holding the pipeline tests' tools, pinned,
# outside the repository; prints the venv path on stdout. Safe to run from
# parallel tests. cfn-lint and checkov lint pipeline/*.yaml offline; the AWS
# CLI runs pipeline/deploy.sh against moto as an operator runs it.
set -euo pipefail
CFN_LINT_VERSION=1.58.0
CHECKOV_VERSION=3.3.30
AWSCLI_VERSION=1.46.3
cache=${SITEPACK_CACHE:-/var/cache/sitepack}
venv=$cache/pipeline-tools-venv-$CFN_LINT_VERSION-$CHECKOV_VERSION-$AWSCLI_VERSION
mkdir -p "$cache"
exec 9>"$venv.lock"
flock 9
# A venv records its own path, so it is built in place; the marker, written
# last, says an earlier run was not interrupted half way.
if [[ ! -f $venv/.complete ]]; then
    echo "ensure-tools: installing cfn-lint==$CFN_LINT_VERSION checkov==$CHECKOV_VERSION awscli==$AWSCLI_VERSION into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "cfn-lint==$CFN_LINT_VERSION" "checkov==$CHECKOV_VERSION" "awscli==$AWSCLI_VERSION" >&2
    touch "$venv/.complete"
fi
echo "$venv"
