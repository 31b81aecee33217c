#!/bin/sh
# harden-modules.sh KEEP_FILE
#
# Drops from an httpd base image every Apache module that is not named in
# KEEP_FILE, so that a hole in sitepack's .htaccess policy finds nothing to
# reach (no mod_lua, no proxy, no CGI, no SSI, ...). See
# docs/base-hardening.md for what is kept and why.
#
# Run once while the base is built (the Containerfile copies it to /tmp and
# runs it right after installing httpd, in the same RUN). It:
#
#   1. deletes every *.so in /etc/httpd/modules whose name is not kept;
#   2. comments out ("#sitepack-dropped: ") every active LoadModule line, in
#      conf/*.conf, conf.modules.d/*.conf and conf.d/*.conf, whose .so is
#      not kept, so the stock httpd.conf still starts;
#   3. removes the suexec helper when mod_suexec is not kept;
#   4. fails (non-zero exit) unless: every kept module is still present;
#      no other .so is left; no active LoadModule line names a module that
#      is not kept; every kept module the stock conf loaded before is still
#      loaded; `httpd -t` passes; and `httpd -M` loads no shared module
#      that is not kept.
#
# The allow-list is what makes this robust: a module the distribution adds
# or renames is dropped (or, if it was a kept one, the build fails), and a
# renamed conf.modules.d file is handled like any other.
#
# KEEP_FILE: one module file name without ".so" per line (mod_rewrite);
# "#" starts a comment. A kept name that matches the deny list below is an
# error: those modules are never kept.
#
# For tests only: HARDEN_ROOT prefixes every path (a fake tree), and
# HARDEN_HTTPD names the httpd to run for -t/-M (default /usr/sbin/httpd).
#
# One file for every recipe (the build context is base/); each recipe's
# folder holds its own modules.keep.

set -eu
# No pathname expansion except where asked for (the deny patterns below
# must stay patterns).
set -f

[ $# -eq 1 ] || { echo "usage: $0 KEEP_FILE" >&2; exit 2; }
keep_file=$1
root=${HARDEN_ROOT:-}
httpd=${HARDEN_HTTPD:-/usr/sbin/httpd}
conf_dir=$root/etc/httpd
mod_dir=$conf_dir/modules

# Never kept: modules that run code, connect out, publish server state or
# rewrite content (shell patterns on the .so name without ".so").
deny='mod_lua mod_proxy mod_proxy_* mod_lbmethod_* mod_cgi mod_cgid
mod_dav mod_dav_* mod_include mod_ext_filter mod_info mod_status
mod_userdir mod_suexec mod_ldap mod_authnz_ldap mod_dbd mod_authn_dbd
mod_authz_dbd mod_actions mod_macro mod_echo mod_dumpio mod_heartbeat
mod_heartmonitor mod_xml2enc mod_http2 mod_php* libphp* mod_perl
mod_python mod_wsgi* mod_fcgid mod_authnz_fcgi mod_asis mod_reflector
mod_substitute mod_sed mod_ident mod_log_forensic mod_log_debug
mod_session* mod_auth_form mod_cache mod_cache_* mod_disk_cache
mod_socache_memcache mod_socache_redis mod_md mod_ssl'

say() { echo "harden-modules: $*"; }
die() { echo "harden-modules: FAILED: $*" >&2; exit 1; }

denied() {
    for p in $deny; do
        case $1 in $p) return 0 ;; esac
    done
    return 1
}

kept() {
    case " $keep " in *" $1 "*) return 0 ;; esac
    return 1
}

# A module file name we are willing to put into a sed expression.
check_name() {
    case $1 in
        '' | *[!A-Za-z0-9_-]*) die "unexpected module name '$1' (in $2); review this script" ;;
    esac
}

# The .so names (without .so) that active LoadModule lines of the given
# files load, one per line. LoadModule is case-insensitive in httpd.
loaded() {
    for f do
        [ -f "$f" ] || continue
        grep -i -E '^[[:space:]]*loadmodule[[:space:]]' "$f" |
            sed -e 's/^[[:space:]]*[^[:space:]]*[[:space:]]\{1,\}[^[:space:]]\{1,\}[[:space:]]\{1,\}"\{0,1\}\([^"[:space:]]*\).*$/\1/' \
                -e 's|.*/||' -e 's/\.so$//' || true
    done
}

conf_files() {
    set +f
    set -- "$conf_dir"/conf/*.conf "$conf_dir"/conf.modules.d/*.conf "$conf_dir"/conf.d/*.conf
    set -f
    for f do
        [ -f "$f" ] && printf '%s\n' "$f"
    done
    return 0
}

for tool in grep sed sort; do
    command -v "$tool" >/dev/null 2>&1 || die "this image has no $tool; install it before running this script"
done

# --- the keep list ---------------------------------------------------------
[ -f "$keep_file" ] || die "no keep file $keep_file"
keep=$(sed -e 's/#.*//' "$keep_file")
keep=$(echo $keep)
[ -n "$keep" ] || die "$keep_file keeps no module"
for m in $keep; do
    check_name "$m" "$keep_file"
    if denied "$m"; then die "$keep_file keeps $m, which is on the deny list"; fi
done
[ -d "$mod_dir" ] || die "no module directory $mod_dir"
[ -f "$conf_dir/conf/httpd.conf" ] || die "no $conf_dir/conf/httpd.conf"

files=$(conf_files)
before=$(loaded $files | sort -u)

# --- 1. module files ---------------------------------------------------------
set +f
set -- "$mod_dir"/*.so
set -f
[ -e "$1" ] || die "no *.so in $mod_dir"
for so do
    name=${so##*/}
    name=${name%.so}
    kept "$name" && continue
    rm -f -- "$so"
    say "dropped $name.so"
done

# --- 2. LoadModule lines -----------------------------------------------------
for f in $files; do
    for name in $(loaded "$f" | sort -u); do
        kept "$name" && continue
        check_name "$name" "$f"
        sed -i "/^[[:space:]]*[Ll][Oo][Aa][Dd][Mm][Oo][Dd][Uu][Ll][Ee][[:space:]]\{1,\}[^[:space:]]\{1,\}[[:space:]]\{1,\}\"\{0,1\}\([^\"[:space:]]*\/\)\{0,1\}$name\.so\"\{0,1\}[[:space:]]*\$/s/^/#sitepack-dropped: /" "$f"
        say "commented out LoadModule of $name.so in ${f#$root}"
    done
done

# --- 3. the suexec helper ----------------------------------------------------
if ! kept mod_suexec && [ -e "$root/usr/sbin/suexec" ]; then
    rm -f -- "$root/usr/sbin/suexec"
    say "removed /usr/sbin/suexec"
fi

# --- 4. checks ---------------------------------------------------------------
for m in $keep; do
    [ -f "$mod_dir/$m.so" ] ||
        die "kept module $m.so is not in ${mod_dir#$root}: the distribution renamed or dropped it; review $keep_file"
done

set +f
set -- "$mod_dir"/*.so
set -f
for so do
    [ -e "$so" ] || continue
    name=${so##*/}
    name=${name%.so}
    kept "$name" || die "${so#$root} is still there"
done

after=$(loaded $files | sort -u)
for name in $after; do
    # A kept name is never a denied one (checked with the keep list).
    kept "$name" || die "an active LoadModule line still loads $name.so: $(grep -i -n -E "^[[:space:]]*loadmodule[[:space:]].*$name\.so" $files | head -n 3)"
done
for name in $before; do
    if kept "$name"; then
        case " $(echo $after) " in
            *" $name "*) ;;
            *) die "the stock conf loaded $name.so before and no longer does" ;;
        esac
    fi
done

out=$("$httpd" -t 2>&1) || die "httpd -t: $out"
say "httpd -t: $out"
out=$("$httpd" -M 2>&1) || die "httpd -M: $out"
shared=$(printf '%s\n' "$out" | sed -n 's/^[[:space:]]*\([A-Za-z0-9_]\{1,\}\)_module[[:space:]]*(shared)[[:space:]]*$/\1/p')
[ -n "$shared" ] || die "httpd -M lists no shared module: $out"
for id in $shared; do
    kept "mod_$id" || die "httpd -M: ${id}_module is loaded, but mod_$id is not kept"
done
say "kept: $keep"
say "loaded by the stock conf: $(echo $shared)"
