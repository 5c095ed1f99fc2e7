#!/usr/bin/env bash
# make bench: Go micro-benchmarks, then the side-by-side peer comparisons.
set -euo pipefail
go test -run='^$' -bench=. -benchmem -count=5 ./orc/... | tee /tmp/gorc-bench-orc.txt
