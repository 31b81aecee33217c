#!/usr/bin/env bash
# Two sitepack binaries, before and after a change, measured by the same
# benchmark in turns (A B B A …, so a drift of the machine falls on both),
# without the peers; the medians of sitepack's rows side by side.
#
#   bash bench/ab.sh BEFORE AFTER [--pairs N] [--sizes LIST] [--runs N]
#
# BEFORE and AFTER are built binaries (for a commit:
#   git worktree add /tmp/before COMMIT && (cd /tmp/before && cargo build --release --locked)).
# Writes bench/results/ab.md; each run's own table is kept in BENCH_DIR/ab/.
# bench/results/latest.md is left as it was.
set -euo pipefail

pairs=2
sizes=small,medium,large
runs=5
(($# >= 2)) || { sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2; }
before=$(readlink -f "$1") after=$(readlink -f "$2")
shift 2
while (($#)); do
    case $1 in
    --pairs) pairs=${2:?--pairs needs a count}; shift 2 ;;
    --sizes) sizes=${2:?--sizes needs a list}; shift 2 ;;
    --runs) runs=${2:?--runs needs a count}; shift 2 ;;
    *) echo "ab.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
for b in "$before" "$after"; do [[ -x $b ]] || { echo "ab.sh: not an executable: $b" >&2; exit 2; }; done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${BENCH_DIR:-/var/tmp/sitepack-bench}/ab
rm -rf "$out" && mkdir -p "$out"
latest=$root/bench/results/latest.md
saved=$(mktemp)
cp "$latest" "$saved"
trap 'cp "$saved" "$latest"; rm -f "$saved"' EXIT

start=$SECONDS
for ((p = 1; p <= pairs; p++)); do
    # A B in odd pairs, B A in even ones.
    order=(before after)
    ((p % 2 == 0)) && order=(after before)
    for label in "${order[@]}"; do
        bin=$before
        [[ $label == after ]] && bin=$after
        echo "== pair $p: $label ($bin)" >&2
        SITEPACK=$bin bash "$root/bench/run.sh" --no-build --no-peers --sizes "$sizes" --runs "$runs" >/dev/null
        cp "$latest" "$out/$p-$label.md"
    done
done

python3 - "$out" "$before" "$after" "$((SECONDS - start))" >"$root/bench/results/ab.md" <<'EOF'
import pathlib, re, statistics, subprocess, sys, datetime
out, before, after, wall = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
rows = {"cold": "sitepack, cold", "unchanged": "sitepack, unchanged", "edit": "sitepack, one page edited"}
# {(label, size, scenario): [median of each run]}
seen = {}
for f in sorted(out.glob("*.md")):
    label = f.stem.split("-", 1)[1]
    size = None
    for line in f.read_text().splitlines():
        m = re.match(r"### (\w+):", line)
        if m:
            size = m.group(1)
        for key, start in rows.items():
            if size and line.startswith("| " + start):
                seen.setdefault((label, size, key), []).append(float(line.split("|")[2]))
def version(b):
    return subprocess.run([b, "--version"], capture_output=True, text=True).stdout.strip()
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
print(f"# sitepack before and after\n\nRun {now} with `bash bench/ab.sh` ({wall} s in all): "
      f"each binary's rows from {len(list(out.glob('*-before.md')))} runs of `bench/run.sh --no-peers`, "
      "taken in turns (A B, then B A). A cell: the median over the runs of each run's median, seconds; "
      "in brackets, each run's median.\n")
print(f"- before: `{before}` ({version(before)})\n- after: `{after}` ({version(after)})\n")
print("| site | scenario | before | after | after ÷ before |\n| --- | --- | ---: | ---: | ---: |")
sizes = []
for (_, size, _) in seen:
    if size not in sizes:
        sizes.append(size)
for size in sizes:
    for key in rows:
        b, a = seen.get(("before", size, key)), seen.get(("after", size, key))
        if not b or not a:
            continue
        mb, ma = statistics.median(b), statistics.median(a)
        fmt = lambda xs: ", ".join(f"{x:.3f}" for x in xs)
        print(f"| {size} | {key} | {mb:.3f} ({fmt(b)}) | {ma:.3f} ({fmt(a)}) | {ma / mb:.2f} |")
EOF
cat "$root/bench/results/ab.md"
