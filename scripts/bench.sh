#!/usr/bin/env bash
# make bench: Go micro-benchmarks, then the side-by-side peer comparisons.
set -euo pipefail
go test -run='^$' -bench=. -benchmem -count=5 ./orc/... | tee /tmp/gorc-bench-orc.txt
# gorc run vs llvm-jitlink-19 vs native on the real-library drivers, and link
# scaling (bench/peers.sh); the corpus through both JITs (bench/corpus.sh).
bash bench/peers.sh bin/gorc
bash bench/corpus.sh
