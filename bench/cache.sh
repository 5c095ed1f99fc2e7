#!/usr/bin/env bash
# bench/cache.sh: the persistent code cache (-cache DIR), first run (empty
# cache) against second run (the cache filled by an earlier run of the same
# input), on the inputs the cache's goals name:
#
#   - the 2,000-function Kaleidoscope program (go run ./kaleidoscope/cmd/kgen
#     2000): whole-process wall time of `gorc kaleido p.k`; goal: the second
#     run at least 5x faster than the first;
#   - the same program as IR (`gorc kaleido -emit ir`), `gorc run p.ll`;
#   - the sqlite driver (bench/drivers/sqlite.c with Debian's libsqlite3.a):
#     JIT overhead of `gorc run` = whole-process wall time minus the run
#     phase gorc reports itself (-show-times, as bench/peers.sh); goal: the
#     second run's overhead at most a third of the first's.
#
# Each round runs, for every input, one first run (in a fresh, empty cache
# directory) and one second run (in a directory an earlier run filled), in
# alternation, so a burst of load from other jobs on this shared machine
# lands on both alike; cells are medians over RUNS rounds (default 7).
# Outputs are checked equal between the first and the second run. Prints a
# Markdown table on stdout and keeps it in $OUT (default
# bench/results/cache.md); the figures, machine-readable, go to
# $RESULTS/cache.tsv (default bench/results).
#
# Usage: bash bench/cache.sh [path/to/gorc]   (run from the repository root)
set -euo pipefail

GORC=${1:-bin/gorc}
RUNS=${RUNS:-7}
OUT=${OUT:-bench/results/cache.md}
RESULTS=${RESULTS:-bench/results}
# shellcheck source=bench/tsv.sh
. bench/tsv.sh
LIB=/usr/lib/x86_64-linux-gnu
for t in gcc python3; do
	command -v "$t" >/dev/null || { echo "bench/cache.sh: $t is required (run scripts/deps.sh)" >&2; exit 1; }
done
[ -x "$GORC" ] || { echo "bench/cache.sh: $GORC not built (make build)" >&2; exit 1; }
[ -f "$LIB/libsqlite3.a" ] || { echo "bench/cache.sh: $LIB/libsqlite3.a is required (libsqlite3-dev)" >&2; exit 1; }
GORC=$(realpath "$GORC")
W=$(mktemp -d /tmp/gorc-bench-cache.XXXXXX)
trap 'rm -rf "$W"' EXIT

go run ./kaleidoscope/cmd/kgen 2000 >"$W/p.k"
"$GORC" kaleido -no-cache -emit ir -o "$W/p.ll" "$W/p.k"
gcc -O2 -c bench/drivers/sqlite.c -o "$W/sqlite.o"

mkdir -p "$(dirname "$OUT")"
python3 - "$W" "$RUNS" "$GORC" "$LIB" <<'PYEOF' | tee "$OUT"
import os, re, shutil, statistics, subprocess, sys, time
w, runs, gorc, lib = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
cases = [
    ("kaleido p.k (2,000 functions)", "wall", [gorc, "kaleido", "p.k"], 5.0),
    ("run p.ll (the same program as IR)", "wall", [gorc, "run", "p.ll"], None),
    ("run sqlite.o libsqlite3.a -lm (JIT overhead)", "overhead",
     [gorc, "run", "-show-times", "sqlite.o", f"{lib}/libsqlite3.a", "-lm"], 3.0),
]
def dur(s):
    m = re.fullmatch(r"([0-9.]+)(ns|µs|us|ms|s)", s)
    return float(m.group(1)) * {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1, "s": 1000}[m.group(2)]
def once(argv, cache, measure):
    args = argv[:2] + ["-cache", cache] + argv[2:]
    t = time.perf_counter()
    r = subprocess.run(args, cwd=w, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = (time.perf_counter() - t) * 1000
    if r.returncode != 0:
        sys.exit(f"bench/cache.sh: {' '.join(args)}: exit {r.returncode}\n{r.stderr}")
    if measure == "overhead":
        before = dur(re.search(r"total before run (\S+)", r.stderr).group(1))
        exited = dur(re.search(r"program exited (\S+) after gorc started", r.stderr).group(1))
        links.append(dur(re.search(r"link (\S+) \(", r.stderr).group(1)))
        return wall - (exited - before), r.stdout
    return wall, r.stdout
results = []
links = []  # link phases of the overhead runs
links_first, links_second = [], []
for i, (name, measure, argv, goal) in enumerate(cases):
    warm = f"{w}/warm{i}"
    _, want = once(argv, warm, measure)  # fills the warm cache; reference output
    first, second = [], []
    for r in range(runs):
        cold = f"{w}/cold{i}-{r}"
        n = len(links)
        v, out = once(argv, cold, measure)
        first.append(v)
        links_first.extend(links[n:])
        if out != want:
            sys.exit(f"bench/cache.sh: {name}: first run's output differs")
        n = len(links)
        v, out = once(argv, warm, measure)
        second.append(v)
        links_second.extend(links[n:])
        if out != want:
            sys.exit(f"bench/cache.sh: {name}: second run's output differs")
        shutil.rmtree(cold)
    results.append((name, measure, statistics.median(first), statistics.median(second), goal))
load = open("/proc/loadavg").read().split()[:3]
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "unknown"
print(f"# bench/cache.sh, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, gorc at {commit}")
print()
print(f"## Persistent code cache: first run (empty cache) vs second run (median of {runs}, ms)")
print()
print(f"Machine: {os.cpu_count()} cores, load average at the end {' '.join(load)}. "
      "First and second runs in alternation; outputs checked equal.")
print()
print("| input | measured | first run | second run | first/second | goal | met |")
print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
with open(f"{w}/cache.rows", "w") as tsv:
    print("input\tmeasured\tfirst_ms\tsecond_ms\tratio\tgoal", file=tsv)
    for name, measure, f, s, goal in results:
        print(f"{name}\t{measure}\t{f:.1f}\t{s:.1f}\t{f / s:.2f}\t{goal or '-'}", file=tsv)
for name, measure, f, s, goal in results:
    ratio = f / s
    what = "wall time" if measure == "wall" else "wall − run phase"
    met = "–" if goal is None else ("yes" if ratio >= goal else "no")
    g = "–" if goal is None else f"≥ {goal:.0f}x"
    print(f"| {name} | {what} | {f:.1f} | {s:.1f} | {ratio:.2f} | {g} | {met} |")
print()
print("The sqlite row's second run replays the linked image (docs/RUN.md, \"The linked-image cache\"): "
      "parsing, archive member selection and linking are skipped; the first run also records and stores the image.")
if links_first:
    print()
    print(f"Link phase of the sqlite runs (-show-times, median): first run {statistics.median(links_first):.1f} ms "
          f"(linking, and recording the image), second run {statistics.median(links_second):.1f} ms (replaying the image).")
PYEOF
mkdir -p "$RESULTS"
{
	tsv_head "bench/cache.sh, median of $RUNS rounds, ms: first run (empty cache) and second run (filled cache); measured wall = whole process, overhead = wall minus the run phase; table: $OUT"
	cat "$W/cache.rows"
} >"$RESULTS/cache.tsv"
