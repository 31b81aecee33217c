#!/usr/bin/env bash
# sitepack benchmark: sitepack against what a user would pick instead
# (buildah, umoci + skopeo) and against the floors (hash, compress, upload),
# on this machine, with a local registry. See bench/README.md.
#
#   bash bench/run.sh [--sizes small,medium,large] [--runs N] [--no-build]
#
# Prints a markdown table on stdout and writes bench/results/latest.md;
# progress goes to stderr. Needs root on Debian 12 (as scripts/demo.sh).
#
# Environment:
#   BENCH_DIR   work dir (default /var/tmp/sitepack-bench): cached sites by size,
#               and this run's registry, copies and raw results (run/)
#   SITEPACK    the binary to measure (default target/release/sitepack)
set -euo pipefail

usage() {
    sed -n '2,14s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
    cat <<'EOF'

Options:
  --sizes LIST   comma-separated: small, medium, large (default: all three)
  --runs N       timed runs per scenario (default 5)
  --no-build     do not run `cargo build --release --locked` (use the binary as it is)
EOF
}

sizes=small,medium,large
runs=5
build=1
while (($#)); do
    case $1 in
    --sizes) sizes=${2:?--sizes needs a value}; shift 2 ;;
    --sizes=*) sizes=${1#*=}; shift ;;
    --runs) runs=${2:?--runs needs a value}; shift 2 ;;
    --runs=*) runs=${1#*=}; shift ;;
    --no-build) build=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs must be a positive integer" >&2; exit 2; }
IFS=, read -r -a size_list <<<"$sizes"
for s in "${size_list[@]}"; do
    [[ $s == small || $s == medium || $s == large ]] || { echo "run.sh: unknown size: $s" >&2; exit 2; }
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$root/bench
work=${BENCH_DIR:-/var/tmp/sitepack-bench}
run=$work/run

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'run.sh: error: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "run as root (packages, buildah's storage, as scripts/demo.sh)"
start_all=$SECONDS

# --- setup (idempotent) -------------------------------------------------------
log "host setup"
bash "$root/scripts/setup-host.sh"
missing=()
for p in hyperfine pigz time buildah; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ((build)); then
    log "cargo build --release --locked"
    (cd "$root" && cargo build --release --locked)
fi
sitepack=${SITEPACK:-$root/target/release/sitepack}
[[ -x $sitepack ]] || die "no sitepack binary at $sitepack (build it, or set SITEPACK)"
sitepack=$(readlink -f "$sitepack")

log "offline Apache base (debootstrap, cached)"
base_oci=$(bash "$root/base/test/build-debian-httpd.sh" | tail -n1)/oci
[[ -f $base_oci/index.json ]] || die "no OCI layout at $base_oci"

mkdir -p "$work"
exec 8>"$work/lock"
flock -n 8 || die "another benchmark is running in $work"

# --- this run's state -----------------------------------------------------------
# Unmounts whatever is mounted below a directory, then deletes it without
# crossing into other file systems (buildah's overlay storage mounts itself).
remove_tree() {
    local m
    [[ -n $1 && -e $1 ]] || return 0
    while read -r m; do
        umount -l "$m" 2>/dev/null || true
    done < <(awk -v w="$1/" 'index($2 "/", w) == 1 { print $2 }' /proc/mounts | sort -r)
    rm -rf --one-file-system "$1"
}

buildah_root=$run/buildah
B=(buildah --root "$buildah_root/root" --runroot "$buildah_root/runroot" --storage-driver overlay)
reg_pid=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $reg_pid ]]; then
        kill "$reg_pid" 2>/dev/null || true
        wait "$reg_pid" 2>/dev/null || true
    fi
    # Everything the benchmark put in buildah's storage lives in its own root.
    if [[ -d $buildah_root/root ]]; then
        "${B[@]}" rm --all >/dev/null 2>&1 || true
        "${B[@]}" rmi --all --force >/dev/null 2>&1 || true
        remove_tree "$buildah_root"
    fi
    rm -rf "$run/copies" "$run/umoci" "$run/ctx" "$run/floor" "$run/registry-data"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

remove_tree "$run"
mkdir -p "$run"/{results,out,logs,tmp,copies,ctx,floor}
meta=$run/results/meta.jsonl
: >"$meta"
echo 0 >"$run/counter"

# --- registry -------------------------------------------------------------------
log "local registry"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
reg_port=$(free_port)
storage=$run/registry-data
cat >"$run/registry.yml" <<YML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$reg_port
  secret: sitepack-bench
YML
docker-registry serve "$run/registry.yml" >"$run/logs/registry.log" 2>&1 &
reg_pid=$!
reg=127.0.0.1:$reg_port
for _ in $(seq 200); do curl -fs "http://$reg/v2/" >/dev/null && break; sleep 0.05; done
curl -fs "http://$reg/v2/" >/dev/null || die "docker-registry did not start (see $run/logs/registry.log)"

skopeo copy --quiet --dest-tls-verify=false "oci:$base_oci:latest" "docker://$reg/base/httpd:1"
base_digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$reg/base/httpd:1")
base_ref=$reg/base/httpd:1@$base_digest
echo "base pinned: $base_ref" >&2

log "buildah: base pulled into buildah's storage ($buildah_root)"
base_id=$("${B[@]}" pull --quiet --tls-verify=false "docker://$reg/base/httpd@$base_digest" | tail -n1)
"${B[@]}" tag "$base_id" localhost/bench-base:1

export BENCH_HOME=$bench BENCH_RUN=$run BENCH_SITEPACK=$sitepack BENCH_REG=$reg \
    BENCH_BASE_REF=$base_ref BENCH_BASE_OCI=$base_oci BENCH_STORAGE=$storage \
    BENCH_BUILDAH_ROOT=$buildah_root BENCH_CONF=$root/examples/operator/httpd.conf

steps=$bench/steps.sh
q() { printf '%q' "$1"; }

# The timed commands of sitepack and of the upload floor run in hyperfine's
# own shell (whose start it measures and subtracts), not through steps.sh:
# that wrapper (bash, mkdir, cat) adds about 5 ms, which the hash and pigz
# floors never paid. `read` is a shell builtin, so the run number costs no
# process. The BENCH_* variables are expanded when the command runs.
# sp_cmd STEP SITE-DIR REPOSITORY JSON-NAME (single-quoted $n, $BENCH_* allowed)
sp_cmd() {
    printf '%s' "read n <\"\$BENCH_RUN/counter\" && cd \"\$BENCH_RUN/tmp\" &&"
    printf '%s' " SOURCE_DATE_EPOCH=1700000000 exec \"\$BENCH_SITEPACK\" build --base \"\$BENCH_BASE_REF\""
    printf '%s' " --image \"\$BENCH_REG/bench/$3:1\" --site \"$2\" --htpasswd \"\$BENCH_HTPASSWD\""
    printf '%s' " --httpd-conf \"\$BENCH_CONF\" --json >\"\$BENCH_RUN/out/$4.json\" 2>>\"\$BENCH_RUN/logs/$1.log\""
}
# The floor: one POST (curl prints the Location header itself, no awk), then
# one PUT ?digest= with the whole blob: the same two requests as before.
floor_upload_cmd() {
    printf '%s' 'read n <"$BENCH_RUN/counter" && loc=$(curl -sS -f -o /dev/null -X POST -w "%header{location}"'
    printf '%s' ' "http://$BENCH_REG/v2/bench/floor-$BENCH_SIZE-$n/blobs/uploads/") &&'
    printf '%s' ' case $loc in http*) ;; *) loc=http://$BENCH_REG$loc ;; esac &&'
    printf '%s' ' case $loc in *\?*) sep="&" ;; *) sep="?" ;; esac &&'
    printf '%s' " exec curl -sS -f -o /dev/null -H 'Expect:' -H 'Content-Type: application/octet-stream'"
    printf '%s' ' --upload-file "$BENCH_FLOOR_BLOB" "$loc${sep}digest=$BENCH_FLOOR_DIGEST"'
}
# Bytes of blob data (layers, configs, manifests) in the registry's storage:
# file sizes only, since du -sb would also count directories and link files.
storage_bytes() {
    find "$storage/docker/registry/v2/blobs" -type f -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}
meta_add() { # SIZE SCENARIO KEY VALUE (VALUE is JSON)
    printf '{"size":"%s","scenario":"%s","key":"%s","value":%s}\n' "$1" "$2" "$3" "$4" >>"$meta"
}

# hyperfine NAME PREPARE-COMMAND|"" COMMAND
timed() {
    local size=$1 name=$2 prepare=$3 cmd=$4
    local args=(--runs "$runs" --export-json "$run/results/$size-$name.json" --command-name "$name")
    [[ -n $prepare ]] && args+=(--prepare "$prepare")
    echo "-- $size/$name: $runs runs" >&2
    if ! hyperfine --style basic "${args[@]}" "$cmd" >&2; then
        echo "!! $size/$name failed; see $run/logs/" >&2
        rm -f "$run/results/$size-$name.json"
        meta_add "$size" "$name" failed true
    fi
}

# One extra run (not one of hyperfine's) under /usr/bin/time -v: peak RSS (the
# largest single process) and the growth of the registry's blob storage.
measured() { # SIZE NAME PREP-STEP|"" STEP
    local size=$1 name=$2 prep=$3 step=$4 before after rss
    if [[ -n $prep ]] && ! bash "$steps" "$prep"; then
        echo "!! $size/$name: $prep failed; see $run/logs/$prep.log" >&2
        meta_add "$size" "$name" failed true
        return 0
    fi
    before=$(storage_bytes)
    if ! /usr/bin/time -v -o "$run/results/$size-$name.time" bash "$steps" "$step"; then
        echo "!! $size/$name (measured run) failed; see $run/logs/$step.log" >&2
        meta_add "$size" "$name" failed true
        return 0
    fi
    after=$(storage_bytes)
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$run/results/$size-$name.time")
    meta_add "$size" "$name" rss_kb "${rss:-null}"
    meta_add "$size" "$name" storage_growth "$((after - before))"
}

for size in "${size_list[@]}"; do
    start_size=$SECONDS
    site_root=$work/sites/$size
    stamp="$(sha256sum "$bench/gen_site.py" | cut -d' ' -f1) $size"
    if [[ ! -f $site_root/.stamp || "$(cat "$site_root/.stamp")" != "$stamp" ]]; then
        log "$size: generating the site in $site_root"
        rm -rf "$site_root"
        python3 "$bench/gen_site.py" "$size" "$site_root"
        echo "$stamp" >"$site_root/.stamp"
    fi
    read -r files bytes < <(python3 "$bench/gen_site.py" --stats "$site_root/site")
    meta_add "$size" site files "$files"
    meta_add "$size" site bytes "$bytes"

    # The buildah context: the Containerfile, the conf, and hard links to the site.
    ctx=$run/ctx/$size
    mkdir -p "$ctx/conf"
    cp -al "$site_root/site" "$ctx/site"
    cp -al "$site_root/users" "$ctx/users"
    cp "$BENCH_CONF" "$ctx/conf/httpd.conf"
    cat >"$ctx/Containerfile" <<'EOF'
FROM localhost/bench-base:1
COPY --chown=root:root conf/httpd.conf /etc/httpd/conf/
COPY --chown=root:root users/htpasswd /opt/.htpasswd
COPY --chown=root:root site/ /var/www/html/
EXPOSE 80
ENTRYPOINT ["/usr/sbin/httpd","-e","DEBUG","-D","FOREGROUND"]
EOF

    # The floor's blob: the same tree as sitepack's site layer, tar | gzip -1.
    blob=$run/floor/$size.tar.gz
    tar -C "$site_root/site" -cf - . | gzip -1 >"$blob"
    meta_add "$size" floor-upload blob_bytes "$(stat -c %s "$blob")"

    blob_digest=sha256:$(sha256sum "$blob" | cut -d' ' -f1)
    export BENCH_SIZE=$size BENCH_SITE=$site_root/site BENCH_HTPASSWD=$site_root/users/htpasswd \
        BENCH_CTX=$ctx BENCH_FLOOR_BLOB=$blob BENCH_FLOOR_DIGEST=$blob_digest

    log "$size: $files files, $bytes bytes"
    st=$(q "$steps")

    # a. sitepack, cold
    measured "$size" sp-cold prep-sp-cold sp-cold
    timed "$size" sp-cold "bash $st prep-sp-cold" \
        "$(sp_cmd sp-cold '$BENCH_SITE' 'sp-cold-$BENCH_SIZE-$n' 'sp-cold-$BENCH_SIZE-$n')"

    # b. sitepack, unchanged (fresh copy, same repository)
    bash "$steps" prime-sp-unchanged || echo "!! $size: priming sp-unchanged failed" >&2
    measured "$size" sp-unchanged prep-sp-unchanged sp-unchanged
    timed "$size" sp-unchanged "bash $st prep-sp-unchanged" \
        "$(sp_cmd sp-unchanged '$BENCH_RUN/copies/unchanged/site' 'sp-same-$BENCH_SIZE' 'sp-unchanged-$BENCH_SIZE-$n')"

    # c. sitepack, one page edited (same repository)
    bash "$steps" prime-sp-edit || echo "!! $size: priming sp-edit failed" >&2
    measured "$size" sp-edit prep-sp-edit sp-edit
    timed "$size" sp-edit "bash $st prep-sp-edit" \
        "$(sp_cmd sp-edit '$BENCH_RUN/copies/edit/site' 'sp-edit-$BENCH_SIZE' 'sp-edit-$BENCH_SIZE-$n')"

    # d. buildah bud + push
    measured "$size" buildah prep-buildah buildah
    timed "$size" buildah "bash $st prep-buildah" "bash $st buildah"

    # e. umoci insert + skopeo copy
    measured "$size" umoci prep-umoci umoci
    timed "$size" umoci "bash $st prep-umoci" "bash $st umoci"

    # f. floors
    sq=$(q "$site_root/site")
    timed "$size" floor-sha256 "" "tar -C $sq -cf - . | sha256sum >/dev/null"
    timed "$size" floor-pigz "" "tar -C $sq -cf - . | pigz -1 >/dev/null"
    timed "$size" floor-upload "bash $st prep-floor-upload" "$(floor_upload_cmd)"

    # Free the disk this size used before the next one.
    bash "$steps" prep-buildah || true
    rm -rf "$ctx" "$run/copies" "$run/umoci" "$blob"
    mkdir -p "$run/copies"
    meta_add "$size" all wall_seconds "$((SECONDS - start_size))"
    echo "-- $size done in $((SECONDS - start_size)) s" >&2
done

log "report"
mkdir -p "$bench/results"
python3 "$bench/report.py" --run "$run" --sitepack "$sitepack" --root "$root" \
    --runs "$runs" --wall "$((SECONDS - start_all))" --out "$bench/results/latest.md"
echo "written: $bench/results/latest.md (raw results in $run/results, $run/out)" >&2
