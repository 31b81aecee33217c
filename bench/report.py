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
import statistics
import subprocess
import sys

SIZES = ["small", "medium", "large"]

# name, label, the scenario whose floor "× floor" uses
SCENARIOS = [
    ("sp-cold", "sitepack, cold (new repository, base in the registry)", "cold"),
    ("sp-unchanged", "sitepack, unchanged (fresh copy, same repository)", "unchanged"),
    ("sp-edit", "sitepack, one page edited (same repository)", "edit"),
    ("buildah", "buildah bud + buildah push (new repository)", "cold"),
    ("umoci", "umoci insert ×3 + config, skopeo copy (new repository)", "cold"),
    ("floor-sha1", "floor: tar | openssl dgst -sha256 (SHA-NI, one stream)", None),
    ("floor-sha2", "floor: the same, files split in two halves, both cores", None),
    ("floor-igzip2", "floor: tar | igzip -1 of the text (media is stored, as sitepack does), both cores", None),
    ("floor-push-cold", "floor: curl push of sitepack's cold blobs, base mounts, manifest, read-back (4 at once)", None),
    ("floor-push-edit", "floor: curl push of the blobs the edit changed, manifest, read-back (4 at once)", None),
    ("floor-requests", "floor: curl read the tag, PUT the manifest, read it back (one connection)", None),
    ("floor-curl-start", "curl's own start-up (`curl file:///dev/null`), taken off the curl floors", None),
]

# How many curl processes a curl floor starts: their start-up (the
# floor-curl-start row, about 8 ms each here: libcurl and its many libraries)
# is not part of any build's work, so the floors count without it.
CURLS = {"floor-push-cold": 3, "floor-push-edit": 3, "floor-requests": 1}

# The stages of each scenario that a build cannot skip. They may overlap (a
# build streams), so a scenario's floor is the largest of them, not the sum.
STAGES = {
    "cold": [("hash", "hash"), ("igzip, 2 cores", "floor-igzip2"), ("curl push", "floor-push-cold")],
    "unchanged": [("hash", "hash"), ("requests", "floor-requests")],
    "edit": [("hash", "hash"), ("curl push of the change", "floor-push-edit")],
}

# (what, sizes it applies to, row, floor key, limit)
TARGETS = [
    ("cold ≤ 1.3× its floor", ("medium", "large"), "sp-cold", "cold", 1.3),
    ("unchanged ≤ 1.0× `tar | openssl dgst -sha256` (one stream)", ("medium", "large"), "sp-unchanged", "floor-sha1", 1.0),
    ("small unchanged ≤ 1.3× its request floor (without curl's start-up)", ("small",), "sp-unchanged", "floor-requests", 1.3),
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
            ("igzip", first_line(sh("igzip", "--version"))),
            ("openssl", first_line(sh("openssl", "version"))),
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


def load_rounds(run, size):
    """Every row's times over the rounds (one hyperfine run per row per round)."""
    times = {}
    for path in sorted(glob.glob(os.path.join(run, "results", f"{size}-round-*.json"))):
        with open(path) as f:
            for res in json.load(f)["results"]:
                times.setdefault(res["command"], []).extend(res["times"])
    out = {}
    for name, ts in times.items():
        out[name] = {"median": statistics.median(ts), "min": min(ts), "max": max(ts), "n": len(ts)}
    return out


def stage_time(med, row):
    """A stage's median, without curl's start-ups for the curl floors; "hash"
    is the faster of one stream and the two halves on both cores."""
    if row == "hash":
        known = [med[r] for r in ("floor-sha1", "floor-sha2") if med.get(r) is not None]
        return min(known) if known else None
    t = med.get(row)
    if t is None or row not in CURLS:
        return t
    start = med.get("floor-curl-start")
    return None if start is None else max(t - CURLS[row] * start, 0.0)


def floors_of(med):
    """Each scenario's floor: (seconds, name of the largest stage), or None."""
    out = {}
    for scenario, stages in STAGES.items():
        known = [(stage_time(med, row), label) for label, row in stages if stage_time(med, row) is not None]
        out[scenario] = max(known) if len(known) == len(stages) else None
    return out


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
    t = load_rounds(args.run, size)
    med = {name: (t[name]["median"] if name in t else None) for name, _, _ in SCENARIOS}
    floors = floors_of(med)
    sp = med["sp-cold"]

    layers = None
    cold = sitepack_summaries(args.run, size, "sp-cold")
    if cold:
        layers = sum(1 for b in cold[0].get("blobs", []) if b.get("kind") == "layer" and b.get("action") == "uploaded")

    lines = []
    head = f"### {size}: {files:,} files, {fmt_bytes(nbytes)}" if files else f"### {size}"
    if layers:
        head += f" (sitepack's cold build uploads {layers} layer{'s' if layers != 1 else ''})"
    lines.append(head)
    lines.append("")
    lines.append("| scenario | median s | min s | max s | × floor | ÷ sitepack cold | bytes uploaded | peak RSS |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, label, floor_kind in SCENARIOS:
        label = md(label.format(cpus=cpus))
        r = t.get(name)
        if r is None:
            lines.append(f"| {label} | not run | | | | | | |")
            continue
        floor = floors.get(floor_kind) if floor_kind else None
        ratio_floor = f"{fmt_ratio(r['median'] / floor[0])} ({floor[1]})" if floor else "—"
        ratio_sp = r["median"] / sp if (sp and not name.startswith("floor")) else None
        if name.startswith("sp-"):
            up = sitepack_uploads(sitepack_summaries(args.run, size, name))
        elif name.startswith("floor-push") or name == "floor-requests":
            sent = meta.get((size, "floor-push-" + {"floor-requests": "same"}.get(name, name[11:]), "sent"))
            up = f"{fmt_bytes(sent[0])} ({sent[1]} blobs + manifest)" if sent else "—"
        elif name.startswith("floor"):
            up = "—"
        else:
            g = meta.get((size, name, "storage_growth"))
            up = fmt_bytes(g) + " †" if g is not None else "—"
        rss = meta.get((size, name, "rss_kb"))
        rss = fmt_bytes(rss * 1024) if isinstance(rss, (int, float)) else "—"
        n = "" if r["n"] == args.runs else f" ({r['n']} runs)"
        lines.append(
            f"| {label}{n} | {fmt_s(r['median'])} | {fmt_s(r['min'])} | {fmt_s(r['max'])} | "
            f"{ratio_floor} | {fmt_ratio(ratio_sp)} | {up} | {rss} |"
        )
    lines.append("")
    for scenario, stages in STAGES.items():
        f = floors[scenario]
        if f is None:
            continue
        parts = ", ".join(
            f"{label} {fmt_s(stage_time(med, row))}" + (f" (row − {CURLS[row]} curl start-ups)" if row in CURLS else "")
            for label, row in stages
        )
        total = sum(stage_time(med, row) for _, row in stages)
        ratio = t[{"cold": "sp-cold", "unchanged": "sp-unchanged", "edit": "sp-edit"}[scenario]]["median"] / total
        lines.append(f"- floor of {scenario}: the largest of ({parts}) = **{fmt_s(f[0])} s** ({f[1]}); "
                     f"their sum {fmt_s(total)} s (sitepack ×{ratio:.2f} it)")
    for name, label in (("sp-cold", "cold"), ("sp-unchanged", "unchanged"), ("sp-edit", "edit")):
        phases = {}
        for summary in sitepack_summaries(args.run, size, name):
            for k, v in (summary.get("timings_ms") or {}).items():
                phases.setdefault(k, []).append(v)
        if phases:
            lines.append(f"- sitepack {label}, its own phases (`timings_ms`, median over the runs): "
                         + ", ".join(f"{k} {statistics.median(v):g} ms" for k, v in phases.items()))
    fates = []
    for name in ("sp-cold", "buildah", "umoci"):
        f = meta.get((size, name, "base_layers"))
        if isinstance(f, dict):
            fates.append(f"{name} mounted {f['mounted']}, sent again {f['uploaded']}, found {f['found']}")
    if fates:
        lines.append("- the base's layers in each tool's measured cold run (registry access log): " + "; ".join(fates)
                     + (" — **a peer re-sent the base**" if any(
                         meta.get((size, n, "base_layers"), {}).get("uploaded") for n in ("buildah", "umoci")) else ""))
    failed = sorted(k[1] for k in meta if k[0] == size and k[2] == "failed")
    if failed:
        lines.append(f"- failed: {', '.join(failed)} (see the run's logs)")
    wall = meta.get((size, "all", "wall_seconds"))
    if wall is not None:
        lines.append(f"- this size took {wall} s of wall time (setup, measured runs and all rounds).")
    return lines, t, floors


def targets_section(per_size):
    """The issue's targets, per size, from the medians above."""
    sizes = [s for s in SIZES if s in per_size]
    lines = ["### Targets", "", "| target | " + " | ".join(sizes) + " |", "| --- |" + " --- |" * len(sizes)]
    for what, applies, row, floor_key, limit in TARGETS:
        cells = []
        for size in sizes:
            t, floors = per_size[size]["t"], per_size[size]["floors"]
            have = t.get(row)
            med = {k: v["median"] for k, v in t.items()}
            floor = floors[floor_key][0] if floors.get(floor_key) else stage_time(med, floor_key)
            if have is None or floor is None:
                cells.append("—")
                continue
            ratio = have["median"] / floor
            text = f"{ratio:.2f}×"
            cells.append(text + (" met" if ratio <= limit else " **not met**") if size in applies else f"({text})")
        lines.append(f"| {md(what)} | " + " | ".join(cells) + " |")
    cells = []
    for size in sizes:
        t = per_size[size]["t"]
        alts = [t[a]["median"] for a in ("buildah", "umoci") if a in t]
        if alts and "sp-cold" in t:
            x = min(alts) / t["sp-cold"]["median"]
            cells.append(f"{x:.1f}×" + (" met" if x >= 2 else " **not met**"))
        else:
            cells.append("—")
    lines.append("| cold ≥ 2× faster than the fastest alternative | " + " | ".join(cells) + " |")
    cells = []
    for size in sizes:
        meta = per_size[size]["meta"]
        rss = [meta.get((size, n, "rss_kb")) for n in ("sp-cold", "sp-unchanged", "sp-edit")]
        rss = [r for r in rss if isinstance(r, (int, float))]
        cells.append(f"{max(rss) / 1024:.0f} MiB" + (" met" if max(rss) <= 64 * 1024 else " **not met**") if rss else "—")
    lines.append("| peak RSS ≤ 64 MiB | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("(In brackets: the same measure where the issue sets no target.)")
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
    # When the run ended: its last record (so a report made again later keeps the run's time).
    stamp = os.path.getmtime(os.path.join(args.run, "results", "meta.jsonl"))
    now = datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines.append(f"Run {now} with `bash bench/run.sh --sizes {','.join(sizes)} --runs {args.runs}`"
                 + (f" ({args.wall} s in all)." if args.wall is not None else "."))
    lines.append("")
    lines.append(f"- machine: {m['cpus']} CPUs ({m['model']}), {m['mem']} memory, {m['os']}, kernel {m['kernel']}")
    for name, ver in m["versions"]:
        lines.append(f"- {name}: {ver}")
    lines.append("")
    per_size = {}
    for size in sizes:
        section, t, floors = size_section(args, size, meta, m["cpus"])
        per_size[size] = {"t": t, "floors": floors, "meta": meta}
        lines += section
        lines.append("")
    if per_size:
        lines += targets_section(per_size)
        lines.append("")
    lines += [
        "How to read this:",
        "",
        f"- Times are wall-clock seconds over {args.runs} rounds (median, min, max); each round runs every row "
        "once, one after the other, so the floors and the tools share whatever else the machine did at that moment. "
        "The registry is a docker-registry on 127.0.0.1 (no network latency or bandwidth limit), on the same two "
        "cores as the tools.",
        "- × floor: the row's median over its scenario's floor, named in brackets by its largest stage. A scenario's "
        "floor is the largest of the stages no correct build can skip (they can overlap, so not their sum): cold = "
        "hash of the site's tar on both cores, igzip -1 of its text on both cores (sitepack's compressor at its "
        "level; media goes in stored blocks), and curl pushing exactly the blobs sitepack uploaded, mounting the base "
        "blobs it mounted, then the manifest and its read-back, 4 transfers at once; unchanged = the hash on both "
        "cores (the faster of one stream and two halves), and the three requests any correct rebuild makes (read the tag, push the manifest, read it back); "
        "edit = the hash, and curl pushing the blobs the edit changed (as sitepack uploaded them), the manifest and "
        "its read-back. curl's own start-up (its row, × the curl processes a floor starts: 3 for a push, 1 for the "
        "requests) is taken off the curl floors: no build pays it. On this machine the CPU stages and the registry share two cores, so the true floor is "
        "somewhat above the largest stage; the sum of the stages, also given, is what they take when none can "
        "overlap another (each fills both cores).",
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
