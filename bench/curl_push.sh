#!/bin/sh
# The request floor: what any correct push of a prepared image must send,
# done by curl with sitepack's concurrency (4 transfers at once).
#
#   sh bench/curl_push.sh REGISTRY REPOSITORY DIR
#
# DIR is made by `bench/floors.py push-dir` (blobs/HEX, mounts, manifest,
# manifest.type). Three curl processes, each phase waiting for the one before:
#   1. read the tag's manifest (any answer), mount each base blob from
#      base/httpd and open an upload session per blob: all at once, 4 in flight;
#   2. one monolithic PUT ?digest= per blob, 4 in flight;
#   3. PUT the manifest, then read it back (one connection).
# With no blob and no mount (an unchanged rebuild) it is one curl: read the
# tag, PUT the manifest, read it back. POSIX sh (dash starts in about 1 ms);
# the only processes are the curls.
set -eu
reg=$1 repo=$2 dir=$3
v2=http://$reg/v2/$repo
read -r type <"$dir/manifest.type"
tag=$v2/manifests/1

set --
for f in "$dir"/blobs/*; do
    [ -e "$f" ] || continue
    set -- "$@" -o /dev/null "$v2/blobs/uploads/?d=${f##*/}"
done
while read -r d; do
    set -- "$@" -o /dev/null "$v2/blobs/uploads/?mount=$d&from=base/httpd"
done <"$dir/mounts"

if [ $# -eq 0 ]; then
    exec curl -sS -o /dev/null -H "Accept: $type" "$tag" \
        --next -sS -f -o /dev/null -X PUT -H "Content-Type: $type" --data-binary "@$dir/manifest" "$tag" \
        --next -sS -f -o /dev/null -H "Accept: $type" "$tag"
fi

cfg=$dir/put.cfg
: >"$cfg"
curl -sS --parallel --parallel-max 4 -o /dev/null -H "Accept: $type" "$tag" \
    --next -sS -f -X POST -w '%{url_effective} %header{location}\n' "$@" |
    while read -r url loc; do
        case $url in *'?d='*) ;; *) continue ;; esac
        case $loc in http*) ;; *) loc=http://$reg$loc ;; esac
        case $loc in *\?*) sep='&' ;; *) sep='?' ;; esac
        hex=${url##*d=}
        printf 'url = "%s%sdigest=sha256:%s"\nupload-file = "%s"\noutput = "/dev/null"\n' \
            "$loc" "$sep" "$hex" "$dir/blobs/$hex" >>"$cfg"
    done
if [ -s "$cfg" ]; then
    curl -sS -f --parallel --parallel-max 4 -H 'Expect:' -H 'Content-Type: application/octet-stream' -K "$cfg"
fi
exec curl -sS -f -o /dev/null -X PUT -H "Content-Type: $type" --data-binary "@$dir/manifest" "$tag" \
    --next -sS -f -o /dev/null -H "Accept: $type" "$tag"
