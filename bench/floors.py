#!/usr/bin/env python3
"""Inputs of the benchmark's floors, prepared once per size (not timed).

    floors.py split SITE OUTDIR
        OUTDIR/all.0, all.1: every file of SITE (paths relative to SITE), in two
        lists of about equal bytes, for `tar -T` on each core; OUTDIR/text.0,
        text.1: the same for the files sitepack compresses (not media, which it
        stores: the extensions of src/site.rs `precompressed`). Prints the bytes
        of each list.

    floors.py push-dir [--manifest-only] SUMMARY STORAGE OUTDIR
        From a `sitepack build --json` summary and the registry's storage:
        OUTDIR/blobs/HEX -> the blob data sitepack uploaded (layers, config),
        OUTDIR/mounts (the base blobs it mounted, one digest a line),
        OUTDIR/manifest and OUTDIR/manifest.type (the manifest it pushed),
        OUTDIR/sent ("BYTES BLOBS": what curl will upload, manifest included).

    floors.py base-fate ACCESS_LOG FROM_LINE DIGEST...
        What the requests logged after line FROM_LINE did with each of the
        base's layers (DIGEST...), outside base/httpd itself: JSON counts of
        "mounted" (POST ?mount= answered 201), "uploaded" (a PUT ?digest= of
        it: sent again), "found" (HEAD answered 200: there, after a mount or
        from before).
        bench/curl_push.sh sends exactly that, with curl. --manifest-only: no
        blobs and no mounts (an unchanged rebuild, whose tag has them all).
"""

import json
import os
import shutil
import sys
import urllib.parse

# src/site.rs `precompressed`: files sitepack puts in stored blocks.
STORED = {
    "jpg", "jpeg", "png", "gif", "webp", "avif", "heic", "ico", "mp4", "m4v", "mov", "webm", "mkv", "avi", "mp3",
    "m4a", "aac", "ogg", "oga", "opus", "flac", "woff", "woff2", "gz", "tgz", "bz2", "xz", "zst", "br", "zip",
    "7z", "rar", "jar", "docx", "xlsx", "pptx", "odt", "ods", "epub",
}


def files_of(site):
    out = []
    for top, dirs, names in os.walk(site):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(top, name)
            out.append((os.path.relpath(path, site), os.lstat(path).st_size))
    return out


def halves(files):
    """Two lists of about equal bytes (largest first, each to the lighter list)."""
    lists, sizes = ([], []), [0, 0]
    for path, size in sorted(files, key=lambda f: (-f[1], f[0])):
        i = 0 if sizes[0] <= sizes[1] else 1
        lists[i].append(path)
        sizes[i] += size
    return lists, sizes


def split(site, outdir):
    os.makedirs(outdir, exist_ok=True)
    files = files_of(site)
    text = [f for f in files if f[0].rsplit(".", 1)[-1].lower() not in STORED]
    for kind, chosen in (("all", files), ("text", text)):
        lists, sizes = halves(chosen)
        for i in (0, 1):
            with open(os.path.join(outdir, f"{kind}.{i}"), "w") as f:
                f.write("".join(f"./{p}\n" for p in sorted(lists[i])))
        print(f"{kind}: {sizes[0]} + {sizes[1]} bytes")


def blob_path(storage, digest):
    algo, hexd = digest.split(":", 1)
    return os.path.join(storage, "docker/registry/v2/blobs", algo, hexd[:2], hexd, "data")


def push_dir(summary_path, storage, outdir, manifest_only=False):
    with open(summary_path) as f:
        summary = json.load(f)
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(os.path.join(outdir, "blobs"))
    mounts = []
    blobs = [] if manifest_only else summary.get("blobs", [])
    for blob in blobs:
        if blob["action"] == "uploaded":
            os.symlink(blob_path(storage, blob["digest"]), os.path.join(outdir, "blobs", blob["digest"].split(":")[1]))
        elif blob["action"] == "mounted":
            mounts.append(blob["digest"])
    with open(os.path.join(outdir, "mounts"), "w") as f:
        f.write("".join(d + "\n" for d in mounts))
    shutil.copyfile(blob_path(storage, summary["digest"]), os.path.join(outdir, "manifest"))
    with open(os.path.join(outdir, "manifest.type"), "w") as f:
        f.write(summary["manifest_media_type"] + "\n")
    up = [b for b in blobs if b["action"] == "uploaded"]
    sent = sum(b["size"] for b in up) + os.path.getsize(os.path.join(outdir, "manifest"))
    with open(os.path.join(outdir, "sent"), "w") as f:
        f.write(f"{sent} {len(up)}\n")
    print(f"{len(up)} blobs ({sum(b['size'] for b in up)} bytes), {len(mounts)} mounts, manifest {summary['digest']}")


def base_fate(log, from_line, digests):
    counts = {"mounted": 0, "uploaded": 0, "found": 0}
    with open(log, errors="replace") as f:
        lines = f.readlines()[int(from_line):]
    for line in lines:
        # distribution's access log: ... "METHOD PATH HTTP/1.1" STATUS ...
        try:
            request, rest = line.split('"', 2)[1], line.split('"', 2)[2]
            method, path = request.split()[:2]
            path = urllib.parse.unquote(path)
            status = int(rest.split()[0])
        except (IndexError, ValueError):
            continue
        if path.startswith("/v2/base/httpd/"):
            continue
        for d in digests:
            if d not in path:
                continue
            if method == "POST" and "mount=" in path and status == 201:
                counts["mounted"] += 1
            elif method == "PUT" and "digest=" in path and status == 201:
                counts["uploaded"] += 1
            elif method == "HEAD" and status == 200:
                counts["found"] += 1
    print(json.dumps(counts))


def main(argv):
    if len(argv) == 3 and argv[0] == "split":
        split(argv[1], argv[2])
    elif len(argv) >= 3 and argv[0] == "base-fate":
        base_fate(argv[1], argv[2], argv[3:])
    elif len(argv) == 4 and argv[0] == "push-dir":
        push_dir(argv[1], argv[2], argv[3])
    elif len(argv) == 5 and argv[:2] == ["push-dir", "--manifest-only"]:
        push_dir(argv[2], argv[3], argv[4], manifest_only=True)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
