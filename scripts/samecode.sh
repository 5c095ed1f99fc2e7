#!/bin/sh
# samecode.sh OLD NEW: checks that two gorc binaries compile the same
# Kaleidoscope code: `gorc kaleido -emit obj` and `-emit ir` at -O0, -O1
# and -O2 of every program in kaleidoscope/testdata and its bench
# directory and of kgen's 500- and 2,000-function programs, byte for
# byte, with the same exit status and error output. Run from the
# repository's root; prints one line per difference and a count.
set -u
old=$1 new=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./kaleidoscope/cmd/kgen 500 >"$tmp/kgen500.k"
go run ./kaleidoscope/cmd/kgen 2000 >"$tmp/kgen2000.k"
n=0 bad=0
for f in kaleidoscope/testdata/*.k kaleidoscope/testdata/bench/*.k "$tmp"/kgen*.k; do
	for emit in obj ir; do
		for o in 0 1 2; do
			for b in old new; do
				eval bin=\$$b
				"$bin" kaleido -no-cache -O$o -emit $emit -o "$tmp/$b.out" "$f" </dev/null >/dev/null 2>"$tmp/$b.err"
				echo $? >>"$tmp/$b.err"
				sed -i "s|$tmp/$b.out|OUT|g" "$tmp/$b.err"
			done
			n=$((n + 1))
			if ! cmp -s "$tmp/old.out" "$tmp/new.out" || ! cmp -s "$tmp/old.err" "$tmp/new.err"; then
				echo "differs: $f -emit $emit -O$o"
				bad=$((bad + 1))
			fi
			rm -f "$tmp/old.out" "$tmp/new.out"
		done
	done
done
echo "$n comparisons, $bad different"
[ $bad -eq 0 ]
