#!/usr/bin/env python3
"""Many builds at once (bench/run.sh --load N): N different sites built by
sitepack against one registry behind bench/ratelimit.py (ECR-like throttling),
first one after the other, then all at once; every build must succeed, and no
tag may ever name an incomplete image. Standard library only.

    load.py --sitepack BIN --proxy HOST:PORT --registry HOST:PORT --base REF
            --site DIR --htpasswd FILE --conf FILE --n N --work DIR --out FILE

--base is the base's reference through the proxy (its reads count, as they do
on ECR). --registry is the registry itself: the watcher and the final check
read it directly, so they neither count against the limits nor get throttled.

While the N builds run at once, a watcher reads every tag over and over
(manifest, then HEAD of each blob it names, in that repository): a tag that
names a blob the repository does not have is a violation. Afterwards each tag
of both phases is copied out with `skopeo copy` (which fetches and checks
every blob) and its digest compared with the one the build reported.
Writes a markdown report to --out (the raw counts to WORK/load.json); exits 1 when a
build failed or a check did not pass.
"""

import argparse
import hashlib
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ACCEPT = ", ".join([
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
])


def make_sites(src, top, n):
    """N different sites: hard links to SRC, with every page (HTML, CSS, JS)
    rewritten with the site's number, so each site's text layers are its own.
    Media stays shared (the same bytes in every site)."""
    os.makedirs(top, exist_ok=True)
    sites = []
    for i in range(n):
        dst = os.path.join(top, f"site-{i:03d}")
        shutil.rmtree(dst, ignore_errors=True)
        subprocess.run(["cp", "-al", src, dst], check=True)
        for d, _, names in os.walk(dst):
            for name in names:
                if name.rsplit(".", 1)[-1] in ("html", "css", "js"):
                    path = os.path.join(d, name)
                    with open(path, "rb") as f:
                        data = f.read()
                    os.unlink(path)  # break the hard link
                    with open(path, "wb") as f:
                        f.write(data + f"\n<!-- community site {i} -->\n".encode())
        sites.append(dst)
    return sites


def proxy_call(proxy, path, method="GET"):
    req = urllib.request.Request(f"http://{proxy}{path}", method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def build_cmd(args, site, image):
    return [
        args.sitepack, "build", "--base", args.base, "--image", image, "--site", site,
        "--htpasswd", args.htpasswd, "--httpd-conf", args.conf, "--json",
    ]


def run_phase(args, name, sites, concurrent):
    """Builds every site into load/NAME-i:1; returns per-build records and the total seconds."""
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    logs = os.path.join(args.work, "logs")
    os.makedirs(logs, exist_ok=True)
    records = [None] * len(sites)

    def start(i):
        image = f"{args.proxy}/load/{name}-{i:03d}:1"
        out = open(os.path.join(args.work, f"{name}-{i:03d}.json"), "w")
        err = open(os.path.join(logs, f"{name}-{i:03d}.log"), "w")
        t = time.monotonic()
        p = subprocess.Popen(build_cmd(args, sites[i], image), stdout=out, stderr=err, env=env, cwd=args.work)
        return p, t, out, err

    def finish(i, p, t, out, err):
        rc = p.wait()
        secs = time.monotonic() - t
        out.close()
        err.close()
        summary = {}
        try:
            with open(os.path.join(args.work, f"{name}-{i:03d}.json")) as f:
                summary = json.load(f)
        except (OSError, ValueError):
            pass
        records[i] = {"repo": f"load/{name}-{i:03d}", "rc": rc, "seconds": secs,
                      "digest": summary.get("digest"), "retries": summary.get("retries")}

    t0 = time.monotonic()
    if concurrent:
        started = [(i, *start(i)) for i in range(len(sites))]
        for i, p, t, out, err in started:
            finish(i, p, t, out, err)
    else:
        for i in range(len(sites)):
            finish(i, *start(i))
    return records, time.monotonic() - t0


class Watcher(threading.Thread):
    """Reads every tag, again and again, while the builds run."""

    def __init__(self, registry, repos):
        super().__init__(daemon=True)
        self.registry, self.repos = registry, repos
        self.stop = threading.Event()
        self.reads = 0
        self.complete = 0
        self.violations = []

    def run(self):
        host, port = self.registry.rsplit(":", 1)
        c = http.client.HTTPConnection(host, int(port), timeout=30)
        while not self.stop.is_set():
            for repo in self.repos:
                try:
                    self.check(c, repo)
                except (OSError, http.client.HTTPException):
                    c = http.client.HTTPConnection(host, int(port), timeout=30)

    def check(self, c, repo):
        c.request("GET", f"/v2/{repo}/manifests/1", headers={"Accept": ACCEPT})
        r = c.getresponse()
        body = r.read()
        self.reads += 1
        if r.status == 404:
            return
        if r.status != 200:
            self.violations.append(f"{repo}:1: manifest GET answered {r.status}")
            return
        m = json.loads(body)
        blobs = [m["config"]] + m.get("layers", []) if "config" in m else []
        for b in blobs:
            c.request("HEAD", f"/v2/{repo}/blobs/{b['digest']}")
            h = c.getresponse()
            h.read()
            if h.status != 200:
                self.violations.append(f"{repo}:1 names {b['digest']}, which the repository answers {h.status}")
        self.complete += 1


def copy_out(registry, repo):
    """skopeo copy of the tag (every blob fetched and checked); (ok, digest or error)."""
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run(["skopeo", "copy", "--quiet", "--src-tls-verify=false",
                            f"docker://{registry}/{repo}:1", f"oci:{d}/l:x"], capture_output=True, text=True)
        if p.returncode != 0:
            return False, p.stderr.strip()
    p = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{registry}/{repo}:1"],
                       capture_output=True)
    return True, "sha256:" + hashlib.sha256(p.stdout).hexdigest()


def per_build(stats, n):
    """Requests per build, per operation, and 429s, from the proxy's counts."""
    ops = stats["ops"]
    return {op: {"forwarded": v["forwarded"] / n, "throttled": v["throttled"] / n, "retry_after": v["retry_after"]}
            for op, v in ops.items() if v["forwarded"] or v["throttled"]}


def fmt(x):
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def main():
    ap = argparse.ArgumentParser()
    for a in ("sitepack", "proxy", "registry", "base", "site", "htpasswd", "conf", "work", "out"):
        ap.add_argument(f"--{a}", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--scale", type=float, default=1.0, help="the proxy's --scale, for the report")
    ap.add_argument("--size", default="?", help="the benchmark size the sites come from, for the report")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)

    print(f"load: making {args.n} sites from {args.site}", file=sys.stderr)
    sites = make_sites(args.site, os.path.join(args.work, "sites"), args.n)
    # Read every file once, so neither phase pays for a cold page cache.
    for s in sites:
        subprocess.run(f"tar -C {s} -cf - . >/dev/null", shell=True, check=True)

    phases = {}
    for name, concurrent in (("seq", False), ("par", True)):
        print(f"load: {args.n} builds {'at once' if concurrent else 'one after the other'}", file=sys.stderr)
        proxy_call(args.proxy, "/_reset", "POST")
        watcher = None
        if concurrent:
            watcher = Watcher(args.registry, [f"load/par-{i:03d}" for i in range(args.n)])
            watcher.start()
        records, total = run_phase(args, name, sites, concurrent)
        if watcher:
            watcher.stop.set()
            watcher.join()
        stats = proxy_call(args.proxy, "/_stats")
        phases[name] = {"records": records, "total": total, "stats": stats,
                        "watcher": None if not watcher else {"reads": watcher.reads, "complete": watcher.complete,
                                                             "violations": watcher.violations[:20],
                                                             "violation_count": len(watcher.violations)}}
        print(f"load: {name}: {total:.2f} s, {sum(r['rc'] == 0 for r in records)}/{args.n} built", file=sys.stderr)

    print("load: skopeo copy of every tag", file=sys.stderr)
    checks = []
    for name in phases:
        for r in phases[name]["records"]:
            ok, got = copy_out(args.registry, r["repo"])
            if r["rc"] != 0:
                # A failed build must leave no tag (these repositories are new), or a complete image.
                ok = ok or "manifest unknown" in got
                checks.append({"repo": r["repo"], "ok": ok, "detail": "" if ok else got})
                continue
            checks.append({"repo": r["repo"], "ok": ok and got == r["digest"],
                           "detail": got if not ok else ("" if got == r["digest"] else f"tag names {got}, build said {r['digest']}")})

    seq, par = phases["seq"], phases["par"]
    failed = [r for p in phases.values() for r in p["records"] if r["rc"] != 0]
    bad = [c for c in checks if not c["ok"]]
    violations = par["watcher"]["violation_count"]
    result = {"n": args.n, "size": args.size, "scale": args.scale, "phases": phases, "checks": checks,
              "ok": not failed and not bad and not violations}
    with open(os.path.join(args.work, "load.json"), "w") as f:
        json.dump(result, f, indent=1)

    rates = par["stats"]["rates"]
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    version = subprocess.run([args.sitepack, "--version"], capture_output=True, text=True).stdout.strip()
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"### {args.n} builds against one rate-limited registry ({args.size} sites)", ""]
    lines.append(f"Run {when} with `bash bench/run.sh --load {args.n} --load-size {args.size} --load-scale {args.scale:g}` "
                 f"on {os.cpu_count()} CPUs ({model}); {version}; a docker-registry on 127.0.0.1.")
    lines.append("")
    lines.append(f"Limits: ECR's default quotas × {args.scale:g}: "
                 + ", ".join(f"{op} {r:g}/s" for op, r in sorted(rates.items())) + ".")
    lines.append("")
    lines.append("| | total s | per build: median s | max s | builds ok | retries (sum) | 429 sent (with Retry-After) |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, label in (("seq", "one after the other"), ("par", f"all {args.n} at once")):
        p = phases[name]
        secs = [r["seconds"] for r in p["records"]]
        thr = sum(v["throttled"] for v in p["stats"]["ops"].values())
        ra = sum(v["retry_after"] for v in p["stats"]["ops"].values())
        retries = sum(r["retries"] or 0 for r in p["records"])
        lines.append(f"| {label} | {fmt(p['total'])} | {fmt(statistics.median(secs))} | {fmt(max(secs))} | "
                     f"{sum(r['rc'] == 0 for r in p['records'])}/{args.n} | {retries} | {thr} ({ra}) |")
    lines.append("")
    lines.append(f"All at once took {par['total'] / seq['total']:.2f}× the time of one after the other.")
    lines.append("")
    lines.append("Requests per build, by ECR operation (those the registry answered, in the one-after-the-other "
                 "phase; the limiter's 429s are not counted in them):")
    lines.append("")
    lines.append("| operation | requests per build | 429s per build, all at once |")
    lines.append("| --- | ---: | ---: |")
    pb_seq, pb_par = per_build(seq["stats"], args.n), per_build(par["stats"], args.n)
    for op in sorted(set(pb_seq) | set(pb_par)):
        lines.append(f"| {op} | {pb_seq.get(op, {}).get('forwarded', 0):.1f} | {pb_par.get(op, {}).get('throttled', 0):.2f} |")
    w = par["watcher"]
    lines.append("")
    lines.append(f"- every build succeeded: {'yes' if not failed else 'NO: ' + ', '.join(r['repo'] for r in failed)}")
    lines.append(f"- no tag named an incomplete image while the builds ran: "
                 f"{'yes' if not violations else f'NO ({violations} times)'} "
                 f"({w['reads']} reads of the tags, {w['complete']} of them found an image and checked its blobs)")
    lines.append(f"- every tag of both phases copied out whole by skopeo, with the digest its build reported "
                 f"(a failed build's repository has no tag): "
                 f"{'yes' if not bad else 'NO: ' + '; '.join(c['repo'] + ': ' + c['detail'] for c in bad[:5])}")
    text = "\n".join(lines) + "\n"
    with open(args.out, "w") as f:
        f.write(text)
    sys.stdout.write(text)
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
