#!/usr/bin/env bash
# make bench: Go micro-benchmarks, then the side-by-side peer comparisons.
# Results go to stdout and bench/results/; docs/PERFORMANCE.md records them.
set -euo pipefail
# LLVM 19 ORC headers for the session-core peer benchmark.
GORC_EXTRA_PKGS=llvm-19-dev bash scripts/deps.sh
# Session core (issue 2), linker, memory manager and executor calls, backend,
# front end.
go test -run='^$' -bench=. -benchmem -count=5 ./orc/ | tee /tmp/gorc-bench-orc.txt
go test -run='^$' -bench=. -benchmem -count=3 ./memmgr ./orc/epc ./jitlink/elf ./backend/amd64 ./backend/amd64/asm ./kaleidoscope
# LLVM 19 ORC running the same session benchmarks (needs llvm-19-dev).
bash orc/testdata/llvmpeer/run.sh
# gorc run vs llvm-jitlink-19 vs native on the real-library drivers, and link
# scaling (bench/peers.sh); the corpus through both JITs (bench/corpus.sh).
bash bench/peers.sh bin/gorc
bash bench/corpus.sh
# Kaleidoscope: compile speed and code speed against lli-19.
bash kaleidoscope/testdata/bench/run.sh
