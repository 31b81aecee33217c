#!/usr/bin/env bash
# One step of the benchmark, as hyperfine runs it: `bash bench/steps.sh STEP`.
# Every setting comes from the environment that bench/run.sh exports (BENCH_*);
# this file is not meant to be run by hand. A step's stderr (and the tools'
# output) goes to $BENCH_RUN/logs/STEP.log, since hyperfine discards it.
#
# Steps whose name starts with "prep-" are hyperfine --prepare commands and
# "prime-" ones run once before a scenario (neither is timed). sp-cold,
# sp-unchanged and sp-edit here are the runs under /usr/bin/time -v (peak
# RSS); the timed runs are the same commands, built by run.sh's sp_cmd and
# run without this wrapper.
set -euo pipefail

step=${1:?usage: steps.sh STEP}
mkdir -p "$BENCH_RUN/logs" "$BENCH_RUN/out"
exec 2>>"$BENCH_RUN/logs/$step.log" >&2

counter=$BENCH_RUN/counter
n() { cat "$counter"; }
# A new run number: every timed run pushes to a repository no run used before.
next() { echo $(($(cat "$counter" 2>/dev/null || echo 0) + 1)) >"$counter.tmp" && mv "$counter.tmp" "$counter"; }

# Removes the repositories earlier runs of a scenario pushed (their links, not
# the blob data), so that a tool that remembers where it pushed a blob
# (containers/image's blob info cache: buildah, skopeo) cannot mount the
# previous run's layers into the new repository. The base stays mountable from
# base/httpd for every tool. The registry keeps no cache of its own
# (no storage.cache in its config), so it sees the removal at once.
forget() {
    rm -rf "$BENCH_STORAGE/docker/registry/v2/repositories/bench/$1-$BENCH_SIZE-"*
}

sitepack() { # IMAGE-REPO SITE-DIR JSON-NAME
    (cd "$BENCH_RUN/tmp" && SOURCE_DATE_EPOCH=1700000000 "$BENCH_SITEPACK" build \
        --base "$BENCH_BASE_REF" \
        --image "$BENCH_REG/bench/$1:1" \
        --site "$2" \
        --htpasswd "$BENCH_HTPASSWD" \
        --httpd-conf "$BENCH_CONF" \
        --json >"$BENCH_RUN/out/$3.json")
}

buildah_() {
    buildah --root "$BENCH_BUILDAH_ROOT/root" --runroot "$BENCH_BUILDAH_ROOT/runroot" \
        --storage-driver overlay "$@"
}

case $step in
# a. sitepack, cold: a new repository each run; only the base is there to mount.
prep-sp-cold)
    forget sp-cold
    next
    ;;
sp-cold)
    sitepack "sp-cold-$BENCH_SIZE-$(n)" "$BENCH_SITE" "sp-cold-$BENCH_SIZE-$(n)"
    ;;

# b. sitepack, unchanged: the same inputs again, into the repository that has
# them, from a fresh copy of the site (new inode numbers and mtimes).
prime-sp-unchanged)
    sitepack "sp-same-$BENCH_SIZE" "$BENCH_SITE" "sp-unchanged-$BENCH_SIZE-prime"
    ;;
prep-sp-unchanged)
    next
    rm -rf "$BENCH_RUN/copies/unchanged"
    mkdir -p "$BENCH_RUN/copies/unchanged"
    # cp -R, not cp -a: the copy gets new mtimes, as a fresh checkout does.
    cp -R "$BENCH_SITE" "$BENCH_RUN/copies/unchanged/site"
    ;;
sp-unchanged)
    sitepack "sp-same-$BENCH_SIZE" "$BENCH_RUN/copies/unchanged/site" "sp-unchanged-$BENCH_SIZE-$(n)"
    ;;

# c. sitepack, one page edited (same size, new words) since the last build
# into the same repository.
prime-sp-edit)
    rm -rf "$BENCH_RUN/copies/edit"
    mkdir -p "$BENCH_RUN/copies/edit"
    cp -R "$BENCH_SITE" "$BENCH_RUN/copies/edit/site"
    sitepack "sp-edit-$BENCH_SIZE" "$BENCH_RUN/copies/edit/site" "sp-edit-$BENCH_SIZE-prime"
    ;;
prep-sp-edit)
    next
    python3 "$BENCH_HOME/gen_site.py" --edit "$BENCH_RUN/copies/edit/site" "$(n)" >/dev/null
    ;;
sp-edit)
    sitepack "sp-edit-$BENCH_SIZE" "$BENCH_RUN/copies/edit/site" "sp-edit-$BENCH_SIZE-$(n)"
    ;;

# d. buildah: bud from the Containerfile (base already in buildah's storage),
# then push to a new repository.
prep-buildah)
    forget b
    # Drop the previous run's image (keeps the storage small; not timed).
    for img in $(buildah_ images --format '{{.Name}}' | grep '^localhost/bench-b-' | sort -u || true); do
        buildah_ rmi -f "$img" >/dev/null || true
    done
    next
    ;;
buildah)
    buildah_ bud --layers=false --isolation chroot \
        -t "localhost/bench-b-$BENCH_SIZE-$(n)" \
        -f "$BENCH_CTX/Containerfile" "$BENCH_CTX"
    buildah_ push --tls-verify=false "localhost/bench-b-$BENCH_SIZE-$(n)" \
        "docker://$BENCH_REG/bench/b-$BENCH_SIZE-$(n):1"
    ;;

# e. umoci + skopeo: a fresh copy of the base OCI layout, one umoci insert per
# COPY, umoci config for the entrypoint and port, skopeo copy to a new repository.
prep-umoci)
    forget u
    next
    rm -rf "$BENCH_RUN/umoci"
    mkdir -p "$BENCH_RUN/umoci"
    cp -a "$BENCH_BASE_OCI" "$BENCH_RUN/umoci/layout"
    ;;
umoci)
    L=$BENCH_RUN/umoci/layout:latest
    umoci insert --image "$L" "$BENCH_CONF" /etc/httpd/conf/httpd.conf
    umoci insert --image "$L" "$BENCH_HTPASSWD" /opt/.htpasswd
    umoci insert --image "$L" "$BENCH_SITE" /var/www/html
    umoci config --image "$L" --clear=config.cmd \
        --config.entrypoint /usr/sbin/httpd --config.entrypoint -e --config.entrypoint DEBUG \
        --config.entrypoint -D --config.entrypoint FOREGROUND \
        --config.exposedports 80/tcp
    skopeo copy --dest-tls-verify=false "oci:$L" "docker://$BENCH_REG/bench/u-$BENCH_SIZE-$(n):1"
    ;;

# f. the cold push floor: curl sends sitepack's blobs and manifest into a new
# repository (bench/curl_push.sh, run by run.sh without this wrapper).
prep-floor-cold)
    forget floor-cold
    next
    ;;

*)
    echo "steps.sh: unknown step $step" >&2
    exit 2
    ;;
esac
