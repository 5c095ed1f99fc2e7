#!/usr/bin/env bash
# bench/sharing.sh: one executor shared by several JIT processes
# (docs/SHARING.md). Link-and-run time of the two-process mutual-recursion
# case — controller A links even.o (is_even calls is_odd) and publishes it
# as "a", controller B links odd.o (is_odd calls is_even) as "b", each
# linking against the other's, both in one `gorc executor -listen
# 127.0.0.1:0 -shared` — against the same objects linked by one controller
# in the same shared executor (the peer), and, for context, by one
# controller in an executor of its own (`gorc executor -listen`, the
# default mode). Goal: the two-process case within 1.5x of the one
# controller. A fourth case, two controllers in the same shared executor
# that share nothing (each links a self-contained copy, evenself.o and
# oddself.o), is the floor of any two-process case: the second process's
# start-up, connection and link, which no directory protocol can remove;
# the two-process case against it is the cost of sharing itself.
#
# Each round runs every case once, in alternation, so a burst of load from
# other jobs on this shared machine lands on all alike; cells are medians
# over RUNS rounds (default 11) with the spread (min-max). Wall time is
# from starting the controller processes until the last has exited; CPU
# (user+sys), kernel time and minor page faults are the controllers' own
# (wait4 rusage), summed over the case's processes. Prints a Markdown table
# on stdout and keeps it in $OUT (default bench/results/sharing.md); the
# figures, machine-readable, go to $RESULTS/sharing.tsv.
#
# Usage: bash bench/sharing.sh [path/to/gorc]   (run from the repository root)
set -euo pipefail

GORC=${1:-bin/gorc}
RUNS=${RUNS:-11}
OUT=${OUT:-bench/results/sharing.md}
RESULTS=${RESULTS:-bench/results}
# shellcheck source=bench/tsv.sh
. bench/tsv.sh
for t in gcc python3; do
	command -v "$t" >/dev/null || { echo "bench/sharing.sh: $t is required (run scripts/deps.sh)" >&2; exit 1; }
done
[ -x "$GORC" ] || { echo "bench/sharing.sh: $GORC not built (make build)" >&2; exit 1; }
GORC=$(realpath "$GORC")
W=$(mktemp -d /tmp/gorc-bench-sharing.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$W"
}
trap cleanup EXIT

for f in bench/sharing/*.c; do
	gcc -O2 -c "$f" -o "$W/$(basename "${f%.c}").o"
done

# start_executor LOG ARGS...: starts gorc executor -listen 127.0.0.1:0 ARGS
# (killed on exit) and waits until it announces its address in LOG.
start_executor() {
	local log=$1
	shift
	"$GORC" executor -listen 127.0.0.1:0 "$@" >/dev/null 2>"$log" &
	PIDS+=($!)
	for _ in $(seq 200); do
		grep -q 'listening on ' "$log" && return
		sleep 0.05
	done
	echo "bench/sharing.sh: the executor did not start: $(cat "$log")" >&2
	exit 1
}
address() { sed -n 's/.*listening on //p' "$1" | head -1; }
start_executor "$W/shared.log" -shared
start_executor "$W/own.log"
SHARED=$(address "$W/shared.log")
OWN=$(address "$W/own.log")

mkdir -p "$(dirname "$OUT")" "$RESULTS"
python3 - "$W" "$RUNS" "$GORC" "$SHARED" "$OWN" "$RESULTS/sharing.tsv" "$(tsv_head "bench/sharing.sh: medians over $RUNS rounds in alternation")" <<'PYEOF' | tee "$OUT"
import os, statistics, subprocess, sys, time
w, runs, gorc, shared, own, tsv, head = sys.argv[1:8]
runs = int(runs)
S, O = "tcp://" + shared, "tcp://" + own
cases = [
    ("two controllers, shared executor (A: -publish a -link-shared b; B: -publish b -link-shared a)",
     [([gorc, "run", "-no-cache", "-exec", S, "-publish", "a", "-link-shared", "b", "even.o", "main_a.o"], 10),
      ([gorc, "run", "-no-cache", "-exec", S, "-publish", "b", "-link-shared", "a", "odd.o", "main_b.o"], 11)]),
    ("one controller, the same shared executor (peer)",
     [([gorc, "run", "-no-cache", "-exec", S, "even.o", "odd.o", "main_ab.o"], 21)]),
    ("two controllers, the same shared executor, nothing shared (A: evenself.o, B: oddself.o; floor of two processes)",
     [([gorc, "run", "-no-cache", "-exec", S, "evenself.o", "main_a.o"], 10),
      ([gorc, "run", "-no-cache", "-exec", S, "oddself.o", "main_b.o"], 11)]),
    ("one controller, an executor of its own (context)",
     [([gorc, "run", "-no-cache", "-exec", O, "even.o", "odd.o", "main_ab.o"], 21)]),
]
def once(procs):
    t = time.perf_counter()
    ps = [(subprocess.Popen(argv, cwd=w, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), want) for argv, want in procs]
    cpu = sys_ = flt = 0.0
    for p, want in ps:
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        err = p.stderr.read().decode()
        if p.returncode != want:
            sys.exit(f"bench/sharing.sh: {' '.join(p.args)}: exit {p.returncode}, want {want}\n{err}")
        cpu += ru.ru_utime + ru.ru_stime
        sys_ += ru.ru_stime
        flt += ru.ru_minflt
    return (time.perf_counter() - t) * 1000, cpu * 1000, sys_ * 1000, flt
for c in cases:  # warm up (page cache, executor)
    once(c[1])
res = [[] for _ in cases]
for r in range(runs):
    for i, c in enumerate(cases):
        res[i].append(once(c[1]))
def med(i, k):
    return statistics.median(x[k] for x in res[i])
def spread(i, k):
    v = [x[k] for x in res[i]]
    return f"{min(v):.1f}–{max(v):.1f}"
print(f"Link-and-run of mutually recursive C objects (is_even/is_odd), {runs} rounds in alternation, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end")
print()
print("| case | wall ms (median) | spread | vs peer | vs floor | controllers' CPU ms | of which kernel ms | minor faults |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
peer, floor = med(1, 0), med(2, 0)
for i, (name, _) in enumerate(cases):
    print(f"| {name} | {med(i,0):.1f} | {spread(i,0)} | {med(i,0)/peer:.2f}x | {med(i,0)/floor:.2f}x | {med(i,1):.1f} | {med(i,2):.1f} | {med(i,3):.0f} |")
ratio = med(0, 0) / peer
print()
print(f"Two-process case / one controller: {ratio:.2f}x (goal: within 1.5x) — {'met' if ratio <= 1.5 else 'NOT met'}.")
print(f"Two-process case / two processes sharing nothing (the second process's start-up and link excluded): {med(0,0)/floor:.2f}x — {'within' if med(0,0)/floor <= 1.5 else 'NOT within'} 1.5x.")
print(f"Second process's share: two processes sharing nothing / one controller = {floor/peer:.2f}x.")
with open(tsv, "w") as f:
    f.write(head + "\n")
    f.write("case\twall_ms_median\twall_ms_min\twall_ms_max\tratio_to_peer\tratio_to_floor\tcpu_ms\tsys_ms\tminflt\n")
    for i, (name, _) in enumerate(cases):
        v = [x[0] for x in res[i]]
        f.write(f"{name}\t{med(i,0):.2f}\t{min(v):.2f}\t{max(v):.2f}\t{med(i,0)/peer:.3f}\t{med(i,0)/floor:.3f}\t{med(i,1):.2f}\t{med(i,2):.2f}\t{med(i,3):.0f}\n")
PYEOF
