#!/usr/bin/env bash
# Builds orcbench.cpp against LLVM 19's ORC (needs llvm-19-dev and clang-19)
# and runs it next to gorc's equivalent Go benchmarks, so the two session
# cores are measured on the same machine at the same time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cfg=${LLVM_CONFIG:-llvm-config-19}
command -v "$cfg" >/dev/null || { echo "run.sh: $cfg not found (apt-get install llvm-19-dev)" >&2; exit 1; }
command -v clang++-19 >/dev/null || { echo "run.sh: clang++-19 not found (apt-get install clang-19)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
clang++-19 -O2 -std=c++17 "$here/orcbench.cpp" -o "$out/orcbench" \
	$("$cfg" --cxxflags) $("$cfg" --ldflags) $("$cfg" --libs orcjit core support) $("$cfg" --system-libs)
"$out/orcbench"
cd "$root" && go test -run='^$' -bench='^(BenchmarkLookupReady|BenchmarkDefineMaterializeLookup10k)$' -benchmem -count="${COUNT:-3}" ./orc/
