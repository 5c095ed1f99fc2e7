// Command plot draws the performance plots of docs/PERFORMANCE.md and
// writes the corpus figure into the docs, from the machine-readable
// results that `make bench` leaves in bench/results (*.tsv).
//
// Run from the repository root (scripts/bench.sh does, at the end):
//
//	go run ./bench/plot          # write docs/img/*.svg and the doc regions
//	go run ./bench/plot -check   # exit 1 if any of them is out of date
//
// Outputs: docs/img/headline.svg (gorc's time over each peer's),
// docs/img/kaleidoscope-compile.svg (compile time against program size,
// every tool of the table: gorc, lli-19, tcc -run),
// docs/img/kaleidoscope-code.svg (each program's time under gorc, lli-19
// and the C twin under clang-19 -O2, gcc -O2 and tcc -run),
// docs/img/link-scaling.svg (link time against input size),
// docs/img/executor-calls.svg (call round trip against the raw floor), and
// the text between <!-- corpus --> and <!-- /corpus --> in README.md,
// docs/RUN.md and docs/PERFORMANCE.md. Standard library only; the SVG is
// written by hand and is byte-for-byte deterministic.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// corpusDocs are the documents that carry the corpus figure.
var corpusDocs = []string{"README.md", "docs/RUN.md", "docs/PERFORMANCE.md"}

// generate returns every output file (path relative to root → content)
// made from root/bench/results.
func generate(root string) (map[string][]byte, error) {
	res, err := readResults(filepath.Join(root, "bench", "results"))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, p := range []struct {
		name string
		draw func() (string, error)
	}{
		{"headline.svg", res.headline},
		{"kaleidoscope-compile.svg", res.kaleidoscopeCompile},
		{"kaleidoscope-code.svg", res.kaleidoscopeCode},
		{"link-scaling.svg", res.linkScaling},
		{"executor-calls.svg", res.executorCalls},
	} {
		s, err := p.draw()
		if err != nil {
			return nil, fmt.Errorf("drawing %s: %w", p.name, err)
		}
		out[filepath.Join("docs", "img", p.name)] = []byte(s)
	}
	ct, err := readTable(filepath.Join(root, "bench", "results", "corpus-summary.tsv"))
	if err != nil {
		return nil, err
	}
	text, err := corpusText(ct)
	if err != nil {
		return nil, err
	}
	for _, d := range corpusDocs {
		b, err := os.ReadFile(filepath.Join(root, d))
		if err != nil {
			return nil, fmt.Errorf("corpus figure: %w", err)
		}
		doc, err := replaceRegion(string(b), "corpus", text)
		if err != nil {
			return nil, fmt.Errorf("corpus figure in %s: %w", d, err)
		}
		out[d] = []byte(doc)
	}
	return out, nil
}

// stale lists the outputs whose file differs from the generated content.
func stale(root string, out map[string][]byte) []string {
	var s []string
	for p, want := range out {
		got, err := os.ReadFile(filepath.Join(root, p))
		if err != nil || !bytes.Equal(got, want) {
			s = append(s, p)
		}
	}
	sort.Strings(s)
	return s
}

func main() {
	root := flag.String("root", ".", "repository root")
	check := flag.Bool("check", false, "write nothing; exit 1 if an output is out of date")
	flag.Parse()
	out, err := generate(*root)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plot: %v\n", err)
		os.Exit(1)
	}
	st := stale(*root, out)
	if *check {
		for _, p := range st {
			fmt.Fprintf(os.Stderr, "plot: %s is out of date (go run ./bench/plot)\n", p)
		}
		if len(st) > 0 {
			os.Exit(1)
		}
		return
	}
	if err := os.MkdirAll(filepath.Join(*root, "docs", "img"), 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "plot: %v\n", err)
		os.Exit(1)
	}
	for _, p := range st {
		if err := os.WriteFile(filepath.Join(*root, p), out[p], 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "plot: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("plot: wrote %s\n", p)
	}
}
