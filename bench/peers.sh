#!/usr/bin/env bash
# bench/peers.sh: gorc run versus llvm-jitlink-19 versus a native static
# link, side by side, on the real-library drivers (sqlite, Lua, zlib) and on
# a scaling series (1/2/4 copies of a large generated object). Wall time of
# the whole process, median of RUNS runs (hyperfine). Prints a Markdown
# report on stdout and keeps it in $OUT (default /tmp/gorc-bench-peers.md).
#
# The run phase is measured by each tool itself (-show-times) over RUNS
# more runs; JIT overhead = whole-process wall time minus that run phase,
# per run, median (start, load, link, teardown).
#
# Usage: bash bench/peers.sh [path/to/gorc]   (run from the repository root)
set -euo pipefail

GORC=${1:-bin/gorc}
RUNS=${RUNS:-7}
OUT=${OUT:-/tmp/gorc-bench-peers.md}
LIB=/usr/lib/x86_64-linux-gnu
LLVM=${LLVM_JITLINK:-llvm-jitlink-19}
for t in gcc hyperfine python3 "$LLVM"; do
	command -v "$t" >/dev/null || { echo "bench/peers.sh: $t is required (run scripts/deps.sh)" >&2; exit 1; }
done
[ -x "$GORC" ] || { echo "bench/peers.sh: $GORC not built (make build)" >&2; exit 1; }
GORC=$(realpath "$GORC")
W=$(mktemp -d /tmp/gorc-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
ROOT=$(pwd)

# median DIR NAME CMD: median wall time in ms of CMD (hyperfine), or "fail".
median() {
	local name=$1 cmd=$2
	if ! (cd "$W" && bash -c "$cmd" >"$W/$name.out" 2>"$W/$name.err"); then
		echo fail
		return
	fi
	(cd "$W" && hyperfine -N --style none --warmup 1 --runs "$RUNS" --export-json "$W/$name.json" "$cmd" >/dev/null 2>&1) || { echo fail; return; }
	python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$W/$name.json"
}
# phases TOOL CMD: runs CMD (with -show-times) RUNS times and prints
# "RUN OVERHEAD LOAD LINK REST", medians in ms over the runs: the run phase
# as the tool itself reports it, the whole-process wall time minus that run
# phase (the JIT overhead), the tool's own load and link times, and what is
# left (process start, runtime start-up, teardown: wall - load - link -
# run). "fail ..." if the tool failed or printed no times.
# gorc: run = "program exited T after gorc started" - "total before run";
# llvm-jitlink: the wall-time column of its phase timers.
phases() {
	(cd "$W" && python3 - "$1" "$2" "$RUNS" <<'PYEOF'
import re, statistics, subprocess, sys, time
tool, cmd, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def dur(s):
    m = re.fullmatch(r"([0-9.]+)(ns|µs|us|ms|s)", s)
    return float(m.group(1)) * {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1, "s": 1000}[m.group(2)]
def llvm_timer(text, name):
    m = re.search(r"^\s*\S+ \(.*\)\s+\S+ \(.*\)\s+\S+ \(.*\)\s+(\S+) \(.*\)\s+" + re.escape(name), text, re.M)
    return float(m.group(1)) * 1000
cols = [[] for _ in range(5)]
try:
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = (time.perf_counter() - t) * 1000
        if tool == "gorc":
            m = re.search(r"load (\S+), link (\S+) \(.*total before run (\S+)", r.stderr)
            load, link, before = dur(m.group(1)), dur(m.group(2)), dur(m.group(3))
            run = dur(re.search(r"program exited (\S+) after gorc started", r.stderr).group(1)) - before
        else:
            load = llvm_timer(r.stderr, "time to load/add object files")
            link = llvm_timer(r.stderr, "time to link object files")
            run = llvm_timer(r.stderr, "time to execute jitlink'd code")
        for i, v in enumerate((run, wall - run, load, link, wall - load - link - run)):
            cols[i].append(v)
    print(" ".join("%.1f" % statistics.median(c) for c in cols))
except Exception:
    print("fail fail fail fail fail")
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
for d in sqlite lua zlib; do
	gcc -O2 -c "$ROOT/bench/drivers/$d.c" -I/usr/include/lua5.4 -o "$W/$d.o"
	# Native: link and run, timed separately and together.
	gcc -o "$W/$d.native" "$W/$d.o" "$LIB/${ARCH[$d]}" ${LIBS[$d]}
	nl=$(median "$d-nlink" "gcc -o $W/$d.tmp $W/$d.o $LIB/${ARCH[$d]} ${LIBS[$d]}")
	nr=$(median "$d-native" "$W/$d.native")
	nlr=$(median "$d-nboth" "bash -c 'gcc -o $W/$d.t2 $W/$d.o $LIB/${ARCH[$d]} ${LIBS[$d]} && $W/$d.t2'")
	g=$(median "$d-gorc" "$GORC run $W/$d.o $LIB/${ARCH[$d]} ${LIBS[$d]}")
	# llvm-jitlink cannot read Debian's libm.so linker script: give it libm.so.6.
	l=$(median "$d-llvm" "$LLVM $W/$d.o $LIB/${ARCH[$d]} ${PEERLIBS[$d]}")
	gn=$(median "$d-gorc-noexec" "$GORC run -noexec $W/$d.o $LIB/${ARCH[$d]} ${LIBS[$d]}")
	ln=$(median "$d-llvm-noexec" "$LLVM -noexec $W/$d.o $LIB/${ARCH[$d]} ${PEERLIBS[$d]}")
	read -r gr go gload glink grest <<<"$(phases gorc "$GORC run -show-times $W/$d.o $LIB/${ARCH[$d]} ${LIBS[$d]}")"
	read -r lr lo lload llink lrest <<<"$(phases llvm "$LLVM -show-times $W/$d.o $LIB/${ARCH[$d]} ${PEERLIBS[$d]}")"
	splits+=("| $d | $gload | $glink | $gr | $grest | $lload | $llink | $lr | $lrest | $nr |")
	same=no
	if [ "$g" != fail ] && cmp -s "$W/$d-gorc.out" "$W/$d-native.out"; then same=yes; fi
	[ "$l" = fail ] && notes+=("llvm-jitlink-19 fails on $d: $(firstline "$W/$d-llvm.err")")
	[ "$g" = fail ] && notes+=("gorc fails on $d: $(firstline "$W/$d-gorc.err")")
	echo "| $d | $g | $l | $(ratio "$g" "$l") | $gn | $ln | $(ratio "$gn" "$ln") | $gr | $lr | $go | $lo | $(ratio "$go" "$lo") | $nl | $nr | $nlr | $same |" | tee -a "$OUT"
done

{
echo
echo "### Where the time goes (median of $RUNS, ms, each tool's own -show-times; rest = wall - load - link - run: process start, runtime start-up, teardown)"
echo
echo "| driver | gorc load | gorc link | gorc run | gorc rest | llvm load | llvm link | llvm run | llvm rest | native run (whole process) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for row in "${splits[@]}"; do echo "$row"; done
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
for n in 1 2 4; do
	gcc -O1 -c "$W/main$n.c" -o "$W/main$n.o"
	objs="$W/main$n.o"
	for ((c = 0; c < n; c++)); do objs="$objs $W/gen$c.o"; done
	g=$(median "scale$n-gorc" "$GORC run -noexec $objs")
	l=$(median "scale$n-llvm" "$LLVM -noexec $objs")
	echo "| $n | $g | $l | $(ratio "$g" "$l") |" | tee -a "$OUT"
done
if [ ${#notes[@]} -gt 0 ]; then
	{ echo; echo "Failures:"; for n in "${notes[@]}"; do echo "- $n"; done; } | tee -a "$OUT"
fi
