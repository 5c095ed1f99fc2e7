package main

import (
	"bufio"
	"encoding/xml"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const root = "../.."

// TestCommittedOutputsAreCurrent fails when a committed plot or a doc's
// corpus region differs from what bench/results generates: the figures in
// README.md, docs/RUN.md and docs/PERFORMANCE.md cannot drift from the
// results, nor from each other.
func TestCommittedOutputsAreCurrent(t *testing.T) {
	out, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range stale(root, out) {
		got, _ := os.ReadFile(filepath.Join(root, p))
		if strings.HasSuffix(p, ".md") {
			t.Errorf("%s: the corpus region says %q, bench/results/corpus-summary.tsv gives %q; run go run ./bench/plot",
				p, region(string(got), "corpus"), region(string(out[p]), "corpus"))
		} else {
			t.Errorf("%s differs from what bench/results/*.tsv gives; run go run ./bench/plot", p)
		}
	}
	// Every doc carries the same figure.
	var first string
	for _, d := range corpusDocs {
		r := region(string(out[d]), "corpus")
		if r == "" {
			t.Errorf("%s: empty corpus region", d)
		}
		if first == "" {
			first = r
		} else if r != first {
			t.Errorf("%s: corpus region %q differs from %s's %q", d, r, corpusDocs[0], first)
		}
	}
}

func TestGenerateIsDeterministicAndWellFormed(t *testing.T) {
	a, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	b, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs of generate differ")
	}
	n := 0
	for p, c := range a {
		if !strings.HasSuffix(p, ".svg") {
			continue
		}
		n++
		d := xml.NewDecoder(strings.NewReader(string(c)))
		texts := 0
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: not well-formed XML: %v", p, err)
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "text" {
				texts++
			}
			if cd, ok := tok.(xml.CharData); ok && strings.Contains(string(cd), "NaN") {
				t.Errorf("%s: a label says NaN", p)
			}
		}
		if texts < 10 {
			t.Errorf("%s: only %d text elements (title, axis labels, legend expected)", p, texts)
		}
		for _, attr := range []string{`x="NaN"`, `y="NaN"`, "Inf"} {
			if strings.Contains(string(c), attr) {
				t.Errorf("%s contains %s", p, attr)
			}
		}
	}
	if n != 5 {
		t.Errorf("%d plots, want 5", n)
	}
}

func parse(t *testing.T, text string) (*table, error) {
	t.Helper()
	return parseTable("r.tsv", bufio.NewScanner(strings.NewReader(text)))
}

func TestParseTable(t *testing.T) {
	tb, err := parse(t, "# date: 2026-12-04 20:41 UTC\n# machine: 2 cores\n\nsize\ttool\tms\n1\tgorc\t19.7\n1\tllvm\tfail\n")
	if err != nil {
		t.Fatal(err)
	}
	if tb.meta["date"] != "2026-12-04 20:41 UTC" || tb.meta["machine"] != "2 cores" {
		t.Errorf("meta = %v", tb.meta)
	}
	if v, err := tb.lookup("ms", "1", "gorc"); err != nil || v != 19.7 {
		t.Errorf("lookup gorc = %v, %v", v, err)
	}
	if v, err := tb.lookup("ms", "1", "llvm"); err != nil || !math.IsNaN(v) {
		t.Errorf("lookup of a failed measurement = %v, %v; want NaN", v, err)
	}
	for _, tc := range []struct {
		name, text, call, want string
	}{
		{"short row", "a\tb\n1\n", "", "r.tsv:2: 1 fields, the header has 2"},
		{"no header", "# date: x\n\n", "", "r.tsv: no header line"},
		{"unknown column", "a\tb\n1\t2\n", "col", `r.tsv: no column "ms" (columns: a, b)`},
		{"not a number", "a\tms\n1\tfast\n", "num", `r.tsv:2: column ms: "fast" is not a number`},
		{"no row", "a\tms\n1\t2\n", "row", "r.tsv: no row 9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := parse(t, tc.text)
			switch tc.call {
			case "col":
				_, err = tb.lookup("ms", "1")
			case "num":
				_, err = tb.lookup("ms", "1")
			case "row":
				_, err = tb.lookup("ms", "9")
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []float64
	}{
		{0.01, 2, []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2}},
		{10, 1000, []float64{10, 20, 50, 100, 200, 500, 1000}},
		{0.3, 0.9, []float64{0.5}},
	} {
		if got := logTicks(tc.lo, tc.hi); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("logTicks(%v, %v) = %v, want %v", tc.lo, tc.hi, got, tc.want)
		}
	}
	for _, tc := range []struct {
		hi, top float64
		want    []float64
	}{
		{35.9, 40, []float64{0, 10, 20, 30, 40}},
		{1, 1, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{730, 800, []float64{0, 200, 400, 600, 800}},
	} {
		got, top := linTicks(tc.hi)
		if !reflect.DeepEqual(got, tc.want) || top != tc.top {
			t.Errorf("linTicks(%v) = %v, %v; want %v, %v", tc.hi, got, top, tc.want, tc.top)
		}
	}
}

const corpusHead = "# date: 2026-12-04 20:41 UTC\ntool\texec\tpass\trefused\tfail\ttotal\trefused_cases\n"

func TestCorpusText(t *testing.T) {
	for _, tc := range []struct {
		name, rows, want string
	}{
		{
			"in-process only",
			"gorc\tlocal\t258\t1\t0\t259\tiostream_cpp:nopic\nllvm-jitlink-19\tlocal\t133\t0\t126\t259\t-\n",
			"**258 of 259** program × compile-mode cases of the C/C++ test corpus match the natively linked program when gorc runs them in-process; " +
				"the other 1 (`iostream_cpp` in mode `nopic`) is refused with a clear error; " +
				"llvm-jitlink-19 passes 133 of 259 (in-process) with the same harness (`bash bench/corpus.sh`, 2026-12-04 20:41 UTC)",
		},
		{
			"every executor mode",
			"gorc\tlocal\t258\t1\t0\t259\ta:nopic\ngorc\tchild\t258\t1\t0\t259\ta:nopic\ngorc\ttcp\t258\t1\t0\t259\ta:nopic\n",
			"**774 of 777** program × compile-mode × executor-mode cases of the C/C++ test corpus match the natively linked program when gorc runs them " +
				"in-process and in child and TCP executors (258 of 259 in each); the other 3 (`a` in mode `nopic`, once per executor mode) are refused with a clear error " +
				"(`bash bench/corpus.sh`, 2026-12-04 20:41 UTC)",
		},
		{
			"failures are said",
			"gorc\tchild\t250\t0\t9\t259\t-\n",
			"**250 of 259** program × compile-mode cases of the C/C++ test corpus match the natively linked program when gorc runs them in a child executor; **9 fail** " +
				"(`bash bench/corpus.sh`, 2026-12-04 20:41 UTC)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := parse(t, corpusHead+tc.rows)
			if err != nil {
				t.Fatal(err)
			}
			got, err := corpusText(tb)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, rows, want string }{
		{"counts do not add up", "gorc\tlocal\t258\t1\t1\t259\t-\n", "r.tsv:3: pass 258 + refused 1 + fail 1 is not the total 259"},
		{"not a count", "gorc\tlocal\tmany\t1\t0\t259\t-\n", `r.tsv:3: column pass: "many" is not a count`},
		{"peer first", "llvm-jitlink-19\tlocal\t1\t0\t0\t1\t-\n", "the first row must be gorc's"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := parse(t, corpusHead+tc.rows)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := corpusText(tb); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestReplaceRegion(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want, err string
	}{
		{"inline", "a (<!-- corpus -->old<!-- /corpus -->) b", "a (<!-- corpus -->NEW<!-- /corpus -->) b", ""},
		{"empty", "<!-- corpus --><!-- /corpus -->", "<!-- corpus -->NEW<!-- /corpus -->", ""},
		{"no start", "x <!-- /corpus -->", "", "no <!-- corpus --> marker"},
		{"no end", "<!-- corpus --> x", "", "no <!-- /corpus --> marker"},
		{"reversed", "<!-- /corpus --> <!-- corpus -->", "", "<!-- /corpus --> comes before <!-- corpus -->"},
		{"twice", "<!-- corpus --><!-- /corpus --><!-- corpus --><!-- /corpus -->", "", "more than one corpus region"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := replaceRegion(tc.doc, "corpus", "NEW")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestGenerateErrorsNameTheFile: a broken results file or a doc without
// its markers gives an error naming it, not a panic or a half-written
// output.
func TestGenerateErrorsNameTheFile(t *testing.T) {
	copyTree := func(t *testing.T) string {
		t.Helper()
		dir := t.TempDir()
		for _, p := range append([]string{"bench/results"}, corpusDocs...) {
			src := filepath.Join(root, p)
			st, err := os.Stat(src)
			if err != nil {
				t.Fatal(err)
			}
			files := []string{p}
			if st.IsDir() {
				ents, err := os.ReadDir(src)
				if err != nil {
					t.Fatal(err)
				}
				files = nil
				for _, e := range ents {
					files = append(files, filepath.Join(p, e.Name()))
				}
			}
			for _, f := range files {
				b, err := os.ReadFile(filepath.Join(root, f))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		return dir
	}
	for _, tc := range []struct {
		name, file, content, want string
	}{
		{"short row", "bench/results/peers-scaling.tsv", "copies\tbytes\ttool\tms\n1\t616160\tgorc\n", "peers-scaling.tsv:2: 3 fields, the header has 4"},
		{"missing row", "bench/results/session.tsv", "benchmark\ttool\tns_per_op\nlookup-ready\tgorc\t183\n", "session.tsv: no row lookup-ready/llvm-orc-19"},
		{"missing file", "bench/results/executor-calls.tsv", "", "executor-calls.tsv: no such file"},
		{"negative size", "bench/results/kaleidoscope-compile.tsv", "functions\ttool\twall_s\tcpu_s\n500\tgorc\t-1\t1\n2000\tgorc\t1\t1\n2000\tlli-19\t2\t2\n", "kaleidoscope-compile.tsv:2: functions 500 / wall_s -1: a log-scale plot needs positive values"},
		{"zero time", "bench/results/executor-calls.tsv", "transport\tp50_us\nchild\t0\nfloor-pipe\t1\ntcp\t1\nfloor-tcp\t1\n", "executor-calls.tsv: p50_us of child is 0: a time must be positive"},
		{"no markers", "docs/RUN.md", "# Run\n", "corpus figure in docs/RUN.md: no <!-- corpus --> marker"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyTree(t)
			p := filepath.Join(dir, tc.file)
			var err error
			if tc.content == "" {
				err = os.Remove(p)
			} else {
				err = os.WriteFile(p, []byte(tc.content), 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = generate(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestCPeersCharted: the C peers the Kaleidoscope tables measure are in
// the plots — the code-speed chart has a bar for every tool on every
// program, the headline a bar per C peer, and the compile-speed chart a
// line for every tool of its table (tcc -run among them).
func TestCPeersCharted(t *testing.T) {
	out, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	res, err := readResults(filepath.Join(root, "bench", "results"))
	if err != nil {
		t.Fatal(err)
	}
	code := string(out[filepath.Join("docs", "img", "kaleidoscope-code.svg")])
	tools := codeTools(res.kcode)
	for _, want := range []string{"clang-19-O2", "gcc-O2", "tcc-run"} {
		found := false
		for _, tool := range tools {
			found = found || tool == want
		}
		if !found {
			t.Fatalf("bench/results/kaleidoscope-code.tsv has no %s rows (tools %v)", want, tools)
		}
	}
	for _, prog := range codePrograms(res.kcode) {
		if !strings.Contains(code, ">"+prog+"<") {
			t.Errorf("kaleidoscope-code.svg has no group for %s", prog)
		}
	}
	for _, tool := range tools {
		label := esc(codeToolLabel(tool))
		if got, want := strings.Count(code, ">"+label+"<"), len(codePrograms(res.kcode)); got < want {
			t.Errorf("kaleidoscope-code.svg has %d bars labelled %q, want one per program (%d)", got, label, want)
		}
	}
	head := string(out[filepath.Join("docs", "img", "headline.svg")])
	for _, label := range []string{"clang-19 -O2 (C twin), 5 programs", "gcc -O2 (C twin), 5 programs", "tcc -run (C twin), 5 programs"} {
		if !strings.Contains(head, ">"+label+"<") {
			t.Errorf("headline.svg has no bar %q", label)
		}
	}
	compile := string(out[filepath.Join("docs", "img", "kaleidoscope-compile.svg")])
	for _, tool := range codeTools(res.kcompile) {
		if !strings.Contains(compile, ">"+tool+" — ") {
			t.Errorf("kaleidoscope-compile.svg has no line for %s", tool)
		}
	}
}

// TestCodeChartPeerFailsOrMissing: a C peer that failed on a program is
// said ("fails") and left out of its geometric mean; a program a peer was
// not run on has no bar for it.
func TestCodeChartPeerFailsOrMissing(t *testing.T) {
	tb, err := parse(t, "# date: d\nprogram\ttool\twall_s\na\tgorc\t1\na\tgcc-O2\t0.5\nb\tgorc\t2\nb\tgcc-O2\tfail\nb\ttcc-run\t4\n")
	if err != nil {
		t.Fatal(err)
	}
	gm, n, err := geomeanRatio(tb, "wall_s", "gorc", "gcc-O2")
	if err != nil || n != 1 || gm != 2 {
		t.Errorf("geomean gorc/gcc = %v over %d programs, %v; want 2 over 1", gm, n, err)
	}
	r := &results{kcode: tb}
	svg, err := r.kaleidoscopeCode()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{">fails<", ">0.5 s (gorc 2.00×)<", ">4.00 s (gorc 0.50×)<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	if got := strings.Count(svg, ">tcc -run (C twin)<"); got != 1 {
		t.Errorf("%d tcc bars, want 1 (it ran on b only)", got)
	}
}
