#!/usr/bin/env bash
# bench/lazy.sh: lazy compilation (issue 10) against eager compilation and
# against LLVM 19's lli, side by side in one run. Run from the repository
# root:
#
#   bash bench/lazy.sh [path/to/gorc]      # RUNS rounds (default 5)
#
# Cases, all with the code cache off (-no-cache):
#
#   - start-up, 10,000 functions of which 1% are called (go run
#     ./kaleidoscope/cmd/kgen -called 1 10000: the functions do not call
#     each other, so the called 1% pull in nothing else): gorc kaleido
#     -lazy, gorc kaleido (eager), gorc run -lazy p.ll and gorc run p.ll
#     on its `gorc kaleido -emit ir` form, the two lazy ones again with
#     -speculate (callees compiled ahead in the background: it must cost
#     nothing here), lli-19 -jit-kind=orc-lazy p.ll
#     and lli-19 p.ll (eager ORC). Goals: gorc lazy >= 10x faster than
#     gorc eager, >= 20x faster than lli-19 -jit-kind=orc-lazy.
#   - all functions called, 1,000/2,000/4,000/8,000 functions (kgen N, the
#     compile-speed program whose top-level call reaches every function):
#     the same eight tools, to show growth. Goal: gorc lazy within 1.2x of
#     gorc eager, linear (-speculate's columns: the same ratio with
#     speculation).
#   - the sqlite driver (bench/drivers/sqlite.c with Debian's
#     libsqlite3.a): gorc run -lazy against gorc run, time to the first
#     line of output (stdout a pseudo-terminal, so line-buffered) and
#     whole-process time.
#   - first-call latency (in this process and in a child executor: one run
#     of JIT'd code making first calls back to back, minus the same run
#     again, per function) and the cost of a call through a compiled stub
#     against a direct call: the Go benchmarks BenchmarkFirstCall and
#     BenchmarkCallThroughStub of orc/lazy (-count=RUNS; their medians),
#     and BenchmarkFirstCallChain/local (first calls that each make their
#     callee's stub, as a kgen program's do).
#
# The tools of a case are timed in alternation (one run of each per round)
# so a burst of load from other jobs on this shared machine lands on all
# alike; cells are the median of RUNS rounds with the spread (min-max).
# Outputs are checked equal between the tools of a case. lli-19 is slow
# on the larger inputs (tens of seconds at 10,000 functions, eager and
# orc-lazy alike): LLI_RUNS (default 2) caps its rounds (0: lli-19 is not
# run at all), LAZY_SIZES (default 1000 2000 4000; set and empty: none)
# sets the all-called sizes, and a tool whose run
# takes longer than LAZY_TIMEOUT seconds (default 120; lli-19
# -jit-kind=orc-lazy on the
# all-called programs grows quadratically) is reported as "> LAZY_TIMEOUT s"
# and not run again in that case (in the .tsv: nan, 0 rounds). Prints a Markdown table on stdout and keeps
# it in $OUT (default bench/results/lazy.md); the figures,
# machine-readable, go to $RESULTS/lazy.tsv (default bench/results).
set -euo pipefail

GORC=${1:-bin/gorc}
RUNS=${RUNS:-5}
LLI_RUNS=${LLI_RUNS:-2}
SIZES=${LAZY_SIZES-1000 2000 4000}
OUT=${OUT:-bench/results/lazy.md}
RESULTS=${RESULTS:-bench/results}
LLI=${LLI:-lli-19}
TIMEOUT=${LAZY_TIMEOUT:-120}
# shellcheck source=bench/tsv.sh
. bench/tsv.sh
LIB=/usr/lib/x86_64-linux-gnu
for t in gcc python3 go "$LLI"; do
	command -v "$t" >/dev/null || { echo "bench/lazy.sh: $t is required (run scripts/deps.sh)" >&2; exit 1; }
done
[ -x "$GORC" ] || { echo "bench/lazy.sh: $GORC not built (make build)" >&2; exit 1; }
[ -f "$LIB/libsqlite3.a" ] || { echo "bench/lazy.sh: $LIB/libsqlite3.a is required (libsqlite3-dev)" >&2; exit 1; }
GORC=$(realpath "$GORC")
W=$(mktemp -d /tmp/gorc-bench-lazy.XXXXXX)
trap 'rm -rf "$W"' EXIT

go run ./kaleidoscope/cmd/kgen -called 1 10000 >"$W/called1-10000.k"
"$GORC" kaleido -no-cache -emit ir -o "$W/called1-10000.ll" "$W/called1-10000.k"
for n in $SIZES; do
	go run ./kaleidoscope/cmd/kgen "$n" >"$W/all-$n.k"
	"$GORC" kaleido -no-cache -emit ir -o "$W/all-$n.ll" "$W/all-$n.k"
done
gcc -O2 -c bench/drivers/sqlite.c -o "$W/sqlite.o"
# First-call latency and stub cost, from the Go benchmarks beside the code.
go test -run='^$' -bench='^Benchmark(FirstCall|CallThroughStub)$' -count="$RUNS" ./orc/lazy >"$W/gobench.txt" || {
	echo "bench/lazy.sh: the Go benchmarks of orc/lazy failed:" >&2
	cat "$W/gobench.txt" >&2
	exit 1
}
# The kgen pattern (each first call makes its callee's stub), in this
# process only: its allocations are the steady figure of the link half.
go test -run='^$' -bench='^BenchmarkFirstCallChain$/^local$' -count="$RUNS" ./orc/lazy >>"$W/gobench.txt" || {
	echo "bench/lazy.sh: BenchmarkFirstCallChain of orc/lazy failed:" >&2
	cat "$W/gobench.txt" >&2
	exit 1
}

mkdir -p "$(dirname "$OUT")"
python3 - "$W" "$RUNS" "$LLI_RUNS" "$GORC" "$LLI" "$LIB" "$SIZES" "$TIMEOUT" <<'PYEOF' | tee "$OUT"
import os, pty, re, select, statistics, subprocess, sys, time
w, runs, lli_runs, gorc, lli, lib, sizes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7].split()
timeout = float(sys.argv[8])

def tools(base):
    return [
        ("gorc kaleido -lazy", [gorc, "kaleido", "-no-cache", "-lazy", base + ".k"]),
        ("gorc kaleido", [gorc, "kaleido", "-no-cache", base + ".k"]),
        ("gorc run -lazy .ll", [gorc, "run", "-no-cache", "-lazy", base + ".ll"]),
        ("gorc run .ll", [gorc, "run", "-no-cache", base + ".ll"]),
        ("gorc kaleido -lazy -speculate", [gorc, "kaleido", "-no-cache", "-lazy", "-speculate", base + ".k"]),
        ("gorc run -lazy -speculate .ll", [gorc, "run", "-no-cache", "-lazy", "-speculate", base + ".ll"]),
        (f"{lli} -jit-kind=orc-lazy .ll", [lli, "-jit-kind=orc-lazy", base + ".ll"]),
        (f"{lli} .ll", [lli, base + ".ll"]),
    ][:6 if lli_runs == 0 else 8]  # LLI_RUNS=0: no lli-19

def once(argv):
    """Wall ms and stdout of one run; (None, None) past the timeout."""
    t = time.perf_counter()
    try:
        r = subprocess.run(argv, cwd=w, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None
    ms = (time.perf_counter() - t) * 1000
    if r.returncode != 0:
        sys.exit(f"bench/lazy.sh: {' '.join(argv)}: exit {r.returncode}\n{r.stderr.decode(errors='replace')}")
    return ms, r.stdout

def case(name, ts):
    """Times the tools of one case in alternation; median, min, max ms."""
    want = None
    slow = set()  # tools past the timeout: not run again
    for tool, argv in ts:
        ms, out = once(argv)  # warm-up, and the reference output
        if ms is None:
            slow.add(tool)
        elif want is None:
            want = out
        elif out != want:
            sys.exit(f"bench/lazy.sh: {name}: {tool}'s output differs from {ts[0][0]}'s")
    times = {tool: [] for tool, _ in ts}
    for r in range(runs):
        for tool, argv in ts:
            if tool in slow or (tool.startswith(lli) and r >= lli_runs):
                continue
            ms, _ = once(argv)
            if ms is None:
                slow.add(tool)
            else:
                times[tool].append(ms)
    nan = float("nan")
    return [(name, tool, nan, nan, nan, 0) if tool in slow or not v else
            (name, tool, statistics.median(v), min(v), max(v), len(v)) for tool, v in times.items()]

def cell(v):
    return f"> {timeout:.0f} s" if v != v else f"{v:.1f}"

def ratio(a, b):
    return "–" if a != a or b != b else f"{a / b:.2f}"

def first_line(argv):
    """Whole-process ms and ms to the first line on a pseudo-terminal."""
    m, s = pty.openpty()
    t = time.perf_counter()
    p = subprocess.Popen(argv, cwd=w, stdout=s, stderr=subprocess.DEVNULL)
    os.close(s)
    first, buf = None, b""
    while True:
        try:
            r, _, _ = select.select([m], [], [], 60)
            chunk = os.read(m, 65536) if r else b""
        except OSError:
            chunk = b""
        if not chunk:
            break
        buf += chunk
        if first is None and b"\n" in buf:
            first = (time.perf_counter() - t) * 1000
    rc = p.wait()
    whole = (time.perf_counter() - t) * 1000
    os.close(m)
    if rc != 0 or first is None:
        sys.exit(f"bench/lazy.sh: {' '.join(argv)}: exit {rc}")
    return first, whole, buf

rows = []
rows += case("10,000 fns, 1% called", tools("called1-10000"))
for n in sizes:
    rows += case(f"{int(n):,} fns, all called", tools(f"all-{n}"))

sq = [("gorc run -lazy", [gorc, "run", "-no-cache", "-lazy", "sqlite.o", f"{lib}/libsqlite3.a", "-lm"]),
      ("gorc run", [gorc, "run", "-no-cache", "sqlite.o", f"{lib}/libsqlite3.a", "-lm"])]
sqt = {t: ([], []) for t, _ in sq}
want = None
for r in range(runs + 1):
    for tool, argv in sq:
        f, wh, out = first_line(argv)
        if want is None:
            want = out
        elif out != want:
            sys.exit(f"bench/lazy.sh: sqlite: {tool}'s output differs")
        if r > 0:  # the first round warms up
            sqt[tool][0].append(f)
            sqt[tool][1].append(wh)

gob = {}  # "Name" -> ns/op values, "Name unit" -> the other metrics' values
for line in open(f"{w}/gobench.txt"):
    m = re.match(r"Benchmark(\S+?)(-\d+)?\s+\d+\s+(.*)", line)
    if m:
        for v, unit in re.findall(r"(-?[0-9.]+) (\S+)", m.group(3)):
            key = m.group(1) if unit == "ns/op" else f"{m.group(1)} {unit}"
            gob.setdefault(key, []).append(float(v))
def gmed(k):
    return statistics.median(gob[k]) if k in gob else float("nan")

load = open("/proc/loadavg").read().split()[:3]
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "unknown"
print(f"# bench/lazy.sh, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, gorc at {commit}")
print()
print(f"Machine: {os.cpu_count()} cores, load average at the end {' '.join(load)}. "
      f"Tools of a case timed in alternation, median of {runs} rounds ({lli} eager: {lli_runs}), "
      "whole-process wall ms with the spread (min–max); outputs checked equal; -no-cache.")
print()
print("## Start-up and all-called growth")
print()
print("| case | tool | median ms | min–max | ÷ gorc kaleido -lazy |")
print("| --- | --- | ---: | ---: | ---: |")
base = {}
for c, tool, med, lo, hi, n in rows:
    if tool == "gorc kaleido -lazy":
        base[c] = med
    spread = "–" if med != med else f"{lo:.1f}–{hi:.1f}"
    print(f"| {c} | {tool} | {cell(med)} | {spread} | {ratio(med, base[c])} |")
print()
get = {(c, t): med for c, t, med, *_ in rows}
nan = float("nan")
c1 = "10,000 fns, 1% called"
print("Goals (10,000 fns, 1% called): eager/lazy and lli-orc-lazy/gorc-lazy")
print()
print("| lazy tool | eager / lazy (goal ≥ 10) | lli orc-lazy / lazy (goal ≥ 20) |")
print("| --- | ---: | ---: |")
for lz, eg in (("gorc kaleido -lazy", "gorc kaleido"), ("gorc run -lazy .ll", "gorc run .ll"),
               ("gorc kaleido -lazy -speculate", "gorc kaleido"), ("gorc run -lazy -speculate .ll", "gorc run .ll")):
    print(f"| {lz} | {ratio(get[(c1, eg)], get[(c1, lz)])} | {ratio(get.get((c1, f'{lli} -jit-kind=orc-lazy .ll'), nan), get[(c1, lz)])} |")
print()
print("All called: lazy/eager (goal ≤ 1.2) and each tool's ms per 1,000 functions (flat = linear)")
print()
print("| functions | kaleido lazy/eager | run .ll lazy/eager | lli orc-lazy/eager | " +
      " | ".join(f"{t} ms/1k fns" for t, _ in tools("x")) + " | kaleido -speculate/eager | run .ll -speculate/eager |")
print("| ---: | ---: | ---: | ---: | " + " | ".join("---:" for _ in tools("x")) + " | ---: | ---: |")
for n in sizes:
    c = f"{int(n):,} fns, all called"
    per = " | ".join(ratio(get[(c, t)] * 1000, int(n)) if get[(c, t)] == get[(c, t)] else cell(get[(c, t)]) for t, _ in tools("x"))
    print(f"| {int(n):,} | {ratio(get[(c, 'gorc kaleido -lazy')], get[(c, 'gorc kaleido')])} | "
          f"{ratio(get[(c, 'gorc run -lazy .ll')], get[(c, 'gorc run .ll')])} | "
          f"{ratio(get.get((c, f'{lli} -jit-kind=orc-lazy .ll'), nan), get.get((c, f'{lli} .ll'), nan))} | {per} | "
          f"{ratio(get[(c, 'gorc kaleido -lazy -speculate')], get[(c, 'gorc kaleido')])} | "
          f"{ratio(get[(c, 'gorc run -lazy -speculate .ll')], get[(c, 'gorc run .ll')])} |")
print()
print("## sqlite driver: time to first output line (stdout a pseudo-terminal)")
print()
print("| tool | first line ms (min–max) | whole process ms (min–max) |")
print("| --- | ---: | ---: |")
for tool, _ in sq:
    f, wh = sqt[tool]
    print(f"| {tool} | {statistics.median(f):.1f} ({min(f):.1f}–{max(f):.1f}) | {statistics.median(wh):.1f} ({min(wh):.1f}–{max(wh):.1f}) |")
print()
print(f"## First call and stub cost (go test -bench ./orc/lazy, median of {runs})")
print()
print("| benchmark | median | goal |")
print("| --- | ---: | --- |")
for ex in ("local", "child", "child-shm"):
    goal = "< 50 µs" if ex == "local" else "< 200 µs"
    fi, ag, d = gmed(f"FirstCall/{ex} first-ns/fn"), gmed(f"FirstCall/{ex} again-ns/fn"), gmed(f"FirstCall/{ex} firstcall-ns/fn")
    print(f"| first call over the same call compiled, {ex} (one run of first calls back to back, per function: {fi / 1000:.1f} − {ag / 1000:.2f} µs) | {d / 1000:.1f} µs | {goal} |")
cp, al, pf = gmed("FirstCall/local firstcall-cpu-ns/fn"), gmed("FirstCall/local firstcall-allocs/fn"), gmed("FirstCall/local firstcall-faults/fn")
print(f"| first call, local: process CPU, Go allocations, minor page faults per function | {cp / 1000:.1f} µs, {al:.0f}, {pf:.2f} | |")
d, cp, al, pf = gmed("FirstCallChain/local firstcall-ns/fn"), gmed("FirstCallChain/local firstcall-cpu-ns/fn"), gmed("FirstCallChain/local firstcall-allocs/fn"), gmed("FirstCallChain/local firstcall-faults/fn")
print(f"| first call in a chain (each makes its callee's stub, as kgen's do), local: wall; process CPU, Go allocations, minor page faults per function | {d / 1000:.1f} µs; {cp / 1000:.1f} µs, {al:.0f}, {pf:.2f} | < 50 µs |")
ts, di, ex = gmed("CallThroughStub stub-ns/call"), gmed("CallThroughStub direct-ns/call"), gmed("CallThroughStub stub-extra-ns/call")
print(f"| call through stub / direct (alternated, process CPU time) | {ts:.2f} / {di:.2f} ns/call (+{ex:.2f}) | ≤ +0.5 ns |")

with open(f"{w}/lazy.rows", "w") as tsv:
    print("case\ttool\tmedian_ms\tmin_ms\tmax_ms\trounds", file=tsv)
    for c, tool, med, lo, hi, n in rows:
        print(f"{c}\t{tool}\t{med:.1f}\t{lo:.1f}\t{hi:.1f}\t{n}", file=tsv)
    for tool, _ in sq:
        f, wh = sqt[tool]
        print(f"sqlite first line\t{tool}\t{statistics.median(f):.1f}\t{min(f):.1f}\t{max(f):.1f}\t{len(f)}", file=tsv)
        print(f"sqlite whole\t{tool}\t{statistics.median(wh):.1f}\t{min(wh):.1f}\t{max(wh):.1f}\t{len(wh)}", file=tsv)
    for k in sorted(gob):
        v, scale = gob[k], (1 if " " in k else 1e6)  # ns/op as ms; other metrics as they are
        print(f"go bench {k}\tgo test\t{statistics.median(v) / scale:.6f}\t{min(v) / scale:.6f}\t{max(v) / scale:.6f}\t{len(v)}", file=tsv)
PYEOF
mkdir -p "$RESULTS"
{
	tsv_head "bench/lazy.sh, median of $RUNS rounds (lli eager $LLI_RUNS), whole-process wall ms, tools alternated, -no-cache; go bench rows: NAME in ms per op, NAME UNIT in that unit (the stub's ns per call); table: $OUT"
	cat "$W/lazy.rows"
} >"$RESULTS/lazy.tsv"
