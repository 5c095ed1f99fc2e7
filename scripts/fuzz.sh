#!/usr/bin/env bash
# Runs each Go fuzz target in the module for a short time ($1, default 4s).
#
# Go 1.26's fuzz coordinator can fail a target with a bare "context deadline
# exceeded" at the -fuzztime boundary when a worker is still mid-call
# (golang/go#75804, fixed in Go 1.27). That failure writes no reproducer. A
# target failing that way, with no new file under testdata/fuzz/<target>, is
# run again, up to three more times (the race hit one target twice in a row
# in session 30's CI); any other failure, a new reproducer, or a fourth
# such failure fails the script.
#
# -fuzzminimizetime=0s: by default the fuzzer minimizes every new
# interesting input for up to 60s, and with a few seconds per target the
# whole budget went there (6-8 inputs executed in 30s). Without it the time
# goes to executing inputs; the executions of each target are printed from
# the fuzzer's last "execs:" line.
set -euo pipefail
t=${1:-4s}
n=0
total=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# corpus_state DIR TARGET lists the target's corpus files (reproducers land there).
corpus_state() { ls -1 "$1/testdata/fuzz/$2" 2>/dev/null || true; }

for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
		for try in 1 2 3 4; do
			echo "fuzz: $pkg $f ($t)"
			before=$(corpus_state "$dir" "$f")
			if go test -run='^$' -fuzz="^$f\$" -fuzztime="$t" -fuzzminimizetime=0s "$pkg" >"$log" 2>&1; then
				execs=$(grep -o 'execs: [0-9]*' "$log" | tail -n 1 | sed 's/execs: //' || true)
				echo "fuzz: $pkg $f: ${execs:-0} executions"
				total=$((total + ${execs:-0}))
				break
			fi
			after=$(corpus_state "$dir" "$f")
			if [ "$try" -lt 4 ] && [ "$before" = "$after" ] &&
				grep -q '^    context deadline exceeded$' "$log" &&
				! grep -q -e 'panic:' -e 'Failing input written' -e 'hung or terminated' "$log"; then
				echo "fuzz: $pkg $f: Go fuzz coordinator deadline race (golang/go#75804), no reproducer written; running it again"
				continue
			fi
			cat "$log"
			echo "fuzz: $pkg $f FAILED"
			exit 1
		done
		n=$((n+1))
	done
done
echo "fuzz: $n targets ran, $total executions, none failed"
