#!/usr/bin/env python3
"""Turns bench/run.sh's raw results (hyperfine JSON, sitepack --json
summaries, /usr/bin/time and registry-growth records) into a markdown report,
printed on stdout and written to --out.

    report.py --run RUN_DIR --sitepack BIN --root REPO --runs N --wall SECONDS --out FILE
"""

import argparse
import datetime
import glob
import json
import os
import platform
import subprocess
import sys

SIZES = ["small", "medium", "large"]

# name, label, floor used for "x floor", what "bytes uploaded" means
SCENARIOS = [
    ("sp-cold", "sitepack, cold (new repository, base in the registry)", "cold"),
    ("sp-unchanged", "sitepack, unchanged (fresh copy, same repository)", "sha256"),
    ("sp-edit", "sitepack, one page edited (same repository)", "cold"),
    ("buildah", "buildah bud + buildah push (new repository)", "cold"),
    ("umoci", "umoci insert ×3 + config, skopeo copy (new repository)", "cold"),
    ("floor-sha256", "floor: tar | sha256sum", None),
    ("floor-pigz", "floor: tar | pigz -1 ({cpus} CPUs)", None),
    ("floor-upload", "floor: curl monolithic upload of tar | gzip -1", None),
]


def sh(*cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip()
    except (OSError, subprocess.SubprocessError):
        return "n/a"


def first_line(s):
    return s.splitlines()[0] if s else "n/a"


def machine(args):
    model = "n/a"
    for line in sh("lscpu").splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    mem = "n/a"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    osname = "n/a"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    commit = sh("git", "-C", args.root, "rev-parse", "--short", "HEAD")
    if sh("git", "-C", args.root, "status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    return {
        "cpus": sh("nproc"),
        "model": model,
        "mem": mem,
        "kernel": platform.release(),
        "os": osname,
        "versions": [
            ("sitepack", f"{first_line(sh(args.sitepack, '--version'))}, commit {commit}"),
            ("buildah", first_line(sh("buildah", "--version"))),
            ("umoci", first_line(sh("umoci", "--version"))),
            ("skopeo", first_line(sh("skopeo", "--version"))),
            ("docker-registry", first_line(sh("docker-registry", "--version"))),
            ("hyperfine", first_line(sh("hyperfine", "--version"))),
            ("pigz", first_line(sh("pigz", "--version"))),
            ("curl", first_line(sh("curl", "--version"))),
        ],
    }


def load_meta(run):
    meta = {}
    path = os.path.join(run, "results", "meta.jsonl")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    meta[(r["size"], r["scenario"], r["key"])] = r["value"]
    return meta


def load_hyperfine(run, size, name):
    path = os.path.join(run, "results", f"{size}-{name}.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        res = json.load(f)["results"][0]
    times = res["times"]
    return {"median": res["median"], "min": res["min"], "max": res["max"], "n": len(times)}


def sitepack_summaries(run, size, name):
    """sitepack --json summaries of a scenario's runs (not the priming build)."""
    out = []
    for path in sorted(glob.glob(os.path.join(run, "out", f"{name}-{size}-*.json"))):
        if path.endswith("-prime.json"):
            continue
        try:
            with open(path) as f:
                out.append(json.load(f))
        except (OSError, ValueError):
            pass
    return out


def sitepack_uploads(summaries):
    """bytes_uploaded as sitepack reports it, with what it was made of."""
    ups = [s["bytes_uploaded"] for s in summaries if s.get("bytes_uploaded") is not None]
    if not ups:
        return "—"
    text = fmt_bytes(ups[0]) if min(ups) == max(ups) else f"{fmt_bytes(min(ups))}–{fmt_bytes(max(ups))}"
    last = summaries[-1]
    blobs = [b for b in (last.get("blobs") or []) if b.get("action") == "uploaded"]
    rest = last.get("bytes_uploaded", 0) - sum(b.get("size", 0) for b in blobs)
    parts = [f"{len(blobs)} blob{'s' if len(blobs) != 1 else ''}"] if blobs else []
    if rest > 0:
        parts.append("manifest" if blobs else "manifest only")
    return f"{text} ({' + '.join(parts)})" if parts else text


def md(text):
    """Escapes a table cell."""
    return text.replace("|", "\\|")


def fmt_s(x):
    if x is None:
        return "—"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def fmt_bytes(n):
    if n is None:
        return "—"
    n = float(n)
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(n) >= div:
            return f"{n / div:.2f} {unit}"
    return f"{int(n)} B"


def fmt_ratio(x):
    return "—" if x is None else f"×{x:.2f}"


def size_section(args, size, meta, cpus):
    files = meta.get((size, "site", "files"))
    nbytes = meta.get((size, "site", "bytes"))
    blob = meta.get((size, "floor-upload", "blob_bytes"))
    t = {name: load_hyperfine(args.run, size, name) for name, _, _ in SCENARIOS}
    med = {k: (v["median"] if v else None) for k, v in t.items()}

    cold_floor = None
    if med["floor-sha256"] is not None and med["floor-upload"] is not None:
        cold_floor = med["floor-sha256"] + med["floor-upload"]
    floors = {"cold": cold_floor, "sha256": med["floor-sha256"]}
    sp = med["sp-cold"]

    layer = None
    cold = sitepack_summaries(args.run, size, "sp-cold")
    if cold:
        for layer_info in cold[0].get("layers", []):
            if "site/" in layer_info.get("created_by", ""):
                layer = layer_info.get("size")

    lines = []
    head = f"### {size}: {files:,} files, {fmt_bytes(nbytes)}" if files else f"### {size}"
    extra = []
    if blob:
        extra.append(f"tar | gzip -1: {fmt_bytes(blob)}")
    if layer:
        extra.append(f"sitepack's site layer: {fmt_bytes(layer)}")
    if extra:
        head += " (" + "; ".join(extra) + ")"
    lines.append(head)
    lines.append("")
    lines.append("| scenario | median s | min s | max s | × floor | ÷ sitepack cold | bytes uploaded | peak RSS |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, label, floor_kind in SCENARIOS:
        label = md(label.format(cpus=cpus))
        r = t[name]
        if meta.get((size, name, "failed")) and r is None:
            lines.append(f"| {label} | failed | | | | | | |")
            continue
        if r is None:
            lines.append(f"| {label} | not run | | | | | | |")
            continue
        floor = floors.get(floor_kind) if floor_kind else None
        ratio_floor = r["median"] / floor if floor else None
        ratio_sp = r["median"] / sp if (sp and not name.startswith("floor")) else None
        floor_note = {"cold": " (hash+upload)", "sha256": " (hash)"}.get(floor_kind, "")
        if name.startswith("sp-"):
            up = sitepack_uploads(sitepack_summaries(args.run, size, name))
        elif name == "floor-upload":
            up = fmt_bytes(blob)
        elif name.startswith("floor"):
            up = "—"
        else:
            g = meta.get((size, name, "storage_growth"))
            up = fmt_bytes(g) + " †" if g is not None else "—"
        rss = meta.get((size, name, "rss_kb"))
        rss = fmt_bytes(rss * 1024) if isinstance(rss, (int, float)) else "—"
        lines.append(
            f"| {label} | {fmt_s(r['median'])} | {fmt_s(r['min'])} | {fmt_s(r['max'])} | "
            f"{fmt_ratio(ratio_floor)}{floor_note if ratio_floor else ''} | {fmt_ratio(ratio_sp)} | {up} | {rss} |"
        )
    if cold_floor is not None:
        lines.append(f"| floor: hash + upload (sum of the two medians) | {fmt_s(cold_floor)} | | | | | | |")
    wall = meta.get((size, "all", "wall_seconds"))
    if wall is not None:
        lines.append("")
        lines.append(f"This size took {wall} s of wall time (setup, measured runs and all timed runs).")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--sitepack", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--wall", type=int)
    ap.add_argument("--out")
    args = ap.parse_args()

    meta = load_meta(args.run)
    m = machine(args)
    sizes = [s for s in SIZES if (s, "site", "files") in meta]

    lines = ["# sitepack benchmark", ""]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines.append(f"Run {now} with `bash bench/run.sh --sizes {','.join(sizes)} --runs {args.runs}`"
                 + (f" ({args.wall} s in all)." if args.wall is not None else "."))
    lines.append("")
    lines.append(f"- machine: {m['cpus']} CPUs ({m['model']}), {m['mem']} memory, {m['os']}, kernel {m['kernel']}")
    for name, ver in m["versions"]:
        lines.append(f"- {name}: {ver}")
    lines.append("")
    for size in sizes:
        lines += size_section(args, size, meta, m["cpus"])
        lines.append("")
    lines += [
        "How to read this:",
        "",
        f"- Times are wall-clock seconds over {args.runs} hyperfine runs per row (median, min, max), "
        "against a docker-registry on 127.0.0.1 (no network latency or bandwidth limit: upload floors are loopback floors).",
        "- × floor: the row's median over the floor named in brackets. *hash+upload* = median of "
        "`tar | sha256sum` + median of one monolithic curl upload of `tar | gzip -1` (what any tool must at least do "
        "to read the site and send it once); *hash* = `tar | sha256sum` alone (an unchanged rebuild must still read "
        "and hash every byte).",
        "- ÷ sitepack cold: the row's median over sitepack's cold median (above 1 = slower than sitepack).",
        "- bytes uploaded: for sitepack, `bytes_uploaded` from its `--json` summary (in brackets: how many blobs "
        "it uploaded, and whether the total includes the manifest). † = growth of the blob data in the registry's "
        "storage (sum of the file sizes under `docker/registry/v2/blobs`) across one extra run, the first of its kind "
        "on this site, so its blobs were new to the registry; a base layer mounted from `base/httpd` adds nothing, "
        "the manifest and config count.",
        "- peak RSS: `Maximum resident set size` of `/usr/bin/time -v` around one extra run: the largest single "
        "process (for buildah and umoci + skopeo, the biggest of the commands in the pipeline).",
        "- Every cold run pushes to a new repository; repositories of earlier runs are removed before each run so "
        "neither sitepack nor containers/image's blob info cache (buildah, skopeo) can mount an earlier run's "
        "layers. Only the base is there to mount, for every tool.",
    ]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
