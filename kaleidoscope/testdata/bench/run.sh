#!/usr/bin/env bash
# Compares gorc kaleido with lli-19 (on the IR gorc emits) for compile speed
# (synthetic programs of 500, 2000, 4000 functions) and code speed (the
# programs in this directory). Prints user CPU seconds. Run from the repo
# root: bash kaleidoscope/testdata/bench/run.sh
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/gorc" ./cmd/gorc
go build -o "$tmp/kgen" ./kaleidoscope/cmd/kgen
t() { /usr/bin/time -f "%U" "$@" 2>&1 >/dev/null | tail -1; }
printf '%-22s %10s %10s\n' workload gorc lli-19
for n in 500 2000 4000; do
	"$tmp/kgen" $n >"$tmp/s$n.k"
	"$tmp/gorc" kaleido -emit ir -o "$tmp/s$n.ll" "$tmp/s$n.k"
	printf '%-22s %10s %10s\n' "compile $n fns" "$(t "$tmp/gorc" kaleido "$tmp/s$n.k")" "$(t lli-19 "$tmp/s$n.ll")"
done
for p in kaleidoscope/testdata/bench/*.k; do
	"$tmp/gorc" kaleido -emit ir -o "$tmp/p.ll" "$p"
	printf '%-22s %10s %10s\n' "run $(basename "$p" .k)" "$(t "$tmp/gorc" kaleido "$p")" "$(t lli-19 "$tmp/p.ll")"
done
