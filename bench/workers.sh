#!/usr/bin/env bash
# bench/workers.sh: compile workers (gorc worker; issue 11's star topology)
# against compiling in the controller, on the inputs the issue names:
#
#   - the 2,000- and 10,000-function Kaleidoscope programs (go run
#     ./kaleidoscope/cmd/kgen N): whole-process wall time of
#     `gorc kaleido -no-cache -workers W p.k`;
#   - the 10,000-function program as IR (`gorc kaleido -emit ir`):
#     `gorc run -no-cache -workers W p.ll`;
#
# for W = 0 (compiled in the controller, the peer), 1, 2 and 4 local
# workers. Each round runs every (input, W) once, the W in alternation (in
# a rotated order each round), so a burst of load from other jobs lands on
# all alike; cells are medians over RUNS rounds (default 5) with the
# spread (min-max), the ratio to W = 0 of the same round set, the CPU time
# (user + system) and the minor page faults of the whole process tree. A
# last -show-times run per cell splits the time into the serial part
# (front end or IR parse, printing the parts, link) and the parallel part
# (optimisation and code generation on the workers), the figures the
# N-core model in docs/WORKERS.md takes. Outputs are checked equal to W = 0.
# Prints a Markdown table on stdout and keeps it in $OUT (default
# bench/results/workers.md); the figures, machine-readable, go to
# $RESULTS/workers.tsv (default bench/results).
#
# Usage: bash bench/workers.sh [path/to/gorc]   (run from the repository root)
set -euo pipefail

GORC=${1:-bin/gorc}
RUNS=${RUNS:-5}
OUT=${OUT:-bench/results/workers.md}
RESULTS=${RESULTS:-bench/results}
# shellcheck source=bench/tsv.sh
. bench/tsv.sh
command -v python3 >/dev/null || { echo "bench/workers.sh: python3 is required (run scripts/deps.sh)" >&2; exit 1; }
[ -x "$GORC" ] || { echo "bench/workers.sh: $GORC not built (make build)" >&2; exit 1; }
GORC=$(realpath "$GORC")
W=$(mktemp -d /tmp/gorc-bench-workers.XXXXXX)
trap 'rm -rf "$W"' EXIT

go run ./kaleidoscope/cmd/kgen 2000 >"$W/p2000.k"
go run ./kaleidoscope/cmd/kgen 10000 >"$W/p10000.k"
"$GORC" kaleido -no-cache -emit ir -o "$W/p10000.ll" "$W/p10000.k"

mkdir -p "$(dirname "$OUT")" "$RESULTS"
python3 - "$W" "$RUNS" "$GORC" "$RESULTS/workers.tsv" "$(tsv_head "bench/workers.sh: gorc kaleido/run -workers W against W=0 (compiled in the controller), alternated, median of $RUNS rounds")" <<'PYEOF' | tee "$OUT"
import os, re, resource, statistics, subprocess, sys, time
w, runs, gorc, tsv, head = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
cases = [
    ("kaleido p2000.k (2,000 functions)", ["kaleido", "-no-cache"], "p2000.k"),
    ("kaleido p10000.k (10,000 functions)", ["kaleido", "-no-cache"], "p10000.k"),
    ("run p10000.ll (the same as IR, 20 MB)", ["run", "-no-cache"], "p10000.ll"),
]
counts = [0, 1, 2, 4]
def once(case, n, extra=()):
    _, argv, f = case
    args = [gorc] + argv + ["-workers", str(n)] + list(extra) + [f]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(args, cwd=w, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = (time.perf_counter() - t) * 1000
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit(f"bench/workers.sh: {' '.join(args)}: exit {r.returncode}\n{r.stderr}")
    cpu = (ru1.ru_utime - ru0.ru_utime + ru1.ru_stime - ru0.ru_stime) * 1000
    sys_ms = (ru1.ru_stime - ru0.ru_stime) * 1000
    return wall, cpu, sys_ms, ru1.ru_minflt - ru0.ru_minflt, r.stdout, r.stderr
def dur(s):
    m = re.fullmatch(r"([0-9.]+)(ns|µs|us|ms|s)", s)
    return float(m.group(1)) * {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1, "s": 1000}[m.group(2)]
def phase(stderr, pat):
    m = re.search(pat, stderr)
    return dur(m.group(1)) if m else None
print(f"# Compile workers: -workers W against W = 0 ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")
print()
print(f"Machine: {os.cpu_count()} cores, load average at start {open('/proc/loadavg').read().split()[:3]}; median of {runs} alternated rounds; spread is min-max; CPU is user+system of the whole process tree (workers included).")
print()
print("| input | workers | wall ms (median) | spread | vs 0 workers | CPU ms | of which system | minor faults |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
rows = []
for case in cases:
    want = once(case, 0)[4]
    res = {n: [] for n in counts}
    for r in range(runs):
        order = counts[r % len(counts):] + counts[:r % len(counts)]
        for n in order:
            wall, cpu, sys_ms, flt, out, _ = once(case, n)
            if out != want:
                sys.exit(f"bench/workers.sh: {case[0]} with {n} workers printed something else than with 0")
            res[n].append((wall, cpu, sys_ms, flt))
    base = statistics.median(x[0] for x in res[0])
    for n in counts:
        walls = [x[0] for x in res[n]]
        med = statistics.median(walls)
        cpu = statistics.median(x[1] for x in res[n])
        sys_ms = statistics.median(x[2] for x in res[n])
        flt = statistics.median(x[3] for x in res[n])
        print(f"| {case[0]} | {n} | {med:.0f} | {min(walls):.0f}-{max(walls):.0f} | {med/base:.2f}x | {cpu:.0f} | {sys_ms:.0f} | {flt:.0f} |")
        rows.append((case[0], n, med, min(walls), max(walls), med / base, cpu, sys_ms, flt))
print()
print("Phases (one -show-times run per cell, ms): the serial part is the front end (Kaleidoscope parse + IR generation, or the IR parse), printing the parts and the link; the parallel part is optimisation + code generation on the workers (wall, transfers included).")
print()
print("| input | workers | front end | split (print parts) | optimise+codegen (wall) | link |")
print("|---|---:|---:|---:|---:|---:|")
phases = []
for case in cases:
    for n in counts[1:]:
        _, _, _, _, _, err = once(case, n, ["-show-times"])
        front = phase(err, r"parse\+irgen: (\S+)") or phase(err, r"IR parse: (\S+)")
        split = phase(err, r"split into \d+ parts \([^)]*\): (\S+)")
        remote = phase(err, r"optimize\+codegen on \d+ workers \(wall[^)]*\): (\S+)")
        link = phase(err, r"(?:^|\n)link: (\S+)") or phase(err, r"link (\S+) \(")
        f = lambda v: "-" if v is None else f"{v:.0f}"
        print(f"| {case[0]} | {n} | {f(front)} | {f(split)} | {f(remote)} | {f(link)} |")
        phases.append((case[0], n, front, split, remote, link))
with open(tsv, "w") as t:
    t.write(head + "\n")
    t.write("input\tworkers\twall_ms_median\twall_ms_min\twall_ms_max\tratio_to_0\tcpu_ms\tsys_ms\tminor_faults\n")
    for r in rows:
        t.write("%s\t%d\t%.1f\t%.1f\t%.1f\t%.3f\t%.1f\t%.1f\t%.0f\n" % r)
PYEOF
