#!/usr/bin/env bash
# Runs each Go fuzz target in the module for a short time ($1, default 4s).
set -euo pipefail
t=${1:-4s}
n=0
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
		echo "fuzz: $pkg $f ($t)"
		go test -run='^$' -fuzz="^$f\$" -fuzztime="$t" "$pkg" >/tmp/gorc-fuzz.log 2>&1 || { cat /tmp/gorc-fuzz.log; echo "fuzz: $pkg $f FAILED"; exit 1; }
		n=$((n+1))
	done
done
echo "fuzz: $n targets ran, none failed"
