package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

// results holds the tables the plots are drawn from, read from one
// bench/results directory.
type results struct {
	dir                          string
	session, drivers, scaling    *table
	kcompile, kcode, calls, exec *table
}

func readResults(dir string) (*results, error) {
	r := &results{dir: dir}
	for _, f := range []struct {
		name string
		dst  **table
	}{
		{"session.tsv", &r.session},
		{"peers-drivers.tsv", &r.drivers},
		{"peers-scaling.tsv", &r.scaling},
		{"kaleidoscope-compile.tsv", &r.kcompile},
		{"kaleidoscope-code.tsv", &r.kcode},
		{"executor-calls.tsv", &r.calls},
		{"executor-drivers.tsv", &r.exec},
	} {
		t, err := readTable(filepath.Join(dir, f.name))
		if err != nil {
			return nil, err
		}
		*f.dst = t
	}
	return r, nil
}

// footer names the data file, the run it came from and the machine.
func footer(t *table) []string {
	return footerFor("bench/results/"+filepath.Base(t.path), t)
}

func footerFor(data string, t *table) []string {
	l := []string{"Data: " + data + ", measured " + t.meta["date"] + " (make bench)."}
	if src := t.meta["source"]; src != "" && !strings.HasSuffix(data, "*.tsv") {
		l = append(l, "Method: "+src+".")
	}
	if m := t.meta["machine"]; m != "" {
		l = append(l, "Machine: "+m+".")
	}
	return l
}

// ratioBar is a headline row: gorc's figure over the peer's.
func ratioBar(group, label string, gorc, peer float64, unit, failNote string) bar {
	if math.IsNaN(gorc) || math.IsNaN(peer) || peer == 0 {
		return bar{group: group, label: label, value: math.NaN(), note: failNote}
	}
	v := gorc / peer
	col := colBetter
	if v > 1.005 {
		col = colWorse
	}
	note := strconv.FormatFloat(v, 'f', 2, 64) + "×"
	if v < 0.1 {
		note = strconv.FormatFloat(v, 'f', 3, 64) + "×"
	}
	if unit != "" {
		note += " (" + num(gorc) + " vs " + num(peer) + " " + unit + ")"
	}
	return bar{group: group, label: label, value: v, note: note, color: col}
}

// headline draws gorc's time over each peer's, one bar per comparison.
func (r *results) headline() (string, error) {
	var bars []bar
	var err error
	get := func(t *table, col string, key ...string) float64 {
		if err != nil {
			return math.NaN()
		}
		var v float64
		v, err = t.lookup(col, key...)
		if err == nil && v <= 0 {
			err = fmt.Errorf("%s: %s of %s is %v: a time must be positive", t.path, col, strings.Join(key, "/"), v)
		}
		return v
	}
	g := "vs LLVM 19's ORC (session core, same benchmark in C++)"
	bars = append(bars,
		ratioBar(g, "lookup of a Ready symbol", get(r.session, "ns_per_op", "lookup-ready", "gorc"), get(r.session, "ns_per_op", "lookup-ready", "llvm-orc-19"), "ns", ""),
		ratioBar(g, "define + materialize + look up 10,000 symbols", get(r.session, "ns_per_op", "define-materialize-lookup-10k", "gorc")/1e6, get(r.session, "ns_per_op", "define-materialize-lookup-10k", "llvm-orc-19")/1e6, "ms", ""))
	g = "vs llvm-jitlink-19 (JIT linker, Debian's static libraries)"
	lj := "llvm-jitlink-19"
	for _, d := range []struct{ key, name string }{{"sqlite", "SQLite"}, {"zlib", "zlib"}} {
		bars = append(bars, ratioBar(g, d.name+": linker's own time (start, link, exit)", get(r.drivers, "overhead_ms", d.key, "gorc"), get(r.drivers, "overhead_ms", d.key, lj), "ms", ""))
	}
	for _, d := range []struct{ key, name string }{{"sqlite", "SQLite"}, {"zlib", "zlib"}} {
		bars = append(bars, ratioBar(g, d.name+": whole process with the program's run", get(r.drivers, "whole_ms", d.key, "gorc"), get(r.drivers, "whole_ms", d.key, lj), "ms", ""))
	}
	bars = append(bars, ratioBar(g, "Lua: whole process", get(r.drivers, "whole_ms", "lua", "gorc"), get(r.drivers, "whole_ms", "lua", lj), "ms", "the peer fails; gorc runs it"))
	big := 0.0
	var bigKey string
	if err == nil {
		for _, row := range r.scaling.rows {
			c, e := r.scaling.num(row, "copies")
			if e != nil {
				return "", e
			}
			if c > big {
				big, bigKey = c, row.fields[0]
			}
		}
	}
	if err == nil {
		gv, e1 := scalingMS(r.scaling, bigKey, "gorc")
		lv, e2 := scalingMS(r.scaling, bigKey, lj)
		if e := firstErr(e1, e2); e != nil {
			return "", e
		}
		bars = append(bars, ratioBar(g, fmt.Sprintf("link only, %s copies of a 3,000-function object", bigKey), gv, lv, "ms", ""))
	}
	g = "vs a raw ping-pong over the same channel (executor call, p50)"
	bars = append(bars,
		ratioBar(g, "call into a child executor over pipes", get(r.calls, "p50_us", "child"), get(r.calls, "p50_us", "floor-pipe"), "µs", ""),
		ratioBar(g, "call into a TCP executor (loopback)", get(r.calls, "p50_us", "tcp"), get(r.calls, "p50_us", "floor-tcp"), "µs", ""))
	g = "vs gorc in-process (SQLite driver run in an executor)"
	bars = append(bars,
		ratioBar(g, "child executor", get(r.exec, "ms", "sqlite", "child"), get(r.exec, "ms", "sqlite", "local"), "ms", ""),
		ratioBar(g, "child executor, code through shared memory", get(r.exec, "ms", "sqlite", "child-shm"), get(r.exec, "ms", "sqlite", "local"), "ms", ""),
		ratioBar(g, "TCP executor (loopback)", get(r.exec, "ms", "sqlite", "tcp"), get(r.exec, "ms", "sqlite", "local"), "ms", ""))
	g = "vs lli-19 (Kaleidoscope, LLVM compiling the IR gorc emits)"
	bars = append(bars,
		ratioBar(g, "compile 2,000 functions (wall time)", get(r.kcompile, "wall_s", "2000", "gorc"), get(r.kcompile, "wall_s", "2000", "lli-19"), "s", ""),
		ratioBar(g, "compile 2,000 functions (CPU time)", get(r.kcompile, "cpu_s", "2000", "gorc"), get(r.kcompile, "cpu_s", "2000", "lli-19"), "s", ""))
	for _, p := range []struct{ key, name string }{{"fib40", "fib(40)"}, {"integrate", "integration of sin"}, {"mandelgrid", "Mandelbrot grid"}} {
		bars = append(bars, ratioBar(g, "generated code: "+p.name, get(r.kcode, "wall_s", p.key, "gorc"), get(r.kcode, "wall_s", p.key, "lli-19"), "s", ""))
	}
	// The same programs written in C, for each C peer the run measured:
	// gorc's whole process (compile, link, run) over the C twin's native
	// binary (clang, gcc) or tcc -run's whole process, as the geometric
	// mean of the ratios over the programs (docs/img/kaleidoscope-code.svg
	// has each program).
	if err == nil {
		g = "vs the same program written in C (Kaleidoscope code speed, geometric mean over the programs)"
		for _, tool := range codeTools(r.kcode) {
			if tool == "gorc" || tool == "lli-19" {
				continue
			}
			gm, n, e := geomeanRatio(r.kcode, "wall_s", "gorc", tool)
			if e != nil {
				return "", e
			}
			b := ratioBar(g, fmt.Sprintf("%s, %d programs", codeToolLabel(tool), n), gm, 1, "", "")
			bars = append(bars, b)
		}
	}
	// tcc -run on the same program in C, when the run measured it.
	if _, e := r.kcompile.find("2000", "tcc"); e == nil {
		g = "vs tcc -run (the same program written in C)"
		bars = append(bars,
			ratioBar(g, "compile 2,000 functions (wall time)", get(r.kcompile, "wall_s", "2000", "gorc"), get(r.kcompile, "wall_s", "2000", "tcc"), "s", ""),
			ratioBar(g, "compile 2,000 functions (CPU time)", get(r.kcompile, "cpu_s", "2000", "gorc"), get(r.kcompile, "cpu_s", "2000", "tcc"), "s", ""))
	}
	if err != nil {
		return "", err
	}
	lo, hi := 0.01, 2.0
	for _, b := range bars {
		for !math.IsNaN(b.value) && b.value < lo*1.2 {
			lo /= 10
		}
		for !math.IsNaN(b.value) && b.value > hi/1.2 {
			hi *= 10
		}
	}
	c := hbarChart{
		title: "gorc's time as a fraction of each peer's time",
		subtitle: []string{
			"Each bar is gorc's time divided by the peer's, both measured in the same run on the same machine.",
			"Lower is better: left of the 1.0 line gorc is faster (green), right of it slower (red). Log scale.",
		},
		xlabel:   "gorc time ÷ peer time (log scale)",
		footer:   footerFor("bench/results/*.tsv", r.session),
		legend:   []legendItem{{label: "gorc faster", color: colBetter}, {label: "gorc slower", color: colWorse}},
		bars:     bars,
		log:      true,
		lo:       lo,
		hi:       hi,
		ref:      1,
		refLabel: "1.0 = as fast as the peer",
	}
	return c.render(), nil
}

// scalingMS is the time of one tool for one number of copies.
func scalingMS(t *table, copies, tool string) (float64, error) {
	for _, row := range t.rows {
		c, err := t.str(row, "copies")
		if err != nil {
			return 0, err
		}
		tl, err := t.str(row, "tool")
		if err != nil {
			return 0, err
		}
		if c == copies && tl == tool {
			return t.num(row, "ms")
		}
	}
	return 0, fmt.Errorf("%s: no row for %s copies, tool %s", t.path, copies, tool)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// seriesByTool groups a long-format table (one row per size and tool)
// into one series per tool, in order of first appearance; rows whose y is
// NaN (failed) are left out.
func seriesByTool(t *table, xcol, ycol string, xscale, yscale float64) ([]series, error) {
	var out []series
	idx := map[string]int{}
	for _, row := range t.rows {
		tool, err := t.str(row, "tool")
		if err != nil {
			return nil, err
		}
		x, err := t.num(row, xcol)
		if err != nil {
			return nil, err
		}
		y, err := t.num(row, ycol)
		if err != nil {
			return nil, err
		}
		if math.IsNaN(x) || math.IsNaN(y) {
			continue
		}
		if x <= 0 || y <= 0 {
			return nil, fmt.Errorf("%s:%d: %s %v / %s %v: a log-scale plot needs positive values", t.path, row.line, xcol, x, ycol, y)
		}
		i, ok := idx[tool]
		if !ok {
			i = len(out)
			idx[tool] = i
			out = append(out, series{name: tool, color: toolColor(tool, i)})
		}
		out[i].pts = append(out[i].pts, pt{x * xscale, y * yscale})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no measurements", t.path)
	}
	return out, nil
}

func toolColor(tool string, i int) string {
	if tool == "gorc" {
		return colGorc
	}
	return []string{colPeer, colPeer2, "#9467bd", "#17becf"}[i%4]
}

// withGrowth appends "first → last: N× the time for M× the input" to
// each series name and adds a dashed linear-growth reference through the
// first point of the first series.
func withGrowth(ss []series, unit string) []series {
	for i := range ss {
		p := ss[i].pts
		if len(p) < 2 {
			continue
		}
		a, b := p[0], p[len(p)-1]
		ss[i].name = fmt.Sprintf("%s — %.1f× the time for %s× the %s", ss[i].name, b.y/a.y, tickLabel(b.x/a.x), unit)
	}
	if len(ss) > 0 && len(ss[0].pts) >= 2 {
		p := ss[0].pts
		var ref []pt
		for _, q := range p {
			ref = append(ref, pt{q.x, p[0].y * q.x / p[0].x})
		}
		ss = append(ss, series{name: "linear growth (from " + ss[0].nameTool() + "'s first point)", color: colFloor, dash: true, pts: ref})
	}
	return ss
}

// nameTool is the tool name a series started with (before withGrowth).
func (s series) nameTool() string {
	for i, r := range s.name {
		if r == ' ' {
			return s.name[:i]
		}
	}
	return s.name
}

// kaleidoscopeCompile draws compile time against program size per tool.
func (r *results) kaleidoscopeCompile() (string, error) {
	ss, err := seriesByTool(r.kcompile, "functions", "wall_s", 1, 1)
	if err != nil {
		return "", err
	}
	var xt []float64
	for _, p := range ss[0].pts {
		xt = append(xt, p.x)
	}
	sub := []string{
		"Whole process, from source to executable code (and its tiny O(N) run); the tools timed in alternation.",
		"lli-19 is LLVM 19 compiling the -O2 IR that gorc emits for the same program. Lower is faster.",
	}
	for _, se := range ss {
		if se.name == "tcc" {
			sub = append(sub, "tcc is tcc -run (compile to memory and run) on the same program written in C.")
		}
	}
	c := lineChart{
		title:    "Kaleidoscope: compile time against program size",
		subtitle: sub,
		xlabel:   "functions in the generated program (log scale)",
		ylabel:   "wall time, seconds (log scale)",
		footer:   footer(r.kcompile),
		xticks:   xt,
		logX:     true,
		logY:     true,
		series:   withGrowth(ss, "functions"),
		labelPts: true,
		yfmt:     func(v float64) string { return num(v) + " s" },
	}
	return c.render(), nil
}

// linkScaling draws link time against input size per tool.
func (r *results) linkScaling() (string, error) {
	ss, err := seriesByTool(r.scaling, "bytes", "ms", 1.0/1e6, 1)
	if err != nil {
		return "", err
	}
	var xt []float64
	for _, p := range ss[0].pts {
		xt = append(xt, p.x)
	}
	c := lineChart{
		title: "JIT linking: time against input size",
		subtitle: []string{
			"Whole process of gorc run -noexec and llvm-jitlink-19 -noexec (start, load, link, exit; no run) on 1, 2 and 4",
			"copies of a generated object of 3,000 functions, 3,000 data blocks and a 3,000-entry pointer table. Lower is faster.",
		},
		xlabel:   "input size, MB of object files (log scale)",
		ylabel:   "wall time, ms (log scale)",
		footer:   footer(r.scaling),
		xticks:   xt,
		xtickFmt: func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + " MB" },
		logX:     true,
		logY:     true,
		series:   withGrowth(ss, "input"),
		labelPts: true,
		yfmt:     func(v float64) string { return num(v) + " ms" },
	}
	return c.render(), nil
}

// executorCalls draws the call round trip next to the raw floors.
func (r *results) executorCalls() (string, error) {
	var bars []bar
	hi := 0.0
	for _, it := range []struct{ group, key, label, floor string }{
		{"over pipes (-exec child)", "floor-pipe", "raw ping-pong between two Go processes (floor)", ""},
		{"over pipes (-exec child)", "child", "gorc call into a child executor", "floor-pipe"},
		{"over pipes (-exec child)", "child-shm", "same, session with -shm (code via shared memory)", "floor-pipe"},
		{"over TCP loopback (-exec tcp://)", "floor-tcp", "raw ping-pong between two Go processes (floor)", ""},
		{"over TCP loopback (-exec tcp://)", "tcp", "gorc call into a TCP executor", "floor-tcp"},
		{"no process boundary", "in-process", "gorc call in-process (-exec local)", ""},
	} {
		v, err := r.calls.lookup("p50_us", it.key)
		if err != nil {
			return "", err
		}
		b := bar{group: it.group, label: it.label, value: v, color: colFloor, note: num(v) + " µs"}
		if it.floor != "" {
			f, err := r.calls.lookup("p50_us", it.floor)
			if err != nil {
				return "", err
			}
			b.color = colGorc
			if !math.IsNaN(v) && f > 0 {
				b.note += fmt.Sprintf(" = %.2f× the floor", v/f)
			}
		} else if it.key == "in-process" {
			b.color = colGorc
		}
		if !math.IsNaN(v) {
			hi = math.Max(hi, v)
		}
		bars = append(bars, b)
	}
	_, top := linTicks(hi)
	c := hbarChart{
		title: "Executor calls: round trip against the raw transport floor",
		subtitle: []string{
			"Median (p50) round trip of a wrapper-function call (48-byte call, 40-byte answer);",
			"the floor is a raw ping-pong of the same size over the same kind of channel. Shorter is better; goal: within 2× of the floor.",
		},
		xlabel: "round trip, µs (median)",
		footer: footer(r.calls),
		legend: []legendItem{{label: "raw transport (floor)", color: colFloor}, {label: "gorc executor call", color: colGorc}},
		bars:   bars,
		lo:     0,
		hi:     top,
	}
	return c.render(), nil
}

// codeTools lists the tools of the code-speed table in order of first
// appearance.
func codeTools(t *table) []string {
	var out []string
	seen := map[string]bool{}
	for _, row := range t.rows {
		tool, err := t.str(row, "tool")
		if err != nil || seen[tool] {
			continue
		}
		seen[tool] = true
		out = append(out, tool)
	}
	return out
}

// codeToolLabel names a tool of the code-speed table for a reader.
func codeToolLabel(tool string) string {
	switch tool {
	case "gorc":
		return "gorc kaleido"
	case "lli-19":
		return "lli-19 on gorc's -O2 IR"
	case "clang-19-O2":
		return "clang-19 -O2 (C twin)"
	case "gcc-O2":
		return "gcc -O2 (C twin)"
	case "tcc-run":
		return "tcc -run (C twin)"
	}
	return tool
}

// geomeanRatio is the geometric mean over the programs both measured of
// a's figure over b's, and how many programs that is.
func geomeanRatio(t *table, col, a, b string) (float64, int, error) {
	sum, n := 0.0, 0
	for _, prog := range codePrograms(t) {
		va, e1 := t.lookup(col, prog, a)
		vb, e2 := t.lookup(col, prog, b)
		if e1 != nil || e2 != nil || math.IsNaN(va) || math.IsNaN(vb) {
			continue // not measured, or failed, for one of them
		}
		if va <= 0 || vb <= 0 {
			return 0, 0, fmt.Errorf("%s: %s of %s is %v and of %s %v: a time must be positive", t.path, col, prog, va, prog, vb)
		}
		sum += math.Log(va / vb)
		n++
	}
	if n == 0 {
		return math.NaN(), 0, nil
	}
	return math.Exp(sum / float64(n)), n, nil
}

// codePrograms lists the programs of the code-speed table in order.
func codePrograms(t *table) []string {
	var out []string
	seen := map[string]bool{}
	for _, row := range t.rows {
		p := row.fields[0]
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// kaleidoscopeCode draws each program's whole-process time per tool:
// gorc, lli-19 on gorc's IR, and the C twin under each C peer.
func (r *results) kaleidoscopeCode() (string, error) {
	tools := codeTools(r.kcode)
	colors := map[string]string{}
	var legend []legendItem
	for i, tool := range tools {
		colors[tool] = toolColor(tool, i)
		short := strings.TrimSuffix(strings.TrimSuffix(codeToolLabel(tool), " (C twin)"), " on gorc's -O2 IR")
		legend = append(legend, legendItem{label: short, color: colors[tool]})
	}
	var bars []bar
	hi := 0.0
	for _, prog := range codePrograms(r.kcode) {
		g, err := r.kcode.lookup("wall_s", prog, "gorc")
		if err != nil {
			return "", err
		}
		for _, tool := range tools {
			v, err := r.kcode.lookup("wall_s", prog, tool)
			if err != nil {
				continue // this run did not measure the tool on it
			}
			b := bar{group: prog, label: codeToolLabel(tool), value: v, color: colors[tool]}
			switch {
			case math.IsNaN(v):
				b.note = "fails"
			case tool == "gorc":
				b.note = num(v) + " s"
			case !math.IsNaN(g) && v > 0:
				b.note = fmt.Sprintf("%s s (gorc %.2f×)", num(v), g/v)
			default:
				b.note = num(v) + " s"
			}
			if !math.IsNaN(v) {
				hi = math.Max(hi, v)
			}
			bars = append(bars, b)
		}
	}
	if len(bars) == 0 {
		return "", fmt.Errorf("%s: no measurements", r.kcode.path)
	}
	_, top := linTicks(hi)
	c := hbarChart{
		title: "Kaleidoscope: code speed against LLVM and the C compilers",
		subtitle: []string{
			"Whole process per program, best of the runs: gorc kaleido FILE.k (compile, link, run), lli-19 on the -O2 IR gorc emits,",
			"the C twin FILE.c as a native binary built by clang-19 -O2 and gcc -O2 (compile not timed), tcc -run FILE.c (compile timed). Shorter is faster.",
		},
		xlabel: "wall time, seconds (gorc's time over the peer's in parentheses)",
		footer: footer(r.kcode),
		legend: legend,
		bars:   bars,
		lo:     0,
		hi:     top,
	}
	return c.render(), nil
}
