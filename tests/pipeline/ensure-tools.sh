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
# shellcheck source=../venv.sh
source "$(dirname "$0")/../venv.sh"
ensure_venv "$venv" "cfn-lint==$CFN_LINT_VERSION" "checkov==$CHECKOV_VERSION" "awscli==$AWSCLI_VERSION"
echo "$venv"
