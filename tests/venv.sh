# Sourced by the tests' ensure scripts: one way to make a pinned Python venv.
#
# ensure_venv DIR PACKAGE==VERSION...
#   Creates DIR (once) as a venv holding the packages, under a lock so that
#   parallel tests can call it. A venv records its own path, so it is built
#   in place; the .complete marker, written last, says an earlier run was
#   not interrupted half way.
ensure_venv() {
    local venv=$1
    shift
    mkdir -p "$(dirname "$venv")"
    exec 9>"$venv.lock"
    flock 9
    if [[ ! -f $venv/.complete ]]; then
        echo "ensure_venv: installing $* into $venv" >&2
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
        touch "$venv/.complete"
    fi
    exec 9>&-
}
