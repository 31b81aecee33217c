#!/usr/bin/env python3
"""Cost as the work grows (bench/run.sh --series): generated sites from 1 MB
up to sitepack's default limits (2 GiB; 100,000 files), each built cold
(a new repository) and unchanged (into the repository that has it), 3 runs
each, every run under /usr/bin/time -v: wall time and peak RSS. Writes
bench/results/series.md (the table and the growth) and series.svg (the
plot, drawn here by hand: standard library only).

    series.py --sitepack BIN --registry HOST:PORT --base REF --htpasswd FILE
              --conf FILE --work DIR --results DIR [--points a,b,...] [--runs N]

The sites: pages of 8 KB (words, from gen_site.py's vocabulary, 30 % of the
bytes) and media of 512 KB (random bytes, 70 %), like the benchmark's large
site; the file-count point is 99,000 pages of 2 KB and no media (with their
folders, under the 100,000-entry default). Each is generated once under WORK
(again when this file or gen_site.py changes).
"""

import argparse
import hashlib
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_site  # noqa: E402  (the vocabulary and page shapes of the benchmark's sites)

MB = 1_000_000
GIB = 1 << 30
# name: (total bytes, share of media, page size) ; the file point sets its count instead
POINTS = {
    "1MB": (1 * MB, 0.7, 8192),
    "10MB": (10 * MB, 0.7, 8192),
    "100MB": (100 * MB, 0.7, 8192),
    "1GB": (1000 * MB, 0.7, 8192),
    "2GiB": (2 * GIB - 64 * MB, 0.7, 8192),
    "99k-files": (99_000 * 2048, 0.0, 2048),
}
MEDIA = 512 * 1024


def generate(name, top):
    total, media_share, page = POINTS[name]
    rng = random.Random(f"sitepack-series-{name}")
    vocab = gen_site.vocabulary(random.Random(gen_site.SEED))
    # A pool of paragraphs, so that 600 MB of pages take seconds, not minutes;
    # large enough that a 32 KiB deflate window rarely sees one twice.
    pool = [gen_site.words_text(rng, vocab, rng.randint(300, 900)).strip() for _ in range(4000)]
    site = os.path.join(top, "site", "bench")
    media_bytes = int(total * media_share)
    pages = (total - media_bytes) // page
    for i in range(pages):
        head = f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>page {i}</title></head><body>\n"
        body = []
        n = len(head)
        while n < page:
            p = "<p>" + rng.choice(pool) + "</p>\n"
            body.append(p)
            n += len(p)
        data = (head + "".join(body))[: page - 15] + "</body></html>\n"
        gen_site.write(os.path.join(site, "pages", f"{i // 1000:03d}", f"page-{i:06d}.html"), data.encode())
    for i in range(media_bytes // MEDIA):
        ext = gen_site.IMG_EXT[i % len(gen_site.IMG_EXT)]
        gen_site.write(os.path.join(site, "media", f"{i // 500:02d}", f"m-{i:05d}.{ext}"), rng.randbytes(MEDIA))


def ensure(name, work):
    top = os.path.join(work, name)
    me = hashlib.sha256()
    for f in (__file__, gen_site.__file__):
        with open(f, "rb") as fh:
            me.update(fh.read())
    stamp = f"{me.hexdigest()} {name}\n"
    stamp_path = os.path.join(top, ".stamp")
    if os.path.exists(stamp_path) and open(stamp_path).read() == stamp:
        return top
    print(f"series: generating {name} in {top}", file=sys.stderr)
    subprocess.run(["rm", "-rf", top], check=True)
    generate(name, top)
    with open(stamp_path, "w") as f:
        f.write(stamp)
    return top


def build(args, site, repo, log):
    """One build under /usr/bin/time -v: (wall seconds, peak RSS bytes, summary)."""
    out = os.path.join(args.work, "out.json")
    tv = os.path.join(args.work, "time.txt")
    cmd = ["/usr/bin/time", "-v", "-o", tv, args.sitepack, "build", "--base", args.base,
           "--image", f"{args.registry}/{repo}:1", "--site", os.path.join(site, "site"),
           "--htpasswd", args.htpasswd, "--httpd-conf", args.conf, "--json"]
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    with open(out, "w") as o, open(log, "a") as e:
        t = time.monotonic()
        rc = subprocess.run(cmd, stdout=o, stderr=e, env=env, cwd=args.work).returncode
        secs = time.monotonic() - t
    if rc != 0:
        raise SystemExit(f"series: build of {site} into {repo} failed (exit {rc}); see {log}")
    rss = 0
    for line in open(tv):
        if "Maximum resident set size" in line:
            rss = int(line.split(":")[1]) * 1024
    return secs, rss, json.load(open(out))


def fit(xs, ys):
    """Least-squares line y = a + b x."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return my - b * mx, b


def svg(rows, path):
    """Two panels against the site's MB (log): seconds (log), and peak RSS
    (linear, with the 64 MiB target). Lines join the byte series; the
    file-count point is a square of its own."""
    W, H, L, R, T, B, GAP = 780, 340, 70, 20, 30, 50, 80
    pw = (W - L - R - GAP) // 2
    ph = H - T - B
    by = [r for r in rows if not r["name"].endswith("files")]
    fp = [r for r in rows if r["name"].endswith("files")]
    xs = [r["bytes"] / MB for r in rows]
    x0, x1 = math.log10(min(xs)) - 0.1, math.log10(max(xs)) + 0.1

    def panel(ox, title, keys, ylabel, log, ymax=None, target=None):
        ys = [r[k] for r in rows for k, _, _ in keys]
        if log:
            y0, y1 = math.log10(min(ys)) - 0.15, math.log10(max(ys)) + 0.15
            fy = math.log10
            ticks = [10**e for e in range(math.ceil(y0), math.floor(y1) + 1)]
        else:
            y0, y1 = 0.0, ymax
            fy = float
            ticks = [v for v in range(0, int(ymax) + 1, 16)]
        px = lambda x: ox + (math.log10(x) - x0) / (x1 - x0) * pw  # noqa: E731
        py = lambda y: T + ph - (fy(y) - y0) / (y1 - y0) * ph  # noqa: E731
        out = [f'<rect x="{ox}" y="{T}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>',
               f'<text x="{ox + pw / 2}" y="{T - 10}" text-anchor="middle" font-size="13">{title}</text>',
               f'<text x="{ox + pw / 2}" y="{H - 12}" text-anchor="middle" font-size="11">site size, MB (log)</text>',
               f'<text x="{ox - 45}" y="{T + ph / 2}" font-size="11" transform="rotate(-90 {ox - 45} {T + ph / 2})"'
               f' text-anchor="middle">{ylabel}</text>']
        for e in range(math.ceil(x0), math.floor(x1) + 1):
            x = px(10**e)
            out.append(f'<line x1="{x:.1f}" y1="{T + ph}" x2="{x:.1f}" y2="{T + ph + 4}" stroke="#888"/>')
            out.append(f'<text x="{x:.1f}" y="{T + ph + 16}" text-anchor="middle" font-size="10">{10**e:g}</text>')
        for v in ticks:
            y = py(v)
            out.append(f'<line x1="{ox}" y1="{y:.1f}" x2="{ox + pw}" y2="{y:.1f}" stroke="#eee"/>')
            out.append(f'<text x="{ox - 4}" y="{y + 3:.1f}" text-anchor="end" font-size="10">{v:g}</text>')
        if target:
            y = py(target[0])
            out.append(f'<line x1="{ox}" y1="{y:.1f}" x2="{ox + pw}" y2="{y:.1f}" stroke="#555" stroke-dasharray="4 3"/>')
            out.append(f'<text x="{ox + pw - 4}" y="{y - 4:.1f}" text-anchor="end" font-size="10">{target[1]}</text>')
        for i, (key, label, color) in enumerate(keys):
            pts = [(r["bytes"] / MB, r[key]) for r in by]
            d = " ".join(f"{'M' if j == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for j, (x, y) in enumerate(pts))
            out.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="2"/>')
            for x, y in pts:
                out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"/>')
            for r in fp:
                x, y = px(r["bytes"] / MB), py(r[key])
                out.append(f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="none" stroke="{color}"'
                           ' stroke-width="2"/>')
            out.append(f'<text x="{ox + 8}" y="{T + 16 + 14 * i}" font-size="11" fill="{color}">{label}</text>')
        if fp:
            out.append(f'<text x="{ox + 8}" y="{T + 16 + 14 * len(keys)}" font-size="11" fill="#555">'
                       f'□ {fp[0]["files"]:,} files of 2 KB</text>')
        return out

    for r in rows:
        r["rss_cold_mib"], r["rss_unchanged_mib"] = r["rss_cold"] / 2**20, r["rss_unchanged"] / 2**20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif">',
             f'<rect width="{W}" height="{H}" fill="white"/>']
    parts += panel(L, "time (median of the runs)", [("cold", "cold", "#c0392b"), ("unchanged", "unchanged", "#2471a3")],
                   "seconds (log)", log=True)
    parts += panel(L + pw + GAP, "peak RSS", [("rss_cold_mib", "cold", "#c0392b"),
                                              ("rss_unchanged_mib", "unchanged", "#2471a3")],
                   "MiB", log=False, ymax=80, target=(64, "64 MiB target"))
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    ap = argparse.ArgumentParser()
    for a in ("sitepack", "registry", "base", "htpasswd", "conf", "work", "results"):
        ap.add_argument(f"--{a}", required=True)
    ap.add_argument("--points", default=",".join(POINTS))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--plot-only", action="store_true", help="redraw series.svg from WORK/series.json")
    args = ap.parse_args()
    if args.plot_only:
        with open(os.path.join(args.work, "series.json")) as f:
            svg(json.load(f), os.path.join(args.results, "series.svg"))
        return
    os.makedirs(args.work, exist_ok=True)
    log = os.path.join(args.work, "builds.log")
    rows = []
    for name in args.points.split(","):
        site = ensure(name, args.work)
        files, nbytes = gen_site.stats(os.path.join(site, "site"))
        subprocess.run(f"tar -C {site}/site -cf - . >/dev/null", shell=True, check=True)  # warm the page cache
        cold, same, rss_c, rss_u = [], [], [], []
        for i in range(args.runs):
            secs, rss, _ = build(args, site, f"series/{name.lower()}-{i}", log)
            cold.append(secs)
            rss_c.append(rss)
        for _ in range(args.runs):
            secs, rss, summary = build(args, site, f"series/{name.lower()}-{args.runs - 1}", log)
            assert summary.get("bytes_uploaded", 0) < 64 * 1024, "an unchanged build sent no blob"
            same.append(secs)
            rss_u.append(rss)
        row = {"name": name, "files": files, "bytes": nbytes, "cold": statistics.median(cold),
               "unchanged": statistics.median(same), "rss_cold": max(rss_c), "rss_unchanged": max(rss_u)}
        rows.append(row)
        print(f"series: {name}: {files} files, {nbytes / MB:.0f} MB: cold {row['cold']:.2f} s, "
              f"unchanged {row['unchanged']:.2f} s, RSS {row['rss_cold'] / 2**20:.0f} MiB", file=sys.stderr)

    lines = ["| site | files | MB | cold s | unchanged s | cold MB/s | unchanged MB/s | peak RSS cold | peak RSS unchanged |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        mb = r["bytes"] / MB
        lines.append(f"| {r['name']} | {r['files']:,} | {mb:,.0f} | {r['cold']:.3f} | {r['unchanged']:.3f} | "
                     f"{mb / r['cold']:.0f} | {mb / r['unchanged']:.0f} | {r['rss_cold'] / 2**20:.0f} MiB | "
                     f"{r['rss_unchanged'] / 2**20:.0f} MiB |")
    lines.append("")
    by = [r for r in rows if not r["name"].endswith("files")]
    if len(by) >= 2:
        for kind in ("cold", "unchanged"):
            a, b = fit([r["bytes"] / MB for r in by], [r[kind] for r in by])
            lines.append(f"- {kind}: {b * 1000:.2f} ms per MB over the byte series (least squares; "
                         f"{a * 1000:.0f} ms at 0 MB)")
    fp = [r for r in rows if r["name"].endswith("files")]
    if fp and len(by) >= 2:
        r = fp[0]
        for kind in ("cold", "unchanged"):
            a, b = fit([x["bytes"] / MB for x in by], [x[kind] for x in by])
            extra = r[kind] - (a + b * r["bytes"] / MB)
            lines.append(f"- {kind}, {r['files']:,} files of 2 KB: {r[kind]:.2f} s, {extra * 1000:+.0f} ms against "
                         f"the byte series' line at the same MB: {extra / r['files'] * 1e6:+.1f} µs per file")
    rss = [r["rss_cold"] for r in rows] + [r["rss_unchanged"] for r in rows]
    lines.append(f"- peak RSS from {min(rss) / 2**20:.0f} to {max(rss) / 2**20:.0f} MiB across all points")
    text = "\n".join(lines) + "\n"
    os.makedirs(args.results, exist_ok=True)
    with open(os.path.join(args.results, "series.md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.work, "series.json"), "w") as f:
        json.dump(rows, f, indent=1)
    svg(rows, os.path.join(args.results, "series.svg"))
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
