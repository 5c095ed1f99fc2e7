#!/usr/bin/env bash
# make bench: Go micro-benchmarks, then the side-by-side peer comparisons.
# Every part prints Markdown on stdout; the whole run is also kept in
# bench/results/make-bench.md (with the machine and the date) and each peer
# script keeps its own table in bench/results/, with the same figures in a
# machine-readable .tsv beside it. At the end, go run ./bench/plot draws
# docs/img/*.svg from those .tsv files and writes the corpus figure into
# README.md, docs/RUN.md and docs/PERFORMANCE.md; docs/PERFORMANCE.md
# records the figures of one such run.
set -euo pipefail
. bench/tsv.sh
# LLVM 19 ORC headers for the session-core peer benchmark; tcc, the C peer
# of the Kaleidoscope compile-speed benchmark; GNU time, which counts its
# page faults.
GORC_EXTRA_PKGS="llvm-19-dev tcc time" bash scripts/deps.sh
mkdir -p bench/results
LOG=bench/results/make-bench.md
{
echo "# make bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), $(go version | cut -d' ' -f3), gcc $(gcc -dumpfullversion), $(llvm-jitlink-19 --version 2>/dev/null | grep -m1 -o 'LLVM version [0-9.]*' || echo 'LLVM 19 missing'). Load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo '```'
# Session core (issue 2), linker, memory manager and executor calls, backend,
# front end.
go test -run='^$' -bench=. -benchmem -count=5 ./orc/ | tee /tmp/gorc-bench-orc.txt
go test -run='^$' -bench=. -benchmem -count=3 ./jitlink/elf ./backend/amd64 ./backend/amd64/asm ./kaleidoscope
# Dominator trees, including 25k/50k blocks all branching to one exit
# (issue 14: quadratic before).
go test -run='^$' -bench=DomTree -benchmem -count=3 ./ir
# Typed calls from Go (jit.Func) per executor mode, and the call routine
# alone against its floor, a plain cgo call (issue 12; the remote floor is
# the ping-pong in bench/executor.sh).
go test -run='^$' -bench='^BenchmarkFunc$' -count=3 ./jit
go test -run='^$' -bench='^BenchmarkCall$' -benchmem -count=3 ./executor
echo '```'
echo
# LLVM 19 ORC running the same session benchmarks (needs llvm-19-dev).
bash orc/testdata/llvmpeer/run.sh | tee /tmp/gorc-bench-llvmpeer.txt
{
tsv_head "orc/testdata/llvmpeer/run.sh: LLVM 19 ORC (orcbench.cpp) and the same Go benchmarks right after it; median ns/op"
python3 - /tmp/gorc-bench-llvmpeer.txt <<'PY'
import re, statistics, sys
gorc, llvm = {}, {}
for line in open(sys.argv[1]):
    m = re.match(r"LLVM (\S+)\s+([0-9.]+) (ns|ms)/op", line)
    if m:
        llvm[m.group(1)] = float(m.group(2)) * (1e6 if m.group(3) == "ms" else 1)
    m = re.match(r"Benchmark(\S+?)-\d+\s+\d+\s+([0-9.]+) ns/op", line)
    if m:
        gorc.setdefault(m.group(1), []).append(float(m.group(2)))
print("benchmark\ttool\tns_per_op")
for key, name in (("lookup-ready", "LookupReady"), ("define-materialize-lookup-10k", "DefineMaterializeLookup10k")):
    print(f"{key}\tgorc\t" + ("%.1f" % statistics.median(gorc[name]) if name in gorc else "fail"))
    print(f"{key}\tllvm-orc-19\t" + ("%.1f" % llvm[name] if name in llvm else "fail"))
PY
} >bench/results/session.tsv
echo
# gorc run vs llvm-jitlink-19 vs native on the real-library drivers, and link
# scaling (bench/peers.sh); the corpus through both JITs (bench/corpus.sh).
bash bench/peers.sh bin/gorc
echo
# Every executor mode, as the corpus figure in the docs says (bench/plot
# writes it from bench/results/corpus-summary.tsv).
bash bench/corpus.sh
echo
# Executor control: call round trip vs the ping-pong floor, code transfer with
# and without -shm, the drivers in every executor mode (bench/executor.sh).
bash bench/executor.sh bin/gorc
echo
# Kaleidoscope: compile speed and code speed against lli-19.
bash kaleidoscope/testdata/bench/run.sh
echo
# The persistent code cache: first run against second run (bench/cache.sh).
bash bench/cache.sh bin/gorc
echo
# Compile workers (gorc worker): 0, 1, 2, 4 local workers on the 2,000- and
# 10,000-function Kaleidoscope programs and the 10,000-function .ll
# (bench/workers.sh).
bash bench/workers.sh bin/gorc
echo
# One executor shared by several JIT processes: the two-process
# mutual-recursion case against one controller (bench/sharing.sh).
bash bench/sharing.sh bin/gorc
echo
# Lazy compilation: start-up with 1% of 10,000 functions called, growth
# with all called, first-call latency, stub cost, against gorc eager and
# lli-19 -jit-kind=orc-lazy / eager (bench/lazy.sh).
bash bench/lazy.sh bin/gorc
echo
echo "Finished $(date -u '+%Y-%m-%d %H:%M UTC')."
} 2>&1 | tee "$LOG"
# The plots and the corpus figure, from this run's bench/results/*.tsv.
go run ./bench/plot
