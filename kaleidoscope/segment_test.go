package kaleidoscope

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// segmentItems parses src as items does, but in the segments cuts
// (ItemStart offsets) divide it into, each segment's parser (Segment)
// starting with the precedences the previous one ended with.
func segmentItems(src string, lazy bool, cuts []int) (out []string) {
	whole := NewParser("t.k", []byte(src))
	whole.SetLazyBodies(lazy)
	bounds := append(append([]int{0}, cuts...), len(src))
	var p *Parser
	for k := 0; k+1 < len(bounds); k++ {
		if p == nil {
			p = whole
			if len(bounds) > 2 {
				p.SetEnd(bounds[1])
			}
		} else {
			p = p.Segment(bounds[k], bounds[k+1])
		}
		out = append(out, describeItems(p)...)
	}
	return out
}

// describeItems describes p's items as items does.
func describeItems(p *Parser) (out []string) {
	for {
		it, d := p.Next()
		if d != nil {
			out = append(out, d.Error())
			continue
		}
		if it == nil {
			return out
		}
		switch it := it.(type) {
		case *Extern:
			out = append(out, "extern "+it.Proto.String())
		case *FunctionDef:
			if d := it.ParseBody(); d != nil {
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

// allItemStarts returns every ItemStart offset of src after 0.
func allItemStarts(src []byte) (cuts []int) {
	for off := 1; ; off++ {
		off = ItemStart(src, off)
		if off < 0 {
			return cuts
		}
		cuts = append(cuts, off)
	}
}

// TestSegmentsParseAlike: a source parsed in segments cut at ItemStart
// offsets gives the items and diagnostics (positions included) of one
// parse of the whole, at every cut, eager and with lazy bodies: errors
// whose recovery runs up to a cut, a body scan that stops at one,
// operators defined before a cut, comments and names that look like def.
func TestSegmentsParseAlike(t *testing.T) {
	srcs := map[string]string{
		"errors":    "def f(x) (x + ;\ndef g(x) x +\ndef h(x) if x then 1;\ndef k(x) 1..2 + x;\ndef m(x) );\ndef n(x) x $ 1;\ndef\ndef p(x\ndef q(x) x;",
		"operators": "def binary| 5 (a b) if a then 1 else b;\ndef f(x) x | 0;\ndef unary!(v) if v then 0 else 1;\ndef g(x) !x | x;\ndef binary| 50 (a b) a + b;\ndef h(x) x | 1 * 2;\nh(1) | 2;",
		"comments":  "def f(x) # ; def\n x + 1 # extern\n;\n# def g(x) x;\ndefine(1);\ndef1(2);\ndef g(x)\n  x +\n  # def\n  1\ndef h(x) x",
		"toplevel":  "1 +\ndef f(x) x;\nf(1)\ndef g(x) x;\n(1\ndef h(x) x;",
		"crlf":      "def f(x) x;\r\ndef g(x)\r\n  x +;\r\ndef h(x) x",
		"last":      "def f(x) x;\ndef",
	}
	files, _ := filepath.Glob("testdata/*.k")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[f] = string(b)
	}
	srcs["synthetic"] = string(SyntheticProgramCalled(40, 10))
	for name, src := range srcs {
		for _, lazy := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/lazy=%v", name, lazy), func(t *testing.T) {
				want := strings.Join(segmentItems(src, lazy, nil), "\n")
				cuts := allItemStarts([]byte(src))
				if len(cuts) == 0 {
					t.Fatalf("no item start found in %q", src)
				}
				for _, c := range cuts {
					if got := strings.Join(segmentItems(src, lazy, []int{c}), "\n"); got != want {
						t.Fatalf("cut at %d (%q):\n%s\nwant:\n%s", c, src[c:min(c+20, len(src))], got, want)
					}
				}
				if got := strings.Join(segmentItems(src, lazy, cuts), "\n"); got != want {
					t.Fatalf("cut at every item start:\n%s\nwant:\n%s", got, want)
				}
			})
		}
	}
}

// TestItemStart: only def at the start of a line, as a whole word.
func TestItemStart(t *testing.T) {
	for _, c := range []struct {
		src  string
		off  int
		want int
	}{
		{"def f(x) x;", 0, 0},
		{"def f(x) x;", 1, -1},
		{"x; def f(x) x;", 0, -1},
		{"# def\ndef f(x) x;", 0, 6},
		{"define(1);\ndef(1);\ndef1;\ndef", 0, 11},
		{"define(1);\ndef1;\ndef", 1, 17},
		{"f(1)\n def g(x) x;\ndef h(x) x;", 2, 18},
		{"", 0, -1},
		{"de", 0, -1},
	} {
		if got := ItemStart([]byte(c.src), c.off); got != c.want {
			t.Errorf("ItemStart(%q, %d) = %d, want %d", c.src, c.off, got, c.want)
		}
	}
}

// FuzzSegments: any source parses alike whole and cut at an item start
// near a chosen offset.
func FuzzSegments(f *testing.F) {
	f.Add([]byte("def binary| 5 (a b) a;\ndef f(x) x | 1;\ndef g(x) (x\ndef h(x) x;"), uint16(20))
	f.Add([]byte("def f(x) # c\n x;\n# def\ndef g(x) x +\ndef h(x) x"), uint16(3))
	f.Fuzz(func(t *testing.T, src []byte, at uint16) {
		if len(src) > 1<<12 {
			return
		}
		c := ItemStart(src, int(at))
		if c <= 0 {
			return
		}
		for _, lazy := range []bool{false, true} {
			want := strings.Join(segmentItems(string(src), lazy, nil), "\n")
			if got := strings.Join(segmentItems(string(src), lazy, []int{c}), "\n"); got != want {
				t.Fatalf("lazy=%v, cut at %d:\n%s\nwant:\n%s", lazy, c, got, want)
			}
		}
	})
}

// TestSetEndSizesLexTable: a parser of a large source whose end is set
// after its first token (a keyword) makes a table of names sized for its
// part, not for the whole source, and parses that part as before.
func TestSetEndSizesLexTable(t *testing.T) {
	var b strings.Builder
	b.WriteString("# head\ndef binary% 5 (a b) a - b;\n")
	head := b.Len()
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "def f%d(x y) x %% y + %d;\n", i, i)
	}
	src := []byte(b.String())
	p := NewParser("big.k", src)
	p.SetEnd(head)
	var items int
	for {
		item, d := p.Next()
		if d != nil {
			t.Fatalf("head: %v", d)
		}
		if item == nil {
			break
		}
		items++
	}
	if items != 1 {
		t.Fatalf("head parsed %d items, want 1", items)
	}
	if n := len(p.lx.names.slots); n > 1024 {
		t.Errorf("head parser's table has %d slots, sized for the whole %d-byte source", n, len(src))
	}
	// Without an end, the table is sized for the whole source as before.
	q := NewParser("big.k", src)
	if _, d := q.Next(); d != nil {
		t.Fatal(d)
	}
	if n := len(q.lx.names.slots); n < len(src)/128 {
		t.Errorf("whole-source parser's table has %d slots", n)
	}
}
