#!/usr/bin/env bash
# sitepack benchmark: sitepack against what a user would pick instead
# (buildah, umoci + skopeo) and against the floors (hash, compress, upload),
# on this machine, with a local registry. See bench/README.md.
#
#   bash bench/run.sh [--sizes small,medium,large] [--runs N] [--no-build] [--no-peers]
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
  --no-peers     leave out buildah and umoci + skopeo (sitepack and the floors only)
  --load N       instead of the tables: N different sites built at once, and one
                 after the other, behind an ECR-like rate limiter (bench/load.py)
  --load-size S  the size the load run's sites are made from (default medium)
  --load-scale F the limiter's rates: ECR's default quotas × F (default 0.1)
  --series       instead of the tables: cold and unchanged builds of generated sites
                 from 1 MB to the default limits (bench/series.py; table + SVG plot)
  --series-points LIST  only these points (1MB,10MB,100MB,1GB,2GiB,99k-files)
EOF
}

sizes=small,medium,large
runs=5
build=1
peers=1
load=0
series=0
series_points=
load_size=medium
load_scale=0.1
while (($#)); do
    case $1 in
    --sizes) sizes=${2:?--sizes needs a value}; shift 2 ;;
    --sizes=*) sizes=${1#*=}; shift ;;
    --runs) runs=${2:?--runs needs a value}; shift 2 ;;
    --runs=*) runs=${1#*=}; shift ;;
    --no-build) build=0; shift ;;
    --no-peers) peers=0; shift ;;
    --load) load=${2:?--load needs a count}; shift 2 ;;
    --load=*) load=${1#*=}; shift ;;
    --series) series=1; shift ;;
    --series-points) series=1; series_points=${2:?--series-points needs a list}; shift 2 ;;
    --load-size) load_size=${2:?--load-size needs a size}; shift 2 ;;
    --load-scale) load_scale=${2:?--load-scale needs a factor}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
[[ $load =~ ^[0-9]+$ ]] || { echo "run.sh: --load must be a count" >&2; exit 2; }
[[ $load_size == small || $load_size == medium || $load_size == large ]] || { echo "run.sh: unknown --load-size: $load_size" >&2; exit 2; }
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
for p in hyperfine isal time buildah; do
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
proxy_pid=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $proxy_pid ]]; then
        kill "$proxy_pid" 2>/dev/null || true
        wait "$proxy_pid" 2>/dev/null || true
    fi
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
    rm -rf "$run/copies" "$run/umoci" "$run/ctx" "$run/floor" "$run/registry-data" "$run/load/sites"
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
    disabled: false
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
base_layers=$(skopeo inspect --raw --tls-verify=false "docker://$reg/base/httpd@$base_digest" |
    python3 -c 'import json,sys; print(" ".join(l["digest"] for l in json.load(sys.stdin)["layers"]))')
echo "base pinned: $base_ref" >&2

# The benchmark's site of a size, generated once (again when gen_site.py changed).
ensure_site() {
    local root=$work/sites/$1 stamp
    stamp="$(sha256sum "$bench/gen_site.py" | cut -d' ' -f1) $1"
    if [[ ! -f $root/.stamp || "$(cat "$root/.stamp")" != "$stamp" ]]; then
        log "$1: generating the site in $root"
        rm -rf "$root"
        python3 "$bench/gen_site.py" "$1" "$root"
        echo "$stamp" >"$root/.stamp"
    fi
}

# --- cost as the work grows (--series): its own run, then the end ---------------
if ((series)); then
    log "series: cold and unchanged builds from 1 MB to the default limits"
    start_series=$SECONDS
    series_rc=0
    python3 "$bench/series.py" --sitepack "$sitepack" --registry "$reg" --base "$base_ref" \
        --htpasswd "$root/examples/coffeefans/users/htpasswd" --conf "$root/examples/operator/httpd.conf" \
        --work "$work/series" --results "$bench/results" ${series_points:+--points "$series_points"} || series_rc=$?
    echo "series run: $((SECONDS - start_series)) s; written: $bench/results/series.md, series.svg" >&2
    exit "$series_rc"
fi

# --- many builds at once (--load N): its own run, then the end -------------------
if ((load)); then
    ensure_site "$load_size"
    log "load: $load $load_size sites behind an ECR-like limiter (ECR's quotas × $load_scale)"
    mkdir -p "$run/load"
    python3 "$bench/ratelimit.py" --upstream "$reg" --scale "$load_scale" >"$run/proxy.port" 2>"$run/logs/ratelimit.log" &
    proxy_pid=$!
    for _ in $(seq 100); do [[ -s $run/proxy.port ]] && break; sleep 0.05; done
    [[ -s $run/proxy.port ]] || die "bench/ratelimit.py did not start (see $run/logs/ratelimit.log)"
    proxy=127.0.0.1:$(cat "$run/proxy.port")
    start_load=$SECONDS
    load_rc=0
    python3 "$bench/load.py" --sitepack "$sitepack" --proxy "$proxy" --registry "$reg" \
        --base "$proxy/base/httpd:1@$base_digest" --site "$work/sites/$load_size/site" \
        --htpasswd "$work/sites/$load_size/users/htpasswd" --conf "$root/examples/operator/httpd.conf" \
        --n "$load" --scale "$load_scale" --size "$load_size" --work "$run/load" \
        --out "$bench/results/load-$load-$load_size-x$load_scale.md" || load_rc=$?
    echo "load run: $((SECONDS - start_load)) s; written: $bench/results/load-$load-$load_size-x$load_scale.md (raw: $run/load)" >&2
    exit "$load_rc"
fi

log "buildah: base pulled into buildah's storage ($buildah_root)"
base_id=$("${B[@]}" pull --quiet --tls-verify=false "docker://$reg/base/httpd@$base_digest" | tail -n1)
"${B[@]}" tag "$base_id" localhost/bench-base:1

export BENCH_HOME=$bench BENCH_RUN=$run BENCH_SITEPACK=$sitepack BENCH_REG=$reg \
    BENCH_BASE_REF=$base_ref BENCH_BASE_OCI=$base_oci BENCH_STORAGE=$storage \
    BENCH_BUILDAH_ROOT=$buildah_root BENCH_CONF=$root/examples/operator/httpd.conf

steps=$bench/steps.sh
q() { printf '%q' "$1"; }

# The timed commands of sitepack and of the floors run in hyperfine's own
# shell (whose start it measures and subtracts), not through steps.sh: that
# wrapper (bash, mkdir, cat) adds about 5 ms, which the hash floors never
# pay. The curl floors start one dash (about 1 ms) around their curls.
# `read` is a shell builtin, so the run number costs no process. The BENCH_* variables are expanded when the command runs.
# sp_cmd STEP SITE-DIR REPOSITORY JSON-NAME (single-quoted $n, $BENCH_* allowed)
sp_cmd() {
    printf '%s' "read n <\"\$BENCH_RUN/counter\" && cd \"\$BENCH_RUN/tmp\" &&"
    printf '%s' " SOURCE_DATE_EPOCH=1700000000 exec \"\$BENCH_SITEPACK\" build --base \"\$BENCH_BASE_REF\""
    printf '%s' " --image \"\$BENCH_REG/bench/$3:1\" --site \"$2\" --htpasswd \"\$BENCH_HTPASSWD\""
    printf '%s' " --httpd-conf \"\$BENCH_CONF\" --json >\"\$BENCH_RUN/out/$4.json\" 2>>\"\$BENCH_RUN/logs/$1.log\""
}
# Bytes of blob data (layers, configs, manifests) in the registry's storage:
# file sizes only, since du -sb would also count directories and link files.
storage_bytes() {
    find "$storage/docker/registry/v2/blobs" -type f -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}
meta_add() { # SIZE SCENARIO KEY VALUE (VALUE is JSON)
    printf '{"size":"%s","scenario":"%s","key":"%s","value":%s}\n' "$1" "$2" "$3" "$4" >>"$meta"
}

# One extra run (not one of hyperfine's) under /usr/bin/time -v: peak RSS (the
# largest single process) and the growth of the registry's blob storage.
measured() { # SIZE NAME PREP-STEP|"" STEP
    local size=$1 name=$2 prep=$3 step=$4 before after rss log_from
    if [[ -n $prep ]] && ! bash "$steps" "$prep"; then
        echo "!! $size/$name: $prep failed; see $run/logs/$prep.log" >&2
        meta_add "$size" "$name" failed true
        return 0
    fi
    before=$(storage_bytes)
    log_from=$(wc -l <"$run/logs/registry.log")
    if ! /usr/bin/time -v -o "$run/results/$size-$name.time" bash "$steps" "$step"; then
        echo "!! $size/$name (measured run) failed; see $run/logs/$step.log" >&2
        meta_add "$size" "$name" failed true
        return 0
    fi
    after=$(storage_bytes)
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$run/results/$size-$name.time")
    meta_add "$size" "$name" rss_kb "${rss:-null}"
    meta_add "$size" "$name" storage_growth "$((after - before))"
    # What the run did with the base's layers, from the registry's access log.
    meta_add "$size" "$name" base_layers "$(python3 "$bench/floors.py" base-fate "$run/logs/registry.log" "$log_from" $base_layers)"
}

for size in "${size_list[@]}"; do
    start_size=$SECONDS
    site_root=$work/sites/$size
    ensure_site "$size"
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

    export BENCH_SIZE=$size BENCH_SITE=$site_root/site BENCH_HTPASSWD=$site_root/users/htpasswd \
        BENCH_CTX=$ctx

    log "$size: $files files, $bytes bytes"
    st=$(q "$steps")

    # One extra run of each tool under /usr/bin/time -v (peak RSS, registry
    # growth); sitepack's summaries of these runs also say which blobs the
    # floors must send.
    measured "$size" sp-cold prep-sp-cold sp-cold
    cold_summary=$run/out/sp-cold-$size-$(cat "$run/counter").json
    bash "$steps" prime-sp-unchanged || echo "!! $size: priming sp-unchanged failed" >&2
    measured "$size" sp-unchanged prep-sp-unchanged sp-unchanged
    bash "$steps" prime-sp-edit || echo "!! $size: priming sp-edit failed" >&2
    measured "$size" sp-edit prep-sp-edit sp-edit
    edit_summary=$run/out/sp-edit-$size-$(cat "$run/counter").json
    if ((peers)); then
        measured "$size" buildah prep-buildah buildah
        measured "$size" umoci prep-umoci umoci
    fi

    # The floors' inputs (not timed): file lists of about equal bytes for the
    # two cores, and what sitepack pushed (its own blobs and manifests), which
    # curl then sends. The edit and unchanged floors push into repositories
    # that already hold the image, as sitepack's runs do.
    fl=$run/floor/$size
    mkdir -p "$fl"
    python3 "$bench/floors.py" split "$site_root/site" "$fl/lists" >&2
    python3 "$bench/floors.py" push-dir "$cold_summary" "$storage" "$fl/cold" >&2
    python3 "$bench/floors.py" push-dir "$edit_summary" "$storage" "$fl/edit" >&2
    python3 "$bench/floors.py" push-dir --manifest-only "$run/out/sp-unchanged-$size-prime.json" "$storage" "$fl/same" >&2
    for k in cold edit same; do
        read -r sent nblobs <"$fl/$k/sent"
        meta_add "$size" "floor-push-$k" sent "[$sent, $nblobs]"
    done
    edit_digest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$edit_summary")
    skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false \
        "docker://$reg/bench/sp-edit-$size@$edit_digest" "docker://$reg/bench/floor-edit-$size:1"
    skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false \
        "docker://$reg/bench/sp-same-$size:1" "docker://$reg/bench/floor-same-$size:1"

    # Every row once per round, rounds one after the other: the floors and
    # the tools share whatever else the machine is doing at that moment.
    sq=$(q "$site_root/site") lq=$(q "$fl/lists")
    rows=() preps=() cmds=()
    row() { rows+=("$1"); preps+=("${2:-true}"); cmds+=("$3"); }
    row sp-cold "bash $st prep-sp-cold" \
        "$(sp_cmd sp-cold '$BENCH_SITE' 'sp-cold-$BENCH_SIZE-$n' 'sp-cold-$BENCH_SIZE-$n')"
    row sp-unchanged "bash $st prep-sp-unchanged" \
        "$(sp_cmd sp-unchanged '$BENCH_RUN/copies/unchanged/site' 'sp-same-$BENCH_SIZE' 'sp-unchanged-$BENCH_SIZE-$n')"
    row sp-edit "bash $st prep-sp-edit" \
        "$(sp_cmd sp-edit '$BENCH_RUN/copies/edit/site' 'sp-edit-$BENCH_SIZE' 'sp-edit-$BENCH_SIZE-$n')"
    if ((peers)); then
        row buildah "bash $st prep-buildah" "bash $st buildah"
        row umoci "bash $st prep-umoci" "bash $st umoci"
    fi
    row floor-sha1 "" "tar -C $sq -cf - . | openssl dgst -sha256 >/dev/null"
    row floor-sha2 "" "cd $sq && { tar -cf - --no-recursion -T $lq/all.0 | openssl dgst -sha256 >/dev/null &
        tar -cf - --no-recursion -T $lq/all.1 | openssl dgst -sha256 >/dev/null; wait; }"
    row floor-igzip2 "" "cd $sq && { tar -cf - --no-recursion -T $lq/text.0 | igzip -1 -c >/dev/null &
        tar -cf - --no-recursion -T $lq/text.1 | igzip -1 -c >/dev/null; wait; }"
    row floor-curl-start "" "curl -s -o /dev/null file:///dev/null"
    row floor-push-cold "bash $st prep-floor-cold" \
        'read n <"$BENCH_RUN/counter" && exec sh "$BENCH_HOME/curl_push.sh" "$BENCH_REG" "bench/floor-cold-$BENCH_SIZE-$n" "$BENCH_RUN/floor/$BENCH_SIZE/cold"'
    row floor-push-edit "" \
        'exec sh "$BENCH_HOME/curl_push.sh" "$BENCH_REG" "bench/floor-edit-$BENCH_SIZE" "$BENCH_RUN/floor/$BENCH_SIZE/edit"'
    row floor-requests "" \
        'exec sh "$BENCH_HOME/curl_push.sh" "$BENCH_REG" "bench/floor-same-$BENCH_SIZE" "$BENCH_RUN/floor/$BENCH_SIZE/same"'
    for ((r = 1; r <= runs; r++)); do
        echo "-- $size: round $r of $runs (${#rows[@]} rows)" >&2
        args=(--style basic --runs 1 --export-json "$run/results/$size-round-$r.json")
        for i in "${!rows[@]}"; do
            args+=(--command-name "${rows[i]}" --prepare "${preps[i]}")
        done
        if ! hyperfine "${args[@]}" "${cmds[@]}" >"$run/logs/hyperfine-$size-$r.log" 2>&1; then
            echo "!! $size round $r failed; see $run/logs/hyperfine-$size-$r.log and $run/logs/" >&2
            rm -f "$run/results/$size-round-$r.json"
            meta_add "$size" "round-$r" failed true
        fi
    done

    # Free the disk this size used before the next one.
    bash "$steps" prep-buildah || true
    rm -rf "$ctx" "$run/copies" "$run/umoci" "$fl"
    mkdir -p "$run/copies"
    meta_add "$size" all wall_seconds "$((SECONDS - start_size))"
    echo "-- $size done in $((SECONDS - start_size)) s" >&2
done

log "report"
mkdir -p "$bench/results"
python3 "$bench/report.py" --run "$run" --sitepack "$sitepack" --root "$root" \
    --runs "$runs" --wall "$((SECONDS - start_all))" --out "$bench/results/latest.md"
echo "written: $bench/results/latest.md (raw results in $run/results, $run/out)" >&2
