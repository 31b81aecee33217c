#!/usr/bin/env bash
# Build (once) a runnable Apache httpd base image from Debian bookworm, laid
# out like the CentOS httpd image production uses, and cache it outside the
# repository:
#
#   ${SITEPACK_CACHE:-/var/cache/sitepack}/debian-httpd/
#       rootfs.tar   the root file system, one plain tar (numeric owners)
#       oci/         an OCI image layout holding one image tagged "latest"
#       stamp        sha256 of this script; the cache is valid while it matches
#
# Needs root, debootstrap, umoci, skopeo, flock and a reachable Debian mirror
# (no container registry). The last line of stdout is the cache dir; all
# progress goes to stderr. See README.md beside this file.
#
# Environment:
#   SITEPACK_CACHE           cache root (default /var/cache/sitepack)
#   SITEPACK_DEBIAN_MIRROR   Debian mirror (default: the one apt uses)
#   SITEPACK_FORCE_REBUILD=1 rebuild even when the stamp matches
set -euo pipefail

# Keep stdout for the final path only.
exec 3>&1 1>&2

log() { printf 'build-debian-httpd: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

script_path=$(readlink -f "${BASH_SOURCE[0]}")
script_sum=$(sha256sum "$script_path" | cut -d' ' -f1)
cache_root=${SITEPACK_CACHE:-/var/cache/sitepack}
out=$cache_root/debian-httpd
lockfile=$cache_root/debian-httpd.lock

# The cache is complete only if the stamp (written last) matches and the
# outputs are present.
cache_ok() {
    [[ -f "$out/stamp" && -f "$out/rootfs.tar" && -f "$out/oci/index.json" ]] &&
        [[ "$(cat "$out/stamp")" == "$script_sum" ]]
}

force=${SITEPACK_FORCE_REBUILD:-0}

# Fast path: no lock, no tools needed.
if [[ $force != 1 ]] && cache_ok; then
    echo "$out" >&3
    exit 0
fi

[[ $(id -u) == 0 ]] || die "must run as root (debootstrap, chroot, numeric owners)"
for tool in debootstrap umoci skopeo flock chroot tar sha256sum; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done

mkdir -p "$cache_root"
exec 9>"$lockfile"
waited=0
if ! flock -n 9; then
    log "another build holds $lockfile; waiting"
    flock 9
    waited=1
fi
# Someone else may have finished the build while we waited (a forced rebuild
# is satisfied by a build that finished while we waited, too).
if [[ $force != 1 || $waited == 1 ]] && cache_ok; then
    log "cache is up to date"
    echo "$out" >&3
    exit 0
fi

# Pick the mirror apt uses (first non-security bookworm entry).
find_mirror() {
    local f uri
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] || continue
        uri=$(awk '
            BEGIN { RS=""; FS="\n" }
            {
                u=""; s=""
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^URIs:/)   { u=$i; sub(/^URIs:[ \t]*/, "", u); split(u, a, /[ \t]+/); u=a[1] }
                    if ($i ~ /^Suites:/) { s=$i }
                }
                if (u != "" && s ~ /[ \t]bookworm([ \t]|$)/ && u !~ /security/) { print u; exit }
            }' "$f")
        [[ -n $uri ]] && { echo "$uri"; return; }
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] || continue
        uri=$(awk '$1 == "deb" && $0 !~ /security/ {
                   for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { u=$i; s=$(i+1); break }
                   if (s == "bookworm") { print u; exit }
               }' "$f")
        [[ -n $uri ]] && { echo "$uri"; return; }
    done
    echo http://deb.debian.org/debian
}
mirror=${SITEPACK_DEBIAN_MIRROR:-$(find_mirror)}

# Unmount whatever is mounted below a directory (debootstrap mounts proc and
# sys in its target), deepest first, then delete it without crossing into
# other file systems.
remove_tree() {
    local m
    [[ -n $1 && -e $1 ]] || return 0
    while read -r m; do
        umount -l "$m" 2>/dev/null || true
    done < <(awk -v w="$1/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r)
    rm -rf --one-file-system "$1"
}

# Leftovers of a builder that was killed (SIGKILL skips its cleanup); we hold
# the lock, so nobody else is using them.
for stale in "$cache_root"/.debian-httpd.build.* "$cache_root"/.debian-httpd.old.*; do
    [[ -e $stale ]] || continue
    log "removing leftover $stale"
    remove_tree "$stale"
done

# Build next to the final location (same file system, so the final mv is a
# rename) and never leave a half cache behind.
work=$(mktemp -d "$cache_root/.debian-httpd.build.XXXXXX")
old=
cleanup() {
    local rc=$?
    remove_tree "$work"
    remove_tree "$old"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start=$SECONDS
rootfs=$work/rootfs
stage=$work/out
mkdir -p "$stage"

log "debootstrap bookworm from $mirror into $rootfs (40-75 s)"
debootstrap --variant=minbase --include=apache2 bookworm "$rootfs" "$mirror" >&2

log "trimming apt lists, docs, man pages, locales, apt cache"
rm -rf "$rootfs"/var/lib/apt/lists/* \
       "$rootfs"/var/cache/apt/* \
       "$rootfs"/var/cache/debconf/*-old \
       "$rootfs"/usr/share/doc/* \
       "$rootfs"/usr/share/man/* \
       "$rootfs"/usr/share/info/* \
       "$rootfs"/usr/share/lintian \
       "$rootfs"/usr/share/linda \
       "$rootfs"/var/log/apt/* \
       "$rootfs"/var/log/dpkg.log \
       "$rootfs"/var/log/bootstrap.log \
       "$rootfs"/var/log/alternatives.log
find "$rootfs"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
mkdir -p "$rootfs"/var/lib/apt/lists/partial "$rootfs"/var/cache/apt/archives/partial

log "laying out /etc/httpd like CentOS"
# System user and group "apache" with CentOS's ids 48:48 (Debian itself runs
# apache2 as www-data; 48 is free in Debian's static range).
chroot "$rootfs" /usr/sbin/groupadd --system --gid 48 apache
chroot "$rootfs" /usr/sbin/useradd --system --uid 48 --gid apache --no-create-home \
    --home-dir /usr/share/httpd --shell /sbin/nologin --comment "Apache" apache

install -d -m 0755 "$rootfs"/etc/httpd "$rootfs"/etc/httpd/conf "$rootfs"/etc/httpd/conf.d \
    "$rootfs"/etc/httpd/conf.modules.d "$rootfs"/var/www "$rootfs"/var/www/html \
    "$rootfs"/var/www/cgi-bin "$rootfs"/usr/share/httpd
install -d -m 0700 "$rootfs"/var/log/httpd
install -d -m 0710 -g "$(awk -F: '$1 == "apache" { print $3 }' "$rootfs"/etc/group)" "$rootfs"/run/httpd
# Debian's "It works" page: CentOS ships /var/www/html empty.
rm -f "$rootfs"/var/www/html/index.html
# Relative paths below ServerRoot, as on CentOS (modules/mod_x.so, logs/, run/).
ln -s /usr/lib/apache2/modules "$rootfs"/etc/httpd/modules
ln -s /var/log/httpd "$rootfs"/etc/httpd/logs
ln -s /run/httpd "$rootfs"/etc/httpd/run

cat >"$rootfs"/usr/sbin/httpd <<'EOF'
#!/bin/sh
# CentOS-style entry point: Debian's apache2 binary with the /etc/httpd tree.
exec /usr/sbin/apache2 -d /etc/httpd -f /etc/httpd/conf/httpd.conf "$@"
EOF
chmod 0755 "$rootfs"/usr/sbin/httpd

# Modules compiled into Debian's apache2; a LoadModule for them is fatal.
builtin_modules=$(chroot "$rootfs" /usr/sbin/apache2 -l | awk '/\.c$/ { print $1 }' | tr '\n' ' ')
log "apache2 built-in modules: $builtin_modules"

# Rocky Linux 9's conf.modules.d, file by file, for operator confs in the
# stock layout (`Include conf.modules.d/*.conf`): each module Debian ships,
# named as Rocky names it; the ones Debian builds in are guarded (loading a
# built-in is fatal). The MPM is prefork, as in the default conf below.
# The default httpd.conf does not include these files; an operator's may.
modules_file() {
    local file=$1 m
    shift
    {
        printf '# %s, as in Rocky Linux 9 (sitepack test base)\n' "$file"
        for m in "$@"; do
            [[ -f $rootfs/usr/lib/apache2/modules/mod_$m.so || " $builtin_modules " == *" mod_$m.c "* ]] || continue
            if [[ " $builtin_modules " == *" mod_$m.c "* ]]; then
                printf '<IfModule !%s_module>\n    LoadModule %s_module modules/mod_%s.so\n</IfModule>\n' "$m" "$m" "$m"
            else
                printf 'LoadModule %s_module modules/mod_%s.so\n' "$m" "$m"
            fi
        done
    } >"$rootfs/etc/httpd/conf.modules.d/$file"
}
modules_file 00-base.conf access_compat actions alias allowmethods auth_basic auth_digest authn_anon \
    authn_core authn_dbd authn_dbm authn_file authn_socache authz_core authz_dbd authz_dbm \
    authz_groupfile authz_host authz_owner authz_user autoindex brotli cache cache_disk cache_socache \
    data dbd deflate dir dumpio echo env expires ext_filter filter headers include info log_config \
    logio macro mime_magic mime negotiation remoteip reqtimeout request rewrite setenvif \
    slotmem_plain slotmem_shm socache_dbm socache_memcache socache_redis socache_shmcb status \
    substitute suexec unique_id unixd userdir version vhost_alias watchdog
modules_file 00-dav.conf dav dav_fs dav_lock
modules_file 00-lua.conf lua
modules_file 00-mpm.conf mpm_prefork
modules_file 00-proxy.conf proxy lbmethod_bybusyness lbmethod_byrequests lbmethod_bytraffic \
    lbmethod_heartbeat proxy_ajp proxy_balancer proxy_connect proxy_express proxy_fcgi proxy_fdpass \
    proxy_ftp proxy_http proxy_hcheck proxy_scgi proxy_uwsgi proxy_wstunnel
modules_file 01-cgi.conf cgi
chmod 0644 "$rootfs"/etc/httpd/conf.modules.d/*.conf

cat >"$rootfs"/etc/httpd/conf/httpd.conf <<'EOF'
# Default httpd.conf of the sitepack Debian test base (CentOS 7 layout).
# Operators replace this file; it only has to serve /var/www/html.
ServerRoot "/etc/httpd"
Listen 80

# Debian compiles these into apache2 (CentOS loads them as DSOs): guard them.
<IfModule !unixd_module>
    LoadModule unixd_module modules/mod_unixd.so
</IfModule>
<IfModule !log_config_module>
    LoadModule log_config_module modules/mod_log_config.so
</IfModule>
LoadModule mpm_prefork_module modules/mod_mpm_prefork.so
LoadModule authn_core_module modules/mod_authn_core.so
LoadModule authn_file_module modules/mod_authn_file.so
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule authz_host_module modules/mod_authz_host.so
LoadModule authz_user_module modules/mod_authz_user.so
LoadModule auth_basic_module modules/mod_auth_basic.so
LoadModule access_compat_module modules/mod_access_compat.so
LoadModule mime_module modules/mod_mime.so
LoadModule dir_module modules/mod_dir.so
LoadModule alias_module modules/mod_alias.so

User apache
Group apache
ServerName localhost
ServerAdmin root@localhost
# Relative to ServerRoot: run -> /run/httpd.
PidFile run/httpd.pid
DefaultRuntimeDir run

<Directory />
    AllowOverride none
    Require all denied
</Directory>

DocumentRoot "/var/www/html"
<Directory "/var/www/html">
    Options FollowSymLinks
    AllowOverride None
    Require all granted
</Directory>

DirectoryIndex index.html
<Files ".ht*">
    Require all denied
</Files>

# Containers log to the console.
ErrorLog /dev/stderr
LogLevel warn
LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"" combined
CustomLog /dev/stdout combined

TypesConfig /etc/mime.types
AddDefaultCharset UTF-8

IncludeOptional conf.d/*.conf
EOF
chmod 0644 "$rootfs"/etc/httpd/conf/httpd.conf

[[ -f $rootfs/etc/mime.types ]] || die "/etc/mime.types missing in the rootfs"
log "checking the default configuration"
chroot "$rootfs" /usr/sbin/httpd -t >&2
log "checking the Rocky-layout modules (Include conf.modules.d/*.conf)"
printf 'ServerRoot "/etc/httpd"\nInclude conf.modules.d/*.conf\nListen 80\nServerName localhost\nUser apache\nGroup apache\nDocumentRoot /var/www/html\nDefaultRuntimeDir run\nPidFile run/httpd.pid\nErrorLog /dev/stderr\n' \
    >"$rootfs"/tmp/rocky-layout-check.conf
chroot "$rootfs" /usr/sbin/apache2 -d /etc/httpd -f /tmp/rocky-layout-check.conf -t >&2
rm -f "$rootfs"/tmp/rocky-layout-check.conf
apache_version=$(chroot "$rootfs" /usr/sbin/apache2 -v | sed -n 's/^Server version: *//p')
log "apache2: $apache_version"

# Device nodes made by debootstrap: runtimes mount their own /dev, and a
# layer holding device nodes cannot be unpacked without privileges.
rm -rf --one-file-system "$rootfs"/dev/*
# No stale machine identity or resolver config from the build host.
: >"$rootfs"/etc/machine-id 2>/dev/null || true
rm -f "$rootfs"/etc/hostname
[[ -L $rootfs/etc/resolv.conf ]] || : >"$rootfs"/etc/resolv.conf

log "writing rootfs.tar"
tar --numeric-owner --sort=name -C "$rootfs" -cf "$stage/rootfs.tar" .

log "writing OCI layout oci/ (tag latest)"
umoci init --layout "$stage/oci"
umoci new --image "$stage/oci:latest"
umoci raw add-layer --image "$stage/oci:latest" \
    --history.created_by "debootstrap --variant=minbase --include=apache2 bookworm (sitepack base/test/build-debian-httpd.sh)" \
    "$stage/rootfs.tar"
# Entrypoint as on the production CentOS image; Cmd stays empty (a base Cmd
# would be appended to httpd's arguments).
umoci config --image "$stage/oci:latest" --no-history \
    --os linux --architecture amd64 \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.entrypoint /usr/sbin/httpd \
    --config.entrypoint -e --config.entrypoint DEBUG \
    --config.entrypoint -D --config.entrypoint FOREGROUND \
    --config.exposedports 80/tcp \
    --config.label "org.opencontainers.image.description=sitepack test base: Debian bookworm apache2 ($apache_version) in CentOS httpd layout"
umoci gc --layout "$stage/oci"

log "validating the layout"
inspect=$(skopeo inspect --config "oci:$stage/oci:latest")
arch=$(sed -n 's/.*"architecture": *"\([^"]*\)".*/\1/p' <<<"$inspect" | head -1)
os=$(sed -n 's/.*"os": *"\([^"]*\)".*/\1/p' <<<"$inspect" | head -1)
[[ $arch == amd64 && $os == linux ]] || die "image config has architecture=$arch os=$os"
skopeo inspect "oci:$stage/oci:latest" >/dev/null

echo "$script_sum" >"$stage/stamp"
remove_tree "$rootfs"

# Swap into place: the stamp only exists in complete outputs, so a reader
# that finds no (or an old) directory falls back to the lock and waits.
if [[ -e $out ]]; then
    old=$cache_root/.debian-httpd.old.$$
    mv "$out" "$old"
fi
mv "$stage" "$out"
remove_tree "$old"
old=

log "built in $((SECONDS - start)) s: $(du -sh "$out/rootfs.tar" | cut -f1) rootfs.tar, $(du -sh "$out/oci" | cut -f1) oci/"
echo "$out" >&3
