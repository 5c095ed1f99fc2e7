#!/usr/bin/env bash
# bench/cachesplit.sh: where the JIT overhead of a second `gorc run` (a
# linked-image cache hit) of the sqlite driver goes, against the native
# binary's own process cost (issue 13).
#
# The driver (bench/drivers/sqlite.c, gcc -O2, Debian's libsqlite3.a, -lm)
# is linked with a small wrapper whose main and atexit handler print
# CLOCK_MONOTONIC on stderr; this script reads the same clock before it
# spawns each process and after it reaps it. Together with what gorc
# reports itself (-show-times: "total before run", "program exited T
# after gorc started") that splits each run, without tracing it, into:
#
#   spawn -> gorc started      fork/exec, ld.so, Go runtime and package
#                              initialization (until main's package vars)
#   before run (gorc's own)    runCommand's -show-times "total before run":
#                              cache key, entry, replay (load and link)
#   rest before main           flag parsing before runCommand, the
#                              executor's program thread start (crash
#                              handlers, descriptors, the 64 MB stack)
#   program's run              main to the last atexit handler: not overhead
#   exit -> reaped             exit handlers after the program's, stdio,
#                              exit_group, the kernel's teardown, the wait
#
# and the overhead as bench/cache.sh computes it (wall minus the run phase
# gorc reports). "gorc started" is placed on the clock as the program's
# last atexit stamp minus gorc's "program exited T after gorc started",
# which gorc measures a little later (in its own exit hook, after the
# program's handlers): so "spawn -> gorc started" is short, and "rest
# before main" long, by that delay (tens of microseconds on a quiet
# machine, more under load). The native binary gives the floor: spawn -> main and
# exit -> reaped. Every binary named (default bin/gorc) gets its own cache
# directory, filled before the rounds; binaries and the native one run in
# alternation, one run each per round (RUNS rounds, default 21); cells are
# medians with the 10th-90th percentiles. Markdown on stdout.
#
# Usage: bash bench/cachesplit.sh [gorc ...]   (run from the repository root)
set -euo pipefail

RUNS=${RUNS:-21}
LIB=/usr/lib/x86_64-linux-gnu
[ $# -gt 0 ] || set -- bin/gorc
for t in gcc python3; do
	command -v "$t" >/dev/null || { echo "bench/cachesplit.sh: $t is required (run scripts/deps.sh)" >&2; exit 1; }
done
[ -f "$LIB/libsqlite3.a" ] || { echo "bench/cachesplit.sh: $LIB/libsqlite3.a is required (libsqlite3-dev)" >&2; exit 1; }
GORCS=()
for g in "$@"; do
	[ -x "$g" ] || { echo "bench/cachesplit.sh: $g is not an executable (make build)" >&2; exit 1; }
	GORCS+=("$(realpath "$g")")
done
W=$(mktemp -d /tmp/gorc-bench-cachesplit.XXXXXX)
trap 'rm -rf "$W"' EXIT

cat >"$W/stamp.c" <<'EOF'
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
int gorc_bench_real_main(int, char **);
static long now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}
static void at_end(void) { fprintf(stderr, "STAMP-END %ld\n", now()); }
int main(int argc, char **argv) {
	fprintf(stderr, "STAMP-MAIN %ld\n", now());
	atexit(at_end);
	return gorc_bench_real_main(argc, argv);
}
EOF
gcc -O2 -c "$W/stamp.c" -o "$W/stamp.o"
gcc -O2 -c -Dmain=gorc_bench_real_main bench/drivers/sqlite.c -o "$W/sqlite.o"
gcc "$W/stamp.o" "$W/sqlite.o" "$LIB/libsqlite3.a" -lm -o "$W/native"

python3 - "$W" "$RUNS" "$LIB" "${GORCS[@]}" <<'PYEOF'
import os, re, statistics, subprocess, sys, time
w, runs, lib, gorcs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
inputs = [f"{w}/stamp.o", f"{w}/sqlite.o", f"{lib}/libsqlite3.a", "-lm"]
cases = {}
for i, g in enumerate(gorcs):
    name = f"{i + 1}: {os.path.basename(g)}"
    cases[name] = [g, "run", "-cache", f"{w}/cache{i}", "-show-times"] + inputs
    for _ in range(2):  # the first run stores the image, the second checks it is a hit
        r = subprocess.run(cases[name], cwd=w, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            sys.exit(f"bench/cachesplit.sh: {g}: exit {r.returncode}\n{r.stderr}")
    if "linked image hit" not in r.stderr:
        sys.exit(f"bench/cachesplit.sh: {g}: the second run was not a linked-image hit:\n{r.stderr}")
cases["native"] = [f"{w}/native"]
def dur(s):
    m = re.fullmatch(r"([0-9.]+)(ns|µs|us|ms|s)", s)
    return float(m[1]) * {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1, "s": 1e3}[m[2]]
rows = ["wall", "spawn -> gorc started", "before run (gorc's own)", "rest before main",
        "spawn -> main", "program's run", "exit -> reaped", "overhead (bench/cache.sh)",
        "CPU ms (user+sys)", "of which sys", "minor faults", "context switches"]
res = {c: {r: [] for r in rows} for c in cases}
loads = []
for _ in range(runs):
    loads.append(float(open("/proc/loadavg").read().split()[0]))
    for c, argv in cases.items():
        t0 = time.monotonic_ns()
        p = subprocess.Popen(argv, cwd=w, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        t1 = time.monotonic_ns()
        if status != 0:
            sys.exit(f"bench/cachesplit.sh: {c}: status {status}\n{err}")
        tm = int(re.search(r"STAMP-MAIN (\d+)", err)[1]) / 1e6
        te = int(re.search(r"STAMP-END (\d+)", err)[1]) / 1e6
        s, e = t0 / 1e6, t1 / 1e6
        v = res[c]
        v["wall"].append(e - s)
        v["spawn -> main"].append(tm - s)
        v["program's run"].append(te - tm)
        v["exit -> reaped"].append(e - te)
        v["CPU ms (user+sys)"].append((ru.ru_utime + ru.ru_stime) * 1e3)
        v["of which sys"].append(ru.ru_stime * 1e3)
        v["minor faults"].append(ru.ru_minflt)
        v["context switches"].append(ru.ru_nvcsw + ru.ru_nivcsw)
        b = re.search(r"total before run (\S+)", err)
        x = re.search(r"program exited (\S+) after gorc started", err)
        if b and x:
            before, exited = dur(b[1]), dur(x[1])
            started = te - exited  # gorc's processStart, on the same clock
            v["spawn -> gorc started"].append(started - s)
            v["before run (gorc's own)"].append(before)
            v["rest before main"].append(tm - started - before)
            v["overhead (bench/cache.sh)"].append((e - s) - (exited - before))
def cell(xs):
    if not xs:
        return "–"
    xs = sorted(xs)
    lo, hi = xs[len(xs) // 10], xs[-1 - len(xs) // 10]
    fmt = "{:.0f}" if max(xs) >= 100 else "{:.2f}"
    return f"{fmt.format(statistics.median(xs))} [{fmt.format(lo)}–{fmt.format(hi)}]"
print(f"## bench/cachesplit.sh, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
      f"the second `gorc run` of the sqlite driver against the native binary")
print()
print(f"{runs} rounds, alternated; {os.cpu_count()} cores, load average {min(loads):.1f}–{max(loads):.1f}. "
      "ms unless named; median [10th–90th percentile].")
print()
print("| | " + " | ".join(cases) + " |")
print("| --- |" + " ---: |" * len(cases))
for r in rows:
    print(f"| {r} | " + " | ".join(cell(res[c][r]) for c in cases) + " |")
PYEOF
