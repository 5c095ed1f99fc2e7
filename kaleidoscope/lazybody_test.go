package kaleidoscope

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// items parses src item by item, as gorc kaleido does (a binary
// operator's precedence applies from the next item on), and describes
// each item or diagnostic; with lazy, bodies are skipped and parsed
// afterwards with ParseBody.
func items(src string, lazy bool) (out []string, skipped int) {
	return itemsWith(src, lazy, nil)
}

// itemsWith is items with the skipped bodies parsed by bp
// (ParseBodyWith), one BodyParser for all of them, if bp is not nil.
func itemsWith(src string, lazy bool, bp *BodyParser) (out []string, skipped int) {
	p := NewParser("t.k", []byte(src))
	p.SetLazyBodies(lazy)
	for {
		it, d := p.Next()
		if d != nil {
			out = append(out, d.Error())
			continue
		}
		if it == nil {
			return out, skipped
		}
		switch it := it.(type) {
		case *Extern:
			out = append(out, "extern "+it.Proto.String())
		case *FunctionDef:
			if it.Body == nil {
				skipped++
			}
			parse := it.ParseBody
			if bp != nil {
				parse = func() *Diagnostic { return it.ParseBodyWith(bp) }
			}
			if d := parse(); d != nil {
				out = append(out, d.Error())
				continue
			}
			out = append(out, fmt.Sprintf("def %v %v", it.Proto, it.Body))
			if it.Proto.Kind == ProtoBinary {
				p.SetPrecedence(it.Proto.OperatorChar(), it.Proto.Precedence)
			}
		}
	}
}

// TestLazyBodiesParseAlike: with lazy bodies, every item (and every
// syntax error, reported by ParseBody instead of Next) is what the eager
// parse gives, on the corpus and on inputs where the skipping scan must
// hand over to the parser (two expressions side by side, unbalanced
// parentheses, operators defined on the way, comments, errors).
func TestLazyBodiesParseAlike(t *testing.T) {
	srcs := map[string]string{
		"juxtaposed":     "def f(x) x\nf(2);\ndef g(x) (x) (x);\ndef h(x) 1 2;",
		"call":           "def f(x) g (x, 1) + g(x,2);",
		"operators":      "def binary| 5 (a b) if a then 1 else b;\ndef f(x) x | 0;\ndef unary!(v) if v then 0 else 1;\ndef g(x) !x | x;\ndef binary| 50 (a b) a + b;\ndef h(x) x | 1 * 2;",
		"comments":       "def f(x) # ; def\n x + 1 # extern\n;\nextern sin(x);\ndef g(x) sin(x)",
		"errors":         "def f(x) (x + ;\ndef g(x) x +\ndef h(x) if x then 1;\ndef k(x) 1..2 + x;\ndef m(x) );\ndef n(x) x $ 1;",
		"nested":         "def f(x) var a = 1, b in for i = 0, i < x, 1 in (a = a + (if i < 3 then b else -i));",
		"empty and eof":  "def f(x) ;\ndef g(x)",
		"unknown op":     "def f(x) x ! 1;",
		"keywords after": "def f(x) if x then x else x def g(y) y;",
		"non-ascii":      "def f(x) x + \xc3\xa9;",
		// The body's first token is lexed again from its offset
		// (ParseBody): each kind of first token, after blanks, tabs and
		// CRLF, with an error later in the body to check positions.
		"first tokens": "def a(x)\n\t  12.5 + x +;\ndef b(x)   if x then 1 else 2 +;\ndef c(x) -x * ;\ndef d(x)\r\n  (x;\ndef e(x) for i = 1, i < x in i +;\ndef f(x) var y = 1 in y +;\ndef g(x) x;\ndef h(x) g(x) + ;",
		// then, else, in or a ',' without the if, for or var they
		// belong to end the eager parse's body there: the scan must
		// not take the rest of the item into the body (found by
		// FuzzLazyBodiesAlike; the lazy parse lost the definition and
		// reported an error in the body instead).
		"keywords without opener": "def A()00then 0\ndef f(x) x else 1;\ndef g(x) x in 2;\ndef h(x) x, 1;\ndef k(x) (if x then 1 else 2) then 3;\ndef m(x) for i = 1, 2 in x in 3;\ndef n(x) var a = 1, b = 2 in a, b;",
		// A single space is passed before the scan's dispatch: at
		// the end of the source, before ';', def, a newline, a second
		// operand or an error (positions after it must be the eager
		// parse's).
		"single spaces": "def a(x) x ;\ndef b(x) x def c(x) x \n+ 1 +;\ndef d(x) x x;\ndef e(x) ( x ) ( 1 ) + ;\ndef f(x) x \t 1;\ndef g(x) x ",
		// More than 16 parameters: duplicates found with a map.
		"many params": "def f(a b c d e f g h i j k l m n o p q) q;\ndef g(a b c d e f g h i j k l m n o p a) a;\ndef h(a a) a;",
		// Bodies nesting past the parser's limit (maxDepth) are an
		// error of the definition in both modes, called or not (the
		// scan took them, and a body never called was never checked).
		"deep parens":    "def f(x) " + strings.Repeat("(", 600) + "x" + strings.Repeat(")", 600) + ";\ndef g(x) x;",
		"deep calls":     "def f(x) " + strings.Repeat("f(", 600) + "x" + strings.Repeat(")", 600) + ";",
		"deep unary":     "def unary-(v) 0 - v;\ndef f(x) " + strings.Repeat("-", 600) + "x;",
		"deep else-ifs":  "def f(x) " + strings.Repeat("if x then 1 else ", 600) + "0;",
		"deep fors":      "def f(x) " + strings.Repeat("for i = 1, i < 2 in ", 600) + "x;",
		"deep vars":      "def f(x) " + strings.Repeat("var a = 1 in ", 600) + "x;",
		"deep operators": "def binary| 5 (a b) a;\ndef binary& 6 (a b) a;\ndef f(x) " + strings.Repeat("x | x & -", 300) + "x;",
		"at the limit":   "def f(x) " + strings.Repeat("(", 498) + "x" + strings.Repeat(")", 498) + ";\ndef g(x) " + strings.Repeat("(", 499) + "x" + strings.Repeat(")", 499) + ";",
	}
	files, _ := filepath.Glob("testdata/*.k")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[f] = string(b)
	}
	srcs["synthetic"] = string(SyntheticProgramCalled(50, 10))
	for name, src := range srcs {
		t.Run(name, func(t *testing.T) {
			want, _ := items(src, false)
			got, skipped := items(src, true)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("lazy bodies:\n%s\nwant (eager):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			// One BodyParser for every body: each tree is described
			// before the next body reuses its nodes.
			got, _ = itemsWith(src, true, NewBodyParser())
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("lazy bodies, one BodyParser:\n%s\nwant (eager):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if name == "synthetic" && skipped < 50 {
				t.Errorf("synthetic: %d bodies skipped, want all 50 definitions'", skipped)
			}
		})
	}
}

// TestParseBodyWhileParsing: a skipped body is parsed (ParseBody) while
// the parser that skipped it goes on (gorc kaleido -lazy parses ahead on
// a goroutine of its own): they share no state (the race detector).
func TestParseBodyWhileParsing(t *testing.T) {
	src := SyntheticProgramCalled(400, 10)
	p := NewParser("t.k", src)
	p.SetLazyBodies(true)
	defs := make(chan *FunctionDef, 1000)
	go func() {
		defer close(defs)
		for {
			it, d := p.Next()
			if it == nil && d == nil {
				return
			}
			if def, ok := it.(*FunctionDef); ok && !def.TopLevel {
				if def.Proto.Kind == ProtoBinary {
					p.SetPrecedence(def.Proto.OperatorChar(), def.Proto.Precedence)
				}
				defs <- def
			}
		}
	}()
	n := 0
	for def := range defs {
		if d := def.ParseBody(); d != nil {
			t.Fatalf("%s: %v", def.Proto.Name, d)
		}
		if def.Body == nil {
			t.Fatalf("%s: no body after ParseBody", def.Proto.Name)
		}
		n++
	}
	if n < 400 {
		t.Fatalf("%d definitions, want at least 400", n)
	}
}

// TestParseBodyWithReusesNodes: a BodyParser takes a body's nodes back at
// its next use, so parsing the bodies of a program one after another
// allocates (about) nothing once its arenas have grown, where ParseBody
// allocates every node.
func TestParseBodyWithReusesNodes(t *testing.T) {
	p := NewParser("t.k", SyntheticProgram(200))
	p.SetLazyBodies(true)
	var defs []*FunctionDef
	for {
		it, d := p.Next()
		if d != nil {
			t.Fatal(d)
		}
		if it == nil {
			break
		}
		if def, ok := it.(*FunctionDef); ok && !def.TopLevel {
			if def.Proto.Kind == ProtoBinary {
				p.SetPrecedence(def.Proto.OperatorChar(), def.Proto.Precedence)
			}
			if def.Body == nil {
				defs = append(defs, def)
			}
		}
	}
	if len(defs) < 100 {
		t.Fatalf("%d skipped bodies, want at least 100", len(defs))
	}
	measure := func(parse func(d *FunctionDef) *Diagnostic) float64 {
		i := 0
		return testing.AllocsPerRun(len(defs)-1, func() {
			own := *defs[i%len(defs)]
			i++
			if d := parse(&own); d != nil {
				t.Fatal(d)
			}
		})
	}
	bp := NewBodyParser()
	with := measure(func(d *FunctionDef) *Diagnostic { return d.ParseBodyWith(bp) })
	without := measure(func(d *FunctionDef) *Diagnostic { return d.ParseBody() })
	t.Logf("allocations per body: ParseBodyWith %.1f, ParseBody %.1f", with, without)
	// Argument lists, var bindings and unary operators are still
	// allocated (7 a body here, against 78).
	if with > 10 || with > without/5 {
		t.Errorf("ParseBodyWith allocates %.1f times per body (ParseBody %.1f), want at most 10 and a fifth", with, without)
	}
}

// BenchmarkLazyParse parses a program of 10,000 functions with lazy
// bodies, as gorc kaleido -lazy's parse-ahead goroutine does (the
// start-up's parse: prototypes kept, bodies skipped).
func BenchmarkLazyParse(b *testing.B) {
	src := SyntheticProgramCalled(10000, 1)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		p := NewParser("bench.k", src)
		p.SetLazyBodies(true)
		for {
			item, d := p.Next()
			if d != nil {
				b.Fatal(d)
			}
			if item == nil {
				break
			}
			if f, ok := item.(*FunctionDef); ok && f.Proto.Kind == ProtoBinary {
				p.SetPrecedence(f.Proto.Name[len(f.Proto.Name)-1], f.Proto.Precedence)
			}
		}
	}
}

// BenchmarkLazyParseSegments is BenchmarkLazyParse with the program cut
// in two at an item start, the segments parsed at once on two goroutines
// (as gorc kaleido -lazy does on two processors).
func BenchmarkLazyParseSegments(b *testing.B) {
	src := SyntheticProgramCalled(10000, 1)
	head := ItemStart(src, strings.LastIndex(string(src), "binary"))
	cut := ItemStart(src, head+(len(src)-head)/2)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	parse := func(p *Parser) {
		for {
			item, d := p.Next()
			if d != nil {
				b.Error(d)
			}
			if item == nil {
				return
			}
			if f, ok := item.(*FunctionDef); ok && f.Proto.Kind == ProtoBinary {
				p.SetPrecedence(f.Proto.OperatorChar(), f.Proto.Precedence)
			}
		}
	}
	for b.Loop() {
		p := NewParser("bench.k", src)
		p.SetLazyBodies(true)
		p.SetEnd(head)
		parse(p)
		first, second := p.Segment(head, cut), p.Segment(cut, -1)
		done := make(chan struct{})
		go func() { parse(second); close(done) }()
		parse(first)
		<-done
	}
}

// TestBodyParserTableBounded: a BodyParser used for every body of a large
// program (as a lazy JIT's compiler is, for every first call) keeps its
// table of names small, starting it afresh past bodyTableMax entries,
// instead of growing to every name of the program (whose lookups then
// miss the caches); the trees are those an eager parse gives, across the
// restarts.
func TestBodyParserTableBounded(t *testing.T) {
	src := string(SyntheticProgram(3000))
	want, _ := items(src, false)
	bp := NewBodyParser()
	most := 0
	p := NewParser("t.k", []byte(src))
	p.SetLazyBodies(true)
	var got []string
	for {
		it, d := p.Next()
		if d != nil {
			t.Fatal(d)
		}
		if it == nil {
			break
		}
		switch it := it.(type) {
		case *Extern:
			got = append(got, "extern "+it.Proto.String())
		case *FunctionDef:
			if d := it.ParseBodyWith(bp); d != nil {
				t.Fatal(d)
			}
			most = max(most, len(bp.t.names))
			got = append(got, fmt.Sprintf("def %v %v", it.Proto, it.Body))
			if it.Proto.Kind == ProtoBinary {
				p.SetPrecedence(it.Proto.OperatorChar(), it.Proto.Precedence)
			}
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d items, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("item %d:\n%s\nwant:\n%s", i, got[i], want[i])
		}
	}
	// A body adds its own names to at most bodyTableMax (256) earlier
	// ones; the program has over 3,000 names.
	if limit := 320; most > limit {
		t.Errorf("the body parser's table held %d names, want at most %d", most, limit)
	}
}
