# bench/tsv.sh: sourced by the bench scripts. The machine-readable results
# they write beside their Markdown tables (bench/results/*.tsv, read by
# go run ./bench/plot) start with these metadata lines.
#
# tsv_head SOURCE: prints "# date:", "# machine:" and "# source: SOURCE".
tsv_head() {
	printf '# date: %s\n# machine: %s\n# source: %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(tsv_machine)" "$1"
}

# tsv_machine: cores, CPU, memory, kernel and tool versions, one line.
tsv_machine() {
	local llvm
	llvm=$(llvm-jitlink-19 --version 2>/dev/null | grep -m1 -o 'LLVM version [0-9.]*' | sed 's/version //' || true)
	printf '%s cores, %s, %s, kernel %s, %s, gcc %s, %s' "$(nproc)" \
		"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
		"$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" \
		"$(uname -r)" "$(go version 2>/dev/null | cut -d' ' -f3)" \
		"$(gcc -dumpfullversion 2>/dev/null)" "${llvm:-LLVM 19 missing}"
}
