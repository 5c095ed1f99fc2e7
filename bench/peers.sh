#!/usr/bin/env bash
# bench/peers.sh: gorc run versus llvm-jitlink-19 versus a native static
# link, side by side, on the real-library drivers (sqlite, Lua, zlib) and on
# a scaling series (1/2/4 copies of a large generated object). Wall time of
# the whole process, median of RUNS runs (hyperfine). Prints a Markdown
# report on stdout and keeps it in $OUT (default /tmp/gorc-bench-peers.md).
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
ratio() { python3 -c 'import sys
a,b=sys.argv[1],sys.argv[2]
print("%.2f" % (float(a)/float(b)) if a!="fail" and b!="fail" else "–")' "$1" "$2"; }
firstline() { grep -m1 -iE 'error|not found|unrecognized|unsupported|fault' "$1" 2>/dev/null | cut -c1-140 || true; }

{
echo "## gorc run vs llvm-jitlink-19 vs native (median of $RUNS, wall ms)"
echo
echo "Machine: $(nproc) cores, $(uname -r). Drivers compiled once with gcc -O2."
echo
echo "| driver | gorc run | llvm-jitlink-19 | gorc/llvm | gorc -noexec | llvm-jitlink -noexec | gorc/llvm (link only) | native link | native run | native link+run | output = native |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
} | tee "$OUT"

declare -A ARCH=([sqlite]=libsqlite3.a [lua]=liblua5.4.a [zlib]=libz.a)
declare -A LIBS=([sqlite]="-lm" [lua]="-lm" [zlib]="")
declare -A PEERLIBS=([sqlite]="$LIB/libm.so.6" [lua]="$LIB/libm.so.6" [zlib]="")
notes=()
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
	same=no
	if [ "$g" != fail ] && cmp -s "$W/$d-gorc.out" "$W/$d-native.out"; then same=yes; fi
	[ "$l" = fail ] && notes+=("llvm-jitlink-19 fails on $d: $(firstline "$W/$d-llvm.err")")
	[ "$g" = fail ] && notes+=("gorc fails on $d: $(firstline "$W/$d-gorc.err")")
	echo "| $d | $g | $l | $(ratio "$g" "$l") | $gn | $ln | $(ratio "$gn" "$ln") | $nl | $nr | $nlr | $same |" | tee -a "$OUT"
done

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
