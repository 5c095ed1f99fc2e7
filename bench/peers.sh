#!/usr/bin/env bash
# bench/peers.sh: gorc run versus llvm-jitlink-19 versus a native static
# link, side by side, on the real-library drivers (sqlite, Lua, zlib) and on
# a scaling series (1/2/4 copies of a large generated object). Wall time of
# the whole process, median of RUNS runs, the tools timed in alternation
# (one run of each per round); with each wall time, the user and system
# CPU time and page faults of the same runs (getrusage of the child), and
# the JIT's CPU overhead (user+sys of the -noexec run). Prints a Markdown report on stdout and keeps
# it in $OUT (default /tmp/gorc-bench-peers.md); the same figures,
# machine-readable, go to $RESULTS/peers-drivers.tsv and
# $RESULTS/peers-scaling.tsv (default bench/results; read by
# go run ./bench/plot).
#
# The run phase is measured by each tool itself (-show-times) over RUNS
# more alternated runs; JIT overhead = whole-process wall time minus that
# run phase, per run, median (start, load, link, teardown).
#
# gorc runs with -no-cache: these figures are of a cold link, as
# llvm-jitlink's are (the linked-image cache's second run is bench/cache.sh's).
#
# Usage: bash bench/peers.sh [path/to/gorc]   (run from the repository root)
set -euo pipefail

GORC=${1:-bin/gorc}
RUNS=${RUNS:-7}
OUT=${OUT:-/tmp/gorc-bench-peers.md}
RESULTS=${RESULTS:-bench/results}
LIB=/usr/lib/x86_64-linux-gnu
LLVM=${LLVM_JITLINK:-llvm-jitlink-19}
for t in gcc python3 "$LLVM"; do
	command -v "$t" >/dev/null || { echo "bench/peers.sh: $t is required (run scripts/deps.sh)" >&2; exit 1; }
done
[ -x "$GORC" ] || { echo "bench/peers.sh: $GORC not built (make build)" >&2; exit 1; }
GORC=$(realpath "$GORC")
W=$(mktemp -d /tmp/gorc-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
ROOT=$(pwd)
# shellcheck source=bench/tsv.sh
. "$ROOT/bench/tsv.sh"
LNAME=$(basename "$LLVM")
{
	tsv_head "bench/peers.sh, median of $RUNS runs, wall ms; native: noexec_ms = gcc link, whole_ms = run"
	printf 'driver\ttool\twhole_ms\tnoexec_ms\trun_phase_ms\toverhead_ms\tload_ms\tlink_ms\trest_ms\tsame\tuser_ms\tsys_ms\tfaults\tnoexec_user_ms\tnoexec_sys_ms\tnoexec_faults\tcpu_overhead_ms\n'
} >"$W/peers-drivers.tsv"

# timed NAME CMD [NAME CMD ...]: the median wall time in ms of each CMD
# over RUNS runs, or "fail" for one that fails its first (checking, warm-up)
# run, whose stdout and stderr are kept in $W/NAME.out and $W/NAME.err;
# the medians of its user and system CPU time (ms) and page faults (minor
# + major) per run, from getrusage of the child (os.wait4), go to
# $W/NAME.rusage as "USER SYS FAULTS" ("fail fail fail" if it failed). The
# commands are timed in alternation, one run of each per round, so a burst
# of load from other jobs on this shared machine lands on all of them
# alike instead of on whichever tool happened to be running.
timed() {
	(cd "$W" && python3 - "$W" "$RUNS" "$@" <<'PYEOF'
import os, shlex, statistics, subprocess, sys, time
w, runs, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
cmds = list(zip(args[0::2], args[1::2]))
ok = {}
for name, cmd in cmds:
    with open(f"{w}/{name}.out", "wb") as o, open(f"{w}/{name}.err", "wb") as e:
        ok[name] = subprocess.run(shlex.split(cmd), stdout=o, stderr=e).returncode == 0
times = {name: [] for name, _ in cmds}
# rusage of each run (os.wait4: the child and the children it waited
# for): user and system CPU ms, page faults (minor + major).
usage = {name: ([], [], []) for name, _ in cmds}
for _ in range(runs):
    for name, cmd in cmds:
        if ok[name]:
            t = time.perf_counter()
            p = subprocess.Popen(shlex.split(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, ru = os.wait4(p.pid, 0)
            p.returncode = 0
            times[name].append((time.perf_counter() - t) * 1000)
            for col, v in zip(usage[name], (ru.ru_utime * 1000, ru.ru_stime * 1000, ru.ru_minflt + ru.ru_majflt)):
                col.append(v)
for name, _ in cmds:
    with open(f"{w}/{name}.rusage", "w") as f:
        u = usage[name]
        f.write("%.1f %.1f %d\n" % (statistics.median(u[0]), statistics.median(u[1]), statistics.median(u[2])) if ok[name] else "fail fail fail\n")
print(" ".join("%.1f" % statistics.median(times[n]) if ok[n] else "fail" for n, _ in cmds))
PYEOF
	)
}
# phases GORC-CMD LLVM-CMD: runs both (with -show-times) RUNS times, in
# alternation, and prints for each "RUN OVERHEAD LOAD LINK REST", medians in
# ms over the runs: the run phase as the tool itself reports it, the
# whole-process wall time minus that run phase (the JIT overhead), the
# tool's own load and link times, and what is left (process start, runtime
# start-up, teardown: wall - load - link - run); "fail fail fail fail fail"
# for a tool that failed or printed no times (why goes to
# $W/phases-TOOL.err, and into the report's failure notes).
# gorc: run = "program exited T after gorc started" - "total before run";
# llvm-jitlink: the wall-time column of its phase timers, found by the
# table's header: LLVM prints a column only when the total of that
# column is non-zero, so in a run whose system time rounds to zero
# (about one sqlite run in 30 here) the "System Time" column is missing
# and the wall time is the third column, not the fourth.
phases() {
	(cd "$W" && python3 - "$1" "$2" "$RUNS" <<'PYEOF'
import re, shlex, statistics, subprocess, sys, time
cmds, runs = {"gorc": sys.argv[1], "llvm": sys.argv[2]}, int(sys.argv[3])
def dur(s):
    m = re.fullmatch(r"([0-9.]+)(ns|µs|us|ms|s)", s)
    return float(m.group(1)) * {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1, "s": 1000}[m.group(2)]
def llvm_timer(text, name):
    # The header names the columns present ("---User Time---   --System
    # Time--   --User+System--   ---Wall Time---  --- Name ---", any of the
    # first three may be missing); each row has one "VALUE (PCT%)" per column.
    head = re.search(r"^\s*(-+[A-Za-z+ ]+-+\s+)+--- Name ---$", text, re.M)
    if not head:
        raise ValueError("no timer table in llvm-jitlink's output")
    cols = re.findall(r"-+([A-Za-z+ ]+?)-+", head.group(0).split("--- Name ---")[0])
    wall = [c.strip() for c in cols].index("Wall Time")
    row = re.search(r"^((?:\s*[0-9.]+ \(\s*[0-9.]+%\))+)\s+" + re.escape(name) + r"$", text, re.M)
    if not row:
        raise ValueError("no %r timer in llvm-jitlink's output" % name)
    return float(re.findall(r"([0-9.]+) \(\s*[0-9.]+%\)", row.group(1))[wall]) * 1000
def once(tool):
    t = time.perf_counter()
    r = subprocess.run(shlex.split(cmds[tool]), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = (time.perf_counter() - t) * 1000
    if r.returncode != 0:
        raise RuntimeError("exit status %d: %s" % (r.returncode, r.stderr.strip()[-300:]))
    if tool == "gorc":
        m = re.search(r"load (\S+), link (\S+) \(.*total before run (\S+)", r.stderr)
        load, link, before = dur(m.group(1)), dur(m.group(2)), dur(m.group(3))
        run = dur(re.search(r"program exited (\S+) after gorc started", r.stderr).group(1)) - before
    else:
        load = llvm_timer(r.stderr, "time to load/add object files")
        link = llvm_timer(r.stderr, "time to link object files")
        run = llvm_timer(r.stderr, "time to execute jitlink'd code")
    return (run, wall - run, load, link, wall - load - link - run)
cols = {tool: [[] for _ in range(5)] for tool in cmds}
alive = set(cmds)
for _ in range(runs):
    for tool in cmds:
        if tool not in alive:
            continue
        try:
            for i, v in enumerate(once(tool)):
                cols[tool][i].append(v)
        except Exception as e:
            alive.discard(tool)
            with open(f"phases-{tool}.err", "w") as f:
                f.write("%s -show-times: %s\n" % (cmds[tool].split()[0].split("/")[-1], e))
print(" ".join(" ".join("%.1f" % statistics.median(c) for c in cols[tool]) if tool in alive else "fail fail fail fail fail" for tool in cmds))
PYEOF
	)
}
ratio() { python3 -c 'import sys
a,b=sys.argv[1],sys.argv[2]
print("%.2f" % (float(a)/float(b)) if a!="fail" and b!="fail" else "–")' "$1" "$2"; }
firstline() { grep -m1 -iE 'error|not found|unrecognized|unsupported|fault' "$1" 2>/dev/null | cut -c1-140 || true; }

{
echo "## gorc run vs llvm-jitlink-19 vs native (median of $RUNS, wall ms)"
echo
echo "Machine: $(nproc) cores, $(uname -r). Drivers compiled once with gcc -O2."
echo
echo "| driver | gorc run | llvm-jitlink-19 | gorc/llvm | gorc -noexec | llvm-jitlink -noexec | gorc/llvm (link only) | gorc run phase | llvm run phase | gorc JIT overhead | llvm JIT overhead | gorc/llvm (overhead) | native link | native run | native link+run | output = native |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
} | tee "$OUT"

declare -A ARCH=([sqlite]=libsqlite3.a [lua]=liblua5.4.a [zlib]=libz.a)
declare -A LIBS=([sqlite]="-lm" [lua]="-lm" [zlib]="")
declare -A PEERLIBS=([sqlite]="$LIB/libm.so.6" [lua]="$LIB/libm.so.6" [zlib]="")
notes=()
splits=()
costs=()
# cpuover U S NU NS: (U+S) - (NU+NS), ms, or "fail".
cpuover() { python3 -c 'import sys
a=sys.argv[1:]
print("fail" if "fail" in a else "%.1f" % (float(a[0])+float(a[1])-float(a[2])-float(a[3])))' "$@"; }
# rusage NAME: "USER SYS FAULTS" medians of a timed command.
rusage() { cat "$W/$1.rusage" 2>/dev/null || echo "fail fail fail"; }
for d in sqlite lua zlib; do
	gcc -O2 -c "$ROOT/bench/drivers/$d.c" -I/usr/include/lua5.4 -o "$W/$d.o"
	# Native: link and run, timed separately and together.
	gcc -o "$W/$d.native" "$W/$d.o" "$LIB/${ARCH[$d]}" ${LIBS[$d]}
	# llvm-jitlink cannot read Debian's libm.so linker script: give it libm.so.6.
	read -r nl nr nlr g l <<<"$(timed "$d-nlink" "gcc -o $W/$d.tmp $W/$d.o $LIB/${ARCH[$d]} ${LIBS[$d]}" \
		"$d-native" "$W/$d.native" \
		"$d-nboth" "bash -c 'gcc -o $W/$d.t2 $W/$d.o $LIB/${ARCH[$d]} ${LIBS[$d]} && $W/$d.t2'" \
		"$d-gorc" "$GORC run -no-cache $W/$d.o $LIB/${ARCH[$d]} ${LIBS[$d]}" \
		"$d-llvm" "$LLVM $W/$d.o $LIB/${ARCH[$d]} ${PEERLIBS[$d]}")"
	read -r gn ln <<<"$(timed "$d-gorc-noexec" "$GORC run -no-cache -noexec $W/$d.o $LIB/${ARCH[$d]} ${LIBS[$d]}" \
		"$d-llvm-noexec" "$LLVM -noexec $W/$d.o $LIB/${ARCH[$d]} ${PEERLIBS[$d]}")"
	read -r gr go gload glink grest lr lo lload llink lrest <<<"$(phases "$GORC run -no-cache -show-times $W/$d.o $LIB/${ARCH[$d]} ${LIBS[$d]}" \
		"$LLVM -show-times $W/$d.o $LIB/${ARCH[$d]} ${PEERLIBS[$d]}")"
	# A tool that ran but whose -show-times runs failed: say why (the
	# overhead's peer then falls back to the gcc link below).
	for t in gorc llvm; do
		if [ -s "$W/phases-$t.err" ]; then
			{ [ "$t" = gorc ] && [ "$g" != fail ]; } || { [ "$t" = llvm ] && [ "$l" != fail ]; } &&
				notes+=("$d: $(head -c 300 "$W/phases-$t.err")")
			rm -f "$W/phases-$t.err"
		fi
	done
	read -r gu gs gf <<<"$(rusage "$d-gorc")"
	read -r lu ls lf <<<"$(rusage "$d-llvm")"
	read -r nu ns nf <<<"$(rusage "$d-native")"
	read -r gnu gns gnf <<<"$(rusage "$d-gorc-noexec")"
	read -r lnu lns lnf <<<"$(rusage "$d-llvm-noexec")"
	read -r nlu nls nlf <<<"$(rusage "$d-nlink")"
	# The overhead's peer: llvm-jitlink's, or (where it fails, as on Lua)
	# the gcc static link's time.
	peer=$LNAME peero=$lo
	[ "$lo" = fail ] && peer="gcc static link" peero=$nl
	# CPU overhead: user+sys of the -noexec run (start, load, link,
	# teardown; the gcc link's for the gcc peer), steadier than wall time
	# when other jobs load the machine. (The whole run's CPU minus the
	# native run's is not: the program's own CPU time varies more than
	# the JIT's cost.)
	gc=$(cpuover "$gnu" "$gns" 0 0) lc=$(cpuover "$lnu" "$lns" 0 0)
	peerc=$lc
	[ "$lo" = fail ] && peerc=$(cpuover "$nlu" "$nls" 0 0)
	costs+=("| $d | gorc run | $g | $gu | $gs | $gf | $gn | $gnu | $gns | $gnf | $go | $(ratio "$go" "$peero") vs $peer | $gc | $(ratio "$gc" "$peerc") |"
		"| $d | $LNAME | $l | $lu | $ls | $lf | $ln | $lnu | $lns | $lnf | $lo | | $lc | |"
		"| $d | native (run; gcc link) | $nr | $nu | $ns | $nf | $nl | $nlu | $nls | $nlf | | | | |")
	splits+=("| $d | $gload | $glink | $gr | $grest | $lload | $llink | $lr | $lrest | $nr |")
	same=no
	if [ "$g" != fail ] && cmp -s "$W/$d-gorc.out" "$W/$d-native.out"; then same=yes; fi
	[ "$l" = fail ] && notes+=("llvm-jitlink-19 fails on $d: $(firstline "$W/$d-llvm.err")")
	[ "$g" = fail ] && notes+=("gorc fails on $d: $(firstline "$W/$d-gorc.err")")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$d" gorc "$g" "$gn" "$gr" "$go" "$gload" "$glink" "$grest" "$same" "$gu" "$gs" "$gf" "$gnu" "$gns" "$gnf" "$gc" \
		"$d" "$LNAME" "$l" "$ln" "$lr" "$lo" "$lload" "$llink" "$lrest" - "$lu" "$ls" "$lf" "$lnu" "$lns" "$lnf" "$lc" \
		"$d" native "$nr" "$nl" - - - - - - "$nu" "$ns" "$nf" "$nlu" "$nls" "$nlf" - >>"$W/peers-drivers.tsv"
	echo "| $d | $g | $l | $(ratio "$g" "$l") | $gn | $ln | $(ratio "$gn" "$ln") | $gr | $lr | $go | $lo | $(ratio "$go" "$lo") | $nl | $nr | $nlr | $same |" | tee -a "$OUT"
done

{
echo
echo "### Where the time goes (median of $RUNS, ms, each tool's own -show-times; rest = wall - load - link - run: process start, runtime start-up, teardown)"
echo
echo "| driver | gorc load | gorc link | gorc run | gorc rest | llvm load | llvm link | llvm run | llvm rest | native run (whole process) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for row in "${splits[@]}"; do echo "$row"; done
echo
echo "### Per-run cost (median of $RUNS; ms of wall, user and system time, page faults minor+major, from getrusage of the child; JIT overhead = wall - run phase; its ratio is against llvm-jitlink-19's, or the gcc static link's time where llvm-jitlink fails)"
echo
echo "| driver | tool | wall | user | sys | faults | -noexec wall | -noexec user | -noexec sys | -noexec faults | JIT overhead | gorc/peer (overhead) | CPU overhead (-noexec user+sys) | gorc/peer (CPU overhead) |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |"
for row in "${costs[@]}"; do echo "$row"; done
} | tee -a "$OUT"

# Scaling: N copies of a generated object with 3000 functions each, linked
# with -noexec (link time only, plus process start).
python3 - "$W" <<'EOF'
import sys
w = sys.argv[1]
for c in range(4):
    p = f"p{c}_"
    with open(f"{w}/gen{c}.c", "w") as f:
        f.write("#include <stdio.h>\n")
        for i in range(3000):
            f.write(f"static int {p}data{i}[4] = {{{i},{i+1},{i+2},{i+3}}};\n")
            f.write(f"int {p}f{i}(int x) {{ return x * {i % 13 + 1} + {p}data{i}[x & 3]; }}\n")
        f.write(f"static int (*{p}tab[])(int) = {{" + ",".join(f"{p}f{i}" for i in range(3000)) + "};\n")
        f.write(f"long {p}entry(void) {{ long s = 0; for (int i = 0; i < 3000; i++) s += {p}tab[i](i); printf(\"{p} %ld\\n\", s); return s; }}\n")
for n in (1, 2, 4):
    with open(f"{w}/main{n}.c", "w") as f:
        f.write("".join(f"long p{c}_entry(void);\n" for c in range(n)))
        f.write("int main(void) { long s = 0;\n" + "".join(f"s += p{c}_entry();\n" for c in range(n)) + "return s == 0; }\n")
EOF
for c in 0 1 2 3; do gcc -O1 -c "$W/gen$c.c" -o "$W/gen$c.o"; done
{
echo
echo "### Scaling: N copies of a generated object (3000 functions + 3000 data blocks + a 3000-entry pointer table each; $(stat -c %s "$W/gen0.o") bytes), link only (-noexec)"
echo
echo "| copies | gorc run -noexec | llvm-jitlink-19 -noexec | gorc/llvm |"
echo "| ---: | ---: | ---: | ---: |"
} | tee -a "$OUT"
{
	tsv_head "bench/peers.sh scaling series, gorc run -noexec vs $LNAME -noexec, median of $RUNS runs, whole-process wall ms"
	printf 'copies\tbytes\ttool\tms\n'
} >"$W/peers-scaling.tsv"
for n in 1 2 4; do
	gcc -O1 -c "$W/main$n.c" -o "$W/main$n.o"
	objs="$W/main$n.o"
	for ((c = 0; c < n; c++)); do objs="$objs $W/gen$c.o"; done
	read -r g l <<<"$(timed "scale$n-gorc" "$GORC run -no-cache -noexec $objs" "scale$n-llvm" "$LLVM -noexec $objs")"
	echo "| $n | $g | $l | $(ratio "$g" "$l") |" | tee -a "$OUT"
	bytes=$(($(stat -c %s "$W/gen0.o") * n))
	printf '%s\t%s\t%s\t%s\n' "$n" "$bytes" gorc "$g" "$n" "$bytes" "$LNAME" "$l" >>"$W/peers-scaling.tsv"
done
mkdir -p "$RESULTS"
cp "$W/peers-drivers.tsv" "$W/peers-scaling.tsv" "$RESULTS/"
if [ ${#notes[@]} -gt 0 ]; then
	{ echo; echo "Failures:"; for n in "${notes[@]}"; do echo "- $n"; done; } | tee -a "$OUT"
fi
