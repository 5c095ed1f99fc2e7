#!/usr/bin/env bash
# Kaleidoscope speed, gorc kaleido against LLVM (issue 5), side by side in
# one run. Run from the repository root:
#
#   bash kaleidoscope/testdata/bench/run.sh            # 7 runs per cell
#   KBENCH_RUNS=9 bash kaleidoscope/testdata/bench/run.sh
#
# Peer: lli-19 on the IR `gorc kaleido -emit ir` prints (at -O2), the
# stand-in the issue allows for LLVM's tutorial JIT. lli parses the IR and
# compiles it with LLVM's code generator at -O2 (no IR optimisation, so it
# does less than the tutorial JIT, whose function pass manager also runs
# instcombine, reassociate, GVN and simplifycfg); gorc starts from the
# Kaleidoscope source: parse, IR generation, -O2 optimisation, x86-64 code
# generation, JIT link, run; with -no-cache, so that every run compiles
# (the persistent code cache's effect is measured by bench/cache.sh).
# Second peer for compile speed, when tcc is installed: `tcc -run` on the
# same program written in C (kgen -c), a compiler built for compile speed
# that also compiles to memory and runs. Issue 13's goal is gorc no slower
# than tcc -run at 500, 2,000 and 4,000 functions: the table gives gorc/tcc
# in wall and CPU time, and the page faults of one run of each (median of
# three, counted by GNU time in a separate pass). The same goal asks that
# gorc's code stay at least 1.5x faster than tcc's: a code-speed program
# with a C twin beside it (NAME.c next to NAME.k) is also timed with
# tcc -run.
#
# Compile speed: generated programs of 500, 1,000, 2,000 and 4,000
# non-trivial functions (go run ./kaleidoscope/cmd/kgen N), whole process
# from source to executable code and the run of its one top-level
# expression (O(N), well under a millisecond). Code speed: the programs in
# kaleidoscope/testdata/bench (fib(40), numeric integration of sin with
# 40 M calls, a 2400x2400 Mandelbrot escape-count grid by a recursive
# function, a Mandelbrot loop nest whose float loop sequences assignments
# with a user-defined operator, and a larger program of small functions
# calling each other in loops: an RK4 ODE integrator), whole process,
# against lli-19 and against each program's C twin (FILE.c: the same
# algorithm in doubles, the same output) compiled by clang-19 -O2 and by
# gcc -O2 before timing (the native binary's run is timed).
# KBENCH_CODE_ONLY=1 skips the compile-speed table; KBENCH_COMPILE_ONLY=1
# skips the code-speed programs (their table is then empty).
#
# The two tools are timed in alternation (one run of each per round).
# Every cell is the best (minimum) of KBENCH_RUNS runs, in wall-clock
# seconds and in CPU seconds (user + system of the process), for both
# tools alike: on a shared machine other load only ever adds time, so the
# minimum is the most repeatable figure (the median is printed beside it).
# gorc's compiler pipeline and linker run on two cores, so its CPU time
# counts both (the wall time is what a user waits for); on this shared
# machine gorc's CPU time for a short compile also rises with the
# neighbours' load (measured: as much with GOMAXPROCS=1). Outputs are checked
# equal between gorc and lli. The table is printed and kept in
# bench/results/kaleidoscope.md (KBENCH_OUT overrides); the same figures,
# machine-readable, go to $RESULTS/kaleidoscope-compile.tsv and
# $RESULTS/kaleidoscope-code.tsv (default bench/results; read by
# go run ./bench/plot).
set -euo pipefail
runs=${KBENCH_RUNS:-7}
out=${KBENCH_OUT:-bench/results/kaleidoscope.md}
results=${RESULTS:-bench/results}
# shellcheck source=bench/tsv.sh
. bench/tsv.sh
command -v lli-19 >/dev/null || { echo "lli-19 is required (bash scripts/deps.sh installs LLVM 19)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/gorc" ./cmd/gorc
go build -o "$tmp/kgen" ./kaleidoscope/cmd/kgen
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# measure_named NAME=CMD...: runs the commands $runs times each, in
# alternation (one run of each per round, so a burst of load from other
# jobs lands on all alike), the stdout of NAME's command to $tmp/NAME.out,
# and prints "min-wall min-cpu median-wall" of each in turn, in seconds
# (bash's time: millisecond resolution, for the child process).
measure_named() {
	local i t which arg
	local -a names=()
	local -A cmds=()
	for arg in "$@"; do
		names+=("${arg%%=*}")
		cmds[${arg%%=*}]=${arg#*=}
	done
	for which in "${names[@]}"; do : >"$tmp/times.$which"; done
	for ((i = 0; i < runs; i++)); do
		for which in "${names[@]}"; do
			local cmd=${cmds[$which]}
			t=$({ TIMEFORMAT='%3R %3U %3S'; time $cmd >"$tmp/$which.out" 2>"$tmp/err"; } 2>&1) || {
				echo "failed: $cmd" >&2
				cat "$tmp/err" >&2
				exit 1
			}
			echo "$t" >>"$tmp/times.$which"
		done
	done
	for which in "${names[@]}"; do
		local w c m
		w=$(awk '{print $1}' "$tmp/times.$which" | sort -g | head -1)
		m=$(awk '{print $1}' "$tmp/times.$which" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
		c=$(awk '{printf "%.3f\n", $2+$3}' "$tmp/times.$which" | sort -g | head -1)
		echo -n "$w $c $m "
	done
	echo
}

# faults CMD: the page faults (minor + major) of one run of CMD, the
# median of three (GNU time's getrusage figures; a separate pass, so that
# the timed runs carry no wrapper).
faults() {
	local i
	for i in 1 2 3; do
		/usr/bin/time -f '%R %F' -o "$tmp/faults" $1 >/dev/null 2>"$tmp/err" || {
			echo "failed: $1" >&2
			cat "$tmp/err" >&2
			exit 1
		}
		awk '{print $1 + $2}' "$tmp/faults"
	done | sort -n | sed -n 2p
}

# measure GORC-CMD LLI-CMD [TCC-CMD]: measure_named for gorc, lli (and tcc).
measure() {
	local -a args=("gorc=$1" "lli=$2")
	if [ $# -gt 2 ]; then
		args+=("tcc=$3")
	fi
	measure_named "${args[@]}"
}

div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "–" }'; }
div2() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "–" }'; }

# tcc: the C peer for compile speed (optional: scripts/bench.sh installs it).
tcc=$(command -v tcc || true)
[ -n "$tcc" ] || echo "run.sh: tcc not found: compile speed without the tcc column (apt-get install tcc)" >&2
# GNU time counts the page faults of a run (optional: scripts/bench.sh
# installs it).
[ -x /usr/bin/time ] || echo "run.sh: /usr/bin/time not found: no page-fault columns (apt-get install time)" >&2
table=$tmp/table.md
{
	echo "## gorc kaleido vs lli-19 (best of $runs runs, seconds; median wall in parentheses)"
	echo
	echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), $(go version | cut -d' ' -f3), $(lli-19 --version | grep -m1 -o 'LLVM version [0-9.]*'). Load average at start: $load0. $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo
	echo "### Compile speed: source to executable code (and its O(N) run)"
	echo
	if [ -n "$tcc" ]; then
		echo "| functions | gorc wall (median) | lli-19 wall (median) | lli/gorc (wall) | gorc CPU | lli-19 CPU | lli/gorc (CPU) | tcc -run wall (median) | gorc/tcc (wall) | tcc CPU | gorc/tcc (CPU) | page faults gorc / tcc |"
		echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	else
		echo "| functions | gorc wall (median) | lli-19 wall (median) | lli/gorc (wall) | gorc CPU | lli-19 CPU | lli/gorc (CPU) |"
		echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	fi
} >"$table"
{
	tsv_head "kaleidoscope/testdata/bench/run.sh, best of $runs runs (wall_median_s: median), seconds"
	printf 'functions\ttool\twall_s\twall_median_s\tcpu_s\n'
} >"$tmp/compile.tsv"
{
	tsv_head "kaleidoscope/testdata/bench/run.sh, best of $runs runs (wall_median_s: median), seconds"
	printf 'program\ttool\twall_s\twall_median_s\tcpu_s\n'
} >"$tmp/code.tsv"
declare -A gw gc lw lc tw tc
sizes=(500 1000 2000 4000)
[ "${KBENCH_CODE_ONLY:-}" = 1 ] && sizes=()
for n in "${sizes[@]}"; do
	"$tmp/kgen" "$n" >"$tmp/s$n.k"
	"$tmp/gorc" kaleido -emit ir -o "$tmp/s$n.ll" "$tmp/s$n.k"
	tccrun=()
	if [ -n "$tcc" ]; then
		"$tmp/kgen" -c "$n" >"$tmp/s$n.c"
		tccrun=("$tcc -run $tmp/s$n.c")
	fi
	read -r gw[$n] gc[$n] gm lw[$n] lc[$n] lm tw[$n] tc[$n] tm < <(measure "$tmp/gorc kaleido -no-cache $tmp/s$n.k" "lli-19 $tmp/s$n.ll" "${tccrun[@]}")
	cmp -s "$tmp/lli.out" "$tmp/gorc.out" || { echo "outputs differ for $n functions" >&2; exit 1; }
	printf '%s\t%s\t%s\t%s\t%s\n' "$n" gorc "${gw[$n]}" "$gm" "${gc[$n]}" "$n" lli-19 "${lw[$n]}" "$lm" "${lc[$n]}" >>"$tmp/compile.tsv"
	row="| $n | ${gw[$n]} ($gm) | ${lw[$n]} ($lm) | $(div "${lw[$n]}" "${gw[$n]}")x | ${gc[$n]} | ${lc[$n]} | $(div "${lc[$n]}" "${gc[$n]}")x |"
	if [ -n "$tcc" ]; then
		cmp -s "$tmp/tcc.out" "$tmp/gorc.out" || { echo "outputs differ for $n functions (tcc)" >&2; exit 1; }
		printf '%s\t%s\t%s\t%s\t%s\n' "$n" tcc "${tw[$n]}" "$tm" "${tc[$n]}" >>"$tmp/compile.tsv"
		pf="–"
		if [ -x /usr/bin/time ]; then
			pf="$(faults "$tmp/gorc kaleido -no-cache $tmp/s$n.k") / $(faults "$tcc -run $tmp/s$n.c")"
		fi
		row="$row ${tw[$n]} ($tm) | $(div2 "${gw[$n]}" "${tw[$n]}") | ${tc[$n]} | $(div2 "${gc[$n]}" "${tc[$n]}") | $pf |"
	fi
	echo "$row" >>"$table"
done
{
	echo
	if [ ${#sizes[@]} -gt 0 ]; then
		echo "Growth from 500 to 4,000 functions (8x the code, best times): gorc $(div2 "${gw[4000]}" "${gw[500]}")x wall, $(div2 "${gc[4000]}" "${gc[500]}")x CPU; lli-19 $(div2 "${lw[4000]}" "${lw[500]}")x wall, $(div2 "${lc[4000]}" "${lc[500]}")x CPU$([ -n "$tcc" ] && echo "; tcc -run $(div2 "${tw[4000]}" "${tw[500]}")x wall, $(div2 "${tc[4000]}" "${tc[500]}")x CPU")."
	fi
	echo
	echo "### Code speed: whole process, gorc kaleido FILE.k vs lli-19 on its -O2 IR and the C twin FILE.c compiled by clang-19 -O2 and gcc -O2"
	echo
	echo "The C twins are compiled before timing (their compile is excluded: the native binary is timed); gorc's figure includes its compile and link, as does tcc -run's. Wall ratios are of the medians; the CPU ratio (user + system, best run) is the steadier one on a loaded machine."
	echo
	echo "| program | gorc wall (median) | lli-19 wall (median) | clang-19 -O2 wall (median) | gcc -O2 wall (median) | tcc -run wall (median) | gorc/clang | gorc/gcc | gorc/lli | tcc/gorc | gorc CPU | clang CPU | gcc CPU | tcc CPU | gorc/clang (CPU) | gorc/gcc (CPU) | tcc/gorc (CPU) |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
} >>"$table"
programs=(kaleidoscope/testdata/bench/*.k)
[ "${KBENCH_COMPILE_ONLY:-}" = 1 ] && programs=()
for p in "${programs[@]}"; do
	name=$(basename "$p" .k)
	"$tmp/gorc" kaleido -emit ir -o "$tmp/$name.ll" "$p"
	# The C twins: same algorithm in doubles, the same output; tcc -run on
	# the twin is the code-speed peer of issue 13's compile goal.
	clang-19 -O2 -o "$tmp/$name.clang" "${p%.k}.c" -lm
	gcc -O2 -o "$tmp/$name.gcc" "${p%.k}.c" -lm
	tccrun=()
	if [ -n "$tcc" ]; then
		tccrun=("tcc=$tcc -lm -run ${p%.k}.c")
	fi
	w5=nan c5=nan m5=nan
	read -r w1 c1 m1 w2 c2 m2 w3 c3 m3 w4 c4 m4 w5 c5 m5 < <(measure_named "gorc=$tmp/gorc kaleido -no-cache $p" "lli=lli-19 $tmp/$name.ll" "clang=$tmp/$name.clang" "gcc=$tmp/$name.gcc" "${tccrun[@]}")
	for peer in lli clang gcc ${tcc:+tcc}; do
		cmp -s "$tmp/$peer.out" "$tmp/gorc.out" || { echo "outputs differ for $name ($peer)" >&2; exit 1; }
	done
	printf '%s\t%s\t%s\t%s\t%s\n' "$name" gorc "$w1" "$m1" "$c1" "$name" lli-19 "$w2" "$m2" "$c2" "$name" clang-19-O2 "$w3" "$m3" "$c3" "$name" gcc-O2 "$w4" "$m4" "$c4" >>"$tmp/code.tsv"
	if [ ${#tccrun[@]} -gt 0 ]; then
		printf '%s\t%s\t%s\t%s\t%s\n' "$name" tcc-run "$w5" "$m5" "$c5" >>"$tmp/code.tsv"
	fi
	echo "| $name | $w1 ($m1) | $w2 ($m2) | $w3 ($m3) | $w4 ($m4) | $w5 ($m5) | $(div2 "$m1" "$m3") | $(div2 "$m1" "$m4") | $(div2 "$m1" "$m2") | $(div2 "$m5" "$m1") | $c1 | $c3 | $c4 | $c5 | $(div2 "$c1" "$c3") | $(div2 "$c1" "$c4") | $(div2 "$c5" "$c1") |" >>"$table"
done
{
	echo
	echo "Goals: compile speed at least 20x LLVM at 2,000 functions (issue 5); code speed within 1.2x of clang-19 -O2 on the C twins (issue 13); issue 13 also: gorc/tcc (wall) at most 1 at 500, 2,000 and 4,000 functions, with tcc/gorc on the code-speed programs at least 1.5. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} >>"$table"
cat "$table"
mkdir -p "$(dirname "$out")" "$results"
cp "$table" "$out"
cp "$tmp/compile.tsv" "$results/kaleidoscope-compile.tsv"
cp "$tmp/code.tsv" "$results/kaleidoscope-code.tsv"
