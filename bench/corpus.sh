#!/usr/bin/env bash
# bench/corpus.sh: runs the whole C/C++ corpus (testdata/programs, every
# compile mode) and the drivers through gorc run and through llvm-jitlink-19
# with the same harness (cmd/gorc TestCorpus/TestDrivers), and prints a
# pass/fail table per mode for each, plus llvm-jitlink-19's failure reasons.
# The counts per tool and executor mode go to $RESULTS/corpus-summary.tsv
# (default bench/results), from which go run ./bench/plot writes the corpus
# figure into README.md, docs/RUN.md and docs/PERFORMANCE.md.
# Usage: bash bench/corpus.sh   (from the repository root; GORC_EXEC=local
# runs gorc in-process only)
set -uo pipefail
OUT=${OUT:-/tmp/gorc-bench-corpus.md}
RESULTS=${RESULTS:-bench/results}
# shellcheck source=bench/tsv.sh
. bench/tsv.sh
W=$(mktemp -d /tmp/gorc-corpus.XXXXXX)
trap 'rm -rf "$W"' EXIT
for who in gorc llvm-jitlink-19; do
	peer=""
	[ "$who" != gorc ] && peer=$who
	GORC_CORPUS_MODES=all GORC_CORPUS_PEER=$peer GORC_CORPUS_REPORT="$W/$who.tsv" \
		go test -count=1 -timeout 30m -run 'TestCorpus|TestDrivers' ./cmd/gorc >"$W/$who.log" 2>&1
done
tsv_head "${GORC_EXEC:+GORC_EXEC=$GORC_EXEC }bash bench/corpus.sh (cmd/gorc TestCorpus|TestDrivers, every compile mode; llvm-jitlink-19 in-process)" >"$W/summary.tsv"
python3 - "$W" <<'PY' | tee "$OUT"
import sys, collections, re
w = sys.argv[1]
EXECS = ["local", "child", "child-shm", "tcp"]
summary = open(f"{w}/summary.tsv", "a")
summary.write("tool\texec\tpass\trefused\tfail\ttotal\trefused_cases\n")
for who in ("gorc", "llvm-jitlink-19"):
    rows = [l.rstrip("\n").split("\t") for l in open(f"{w}/{who}.tsv")]
    modes = sorted({r[1] for r in rows}, key=lambda m: ["O0","O2","O3","pic","nopic","large","fsections","g","nopic-O2","large-O2"].index(m) if m in ["O0","O2","O3","pic","nopic","large","fsections","g","nopic-O2","large-O2"] else 99)
    progs = sorted({r[0] for r in rows})
    res = {(r[0], r[1]): r[2] for r in rows}
    # One summary row per executor mode: a mode "O2@child" ran in the child
    # executor, a plain "O2" in-process.
    by_exec = collections.defaultdict(list)
    for r in rows:
        by_exec[r[1].split("@", 1)[1] if "@" in r[1] else "local"].append(r)
    for ex in sorted(by_exec, key=lambda e: (EXECS.index(e) if e in EXECS else 99, e)):
        rs = by_exec[ex]
        n = collections.Counter(r[2] for r in rs)
        refused = []
        for r in rs:
            k = r[0] + ":" + r[1].split("@", 1)[0]
            if r[2] == "REFUSED" and k not in refused:
                refused.append(k)
        summary.write(f"{who}\t{ex}\t{n['PASS']}\t{n['REFUSED']}\t{len(rs) - n['PASS'] - n['REFUSED']}\t{len(rs)}\t{','.join(refused) or '-'}\n")
    npass = sum(1 for r in rows if r[2] == "PASS")
    nref = sum(1 for r in rows if r[2] == "REFUSED")
    print(f"### {who}: {npass}/{len(rows)} pass" + (f", {nref} refused with a clear error" if nref else "") + "\n")
    print("| program | " + " | ".join(modes) + " |")
    print("| --- |" + " :-: |" * len(modes))
    for p in progs:
        print(f"| {p} | " + " | ".join({"PASS": "ok", "FAIL": "**FAIL**", "REFUSED": "refused"}.get(res.get((p, m)), "") for m in modes) + " |")
    fails = collections.Counter()
    for r in rows:
        if r[2] == "FAIL":
            reason = re.sub(r"0x[0-9a-f]+|/tmp/\S+", "…", r[3] if len(r) > 3 else "")[:120]
            fails[reason] += 1
    if fails:
        print("\nFailure reasons (count):\n")
        for reason, n in fails.most_common():
            print(f"- {n} × {reason}")
    print()
summary.close()
PY
mkdir -p "$RESULTS"
cp "$W/summary.tsv" "$RESULTS/corpus-summary.tsv"
