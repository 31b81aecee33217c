#!/usr/bin/env bash
# The main job, end to end, on a fresh Debian machine (as root):
#   set up the host, build sitepack, make the offline Apache base, start a
#   local registry, push the pinned base, build examples/coffeefans into an
#   image with sitepack, run it with podman, and check what Apache serves.
# The registry and the container keep running so you can browse the site;
# `scripts/demo.sh stop` removes them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
state=/tmp/sitepack-demo
P=(podman --runtime /usr/sbin/runc --cgroup-manager cgroupfs)

stop() {
    "${P[@]}" rm -f -t 0 sitepack-demo >/dev/null 2>&1 || true
    if [[ -f $state/image ]]; then "${P[@]}" rmi -f "$(cat "$state/image")" >/dev/null 2>&1 || true; fi
    if [[ -f $state/registry.pid ]]; then kill "$(cat "$state/registry.pid")" 2>/dev/null || true; fi
    rm -rf "$state"
}
if [[ ${1:-} == stop ]]; then stop; echo "demo stopped"; exit 0; fi
stop

step() { printf '\n== %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

step "host setup"
bash scripts/setup-host.sh
step "building sitepack"
cargo build --release --locked --quiet
sitepack=$PWD/target/release/sitepack
step "offline Apache base (debootstrap, cached)"
base_oci=$(bash base/test/build-debian-httpd.sh | tail -n1)/oci

step "local registry"
mkdir -p "$state"
reg_port=$(free_port)
cat >"$state/registry.yml" <<YML
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $state/data}}
http: {addr: 127.0.0.1:$reg_port, secret: demo}
YML
docker-registry serve "$state/registry.yml" >"$state/registry.log" 2>&1 &
echo $! >"$state/registry.pid"
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$reg_port/v2/" >/dev/null && break; sleep 0.1; done
reg=127.0.0.1:$reg_port
skopeo copy --quiet --dest-tls-verify=false "oci:$base_oci:latest" "docker://$reg/base/httpd:bookworm"

step "sitepack base pin"
# What a maintainer does once: resolve the tag, find the httpd in the base's
# layers, record both in a lock (here in the demo's state dir).
"$sitepack" base pin "$reg/base/httpd:bookworm" --name debian-httpd --base-lock "$state/base.lock" >&2

step "sitepack build"
work=$state/repo
cp -a examples/coffeefans "$work"
# The copy is not a git checkout: take the epoch from sitepack's own commit.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}
digest=$(cd "$work" && CONTAINER_NAME=web "$sitepack" build \
    --base-lock "$state/base.lock" --image "$reg/sites/coffeefans:demo" \
    --httpd-conf "$root/examples/operator/httpd.conf")
echo "pushed: $reg/sites/coffeefans@$digest" >&2
echo "imagedefinitions.json: $(cat "$work/imagedefinitions.json" | tr -d '\n ')" >&2

step "podman run"
web_port=$(free_port)
"${P[@]}" pull --quiet --tls-verify=false "$reg/sites/coffeefans@$digest" >"$state/image"
"${P[@]}" run -d --name sitepack-demo -p "127.0.0.1:$web_port:80" "$reg/sites/coffeefans@$digest" >/dev/null
url=http://127.0.0.1:$web_port
for _ in $(seq 100); do curl -s -o /dev/null "$url/" && break; sleep 0.1; done

step "checks"
fail=0
check() { # description expected-status curl-args...
    local what=$1 want=$2; shift 2
    local got; got=$(curl -s -o /dev/null -w '%{http_code}' "$@")
    if [[ $got == "$want" ]]; then echo "ok   $got  $what"; else echo "FAIL $got (expected $want)  $what"; fail=1; fi
}
check "public page $url/coffeefans/"                 200 "$url/coffeefans/"
check "members area without credentials"             401 "$url/coffeefans/members/"
check "members area as barista:espresso"             200 -u barista:espresso "$url/coffeefans/members/"
check "members area with a wrong password"           401 -u barista:wrong "$url/coffeefans/members/"
check ".htaccess is not served"                      403 "$url/coffeefans/members/.htaccess"
check "htpasswd is not reachable (/opt/.htpasswd)"   404 "$url/opt/.htpasswd"
check "htpasswd is not reachable (/users/htpasswd)"  404 "$url/users/htpasswd"

printf '\nThe site is served at %s/coffeefans/ (members: barista / espresso).\nStop the demo with: bash scripts/demo.sh stop\n' "$url"
exit $fail
