package main

import (
	"fmt"
	"iter"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/kaleidoscope"
)

// splitSource is a program of n definitions with errors on the way (a
// body in error, an unknown operator, a top-level expression in error)
// and what comes before them: ops, the operators defined at the top.
func splitSource(ops string, n int) []byte {
	var b strings.Builder
	b.WriteString(ops)
	for i := 0; i < n; i++ {
		switch {
		case i%997 == 500:
			fmt.Fprintf(&b, "def e%d(x) x +;\n", i)
		case i%1009 == 700:
			fmt.Fprintf(&b, "def u%d(x) x ~ 2;\n", i)
		case i%1013 == 800:
			b.WriteString("f1(1) )\n")
		}
		fmt.Fprintf(&b, "def f%d(x) # def g(x)\n  x | %d : x;\n", i, i)
	}
	b.WriteString("f7(1) | 2;\n")
	return []byte(b.String())
}

// consumeSplit runs what seq gives as runLazyKaleido does (acknowledging
// operators), describing each item or diagnostic; refuse names operators
// whose definition the consumer does not take (it sets no precedence, as
// when the definition is an error; an extern sets none, as in gorc
// kaleido); it also returns how many parsers
// the items came from.
func consumeSplit(seq iter.Seq[parsedBatch], refuse string) (out []string, parsers int) {
	seen := map[*kaleidoscope.Parser]bool{}
	for b := range seq {
		seen[b.p] = true
		for _, it := range b.items {
			if it.diag != nil {
				out = append(out, it.diag.Error())
				continue
			}
			out = append(out, describeSplitItem(it.item, b.p, refuse))
		}
		if b.ack != nil {
			close(b.ack)
		}
	}
	return out, len(seen)
}

func describeSplitItem(item kaleidoscope.Item, p *kaleidoscope.Parser, refuse string) string {
	switch it := item.(type) {
	case *kaleidoscope.Extern:
		// An extern sets no precedence (the generator's declare does not).
		return "extern " + it.Proto.String()
	case *kaleidoscope.FunctionDef:
		if it.Proto.Kind == kaleidoscope.ProtoBinary && !strings.ContainsRune(refuse, rune(it.Proto.OperatorChar())) {
			p.SetPrecedence(it.Proto.OperatorChar(), it.Proto.Precedence)
		}
		if d := it.ParseBody(); d != nil {
			return d.Error()
		}
		return fmt.Sprintf("def %v %v", it.Proto, it.Body)
	}
	return fmt.Sprint(item)
}

// TestParseSplit: parseSplit gives the items and diagnostics, positions
// included, of one parser going through the source item by item, whether
// it cuts the source (operators defined at the top), falls back to one
// parser for the rest (an operator's definition not taken: the predicted
// precedences are wrong), parses again from a cut on (an operator
// defined in a segment: the segments after it parsed without it) or does
// not cut (a small source, one part).
func TestParseSplit(t *testing.T) {
	defer func(m int) { parseSplitMin = m }(parseSplitMin)
	parseSplitMin = 4 << 10
	const ops = "# operators\ndef binary| 5 (a b) a + b;\nextern binary: 1 (a b);\ndef binary : 1 (x y) y;\ndef unary-(v) 0 - v;\n"
	late := string(splitSource("", 3000)) + "def binary~ 3 (a b) a;\nf1(1) ~ 2;\n"
	// At 40 % of the source: in the first of two segments, the second of
	// four; the items "x ~ 2" after it parse only with it.
	middle := string(splitSource("", 1200)) + "def binary~ 3 (a b) a;\n" + string(splitSource("", 1800))
	cases := []struct {
		name        string
		src         []byte
		parts       int
		refuse      string
		wantParsers int
	}{
		{"operators at the top", splitSource(ops, 3000), 2, "", 3},
		{"four parts", splitSource(ops, 3000), 4, "", 5},
		{"no operator", splitSource("", 3000), 2, "", 2},
		{"operator not taken", splitSource(ops, 3000), 2, ":", 2},
		{"extern operator only", splitSource("extern binary~ 3 (a b);\n", 3000), 2, "", 3},
		{"operator defined late", []byte(late), 2, "", 2},
		{"operator defined in the first segment", []byte(middle), 2, "", 2},
		{"operator defined in the second of four", []byte(middle), 4, "", 3},
		{"operator in a segment not taken", []byte(middle), 4, "~", 3},
		{"small", splitSource(ops, 10), 2, "", 1},
		{"one part", splitSource(ops, 3000), 1, "", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// One parser, item by item, as a REPL does.
			p := kaleidoscope.NewParser("t.k", c.src)
			p.SetLazyBodies(true)
			var want []string
			for {
				it, d := p.Next()
				if it == nil && d == nil {
					break
				}
				if d != nil {
					want = append(want, d.Error())
					continue
				}
				want = append(want, describeSplitItem(it, p, c.refuse))
			}
			done := make(chan struct{})
			defer close(done)
			for _, inline := range []bool{true, false} {
				p = kaleidoscope.NewParser("t.k", c.src)
				p.SetLazyBodies(true)
				got, parsers := consumeSplit(parseSplit(p, c.src, c.parts, parseAheadCapacity(3000), inline, done), c.refuse)
				if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
					i := 0
					for i < len(got) && i < len(want) && got[i] == want[i] {
						i++
					}
					t.Fatalf("inline first segment %v: %d items, want %d; first difference at item %d:\n%q\nwant\n%q", inline, len(got), len(want), i, got[min(i, len(got)-1)], want[min(i, len(want)-1)])
				}
				if parsers != c.wantParsers {
					t.Errorf("inline first segment %v: items from %d parsers, want %d", inline, parsers, c.wantParsers)
				}
			}
			if len(c.src) > parseSplitMin && !strings.Contains(strings.Join(want, "\n"), "error") {
				t.Errorf("no diagnostic in the source")
			}
		})
	}
}

// TestParseSplitStops: a loop over parseSplit's items that ends early,
// or closing done without a loop, ends parseSplit's goroutines while
// their items are not taken (the goroutines are counted; the race
// detector checks the rest).
func TestParseSplitStops(t *testing.T) {
	defer func(m int) { parseSplitMin = m }(parseSplitMin)
	parseSplitMin = 4 << 10
	src := splitSource("def binary| 5 (a b) a + b;\n", 3000)
	before := runtime.NumGoroutine()
	for _, loop := range []bool{true, false} {
		done := make(chan struct{})
		p := kaleidoscope.NewParser("t.k", src)
		p.SetLazyBodies(true)
		seq := parseSplit(p, src, 4, 1, loop, done)
		if loop {
			n := 0
			for b := range seq {
				if b.ack != nil {
					close(b.ack)
				}
				if n++; n == 3 {
					break
				}
			}
		}
		close(done)
	}
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLastIndex(t *testing.T) {
	for _, src := range []string{"", "binary", "xbinarybinary", "binarbinary y binary", "no", "bbinaryy binar"} {
		if got, want := lastIndex([]byte(src), "binary"), strings.LastIndex(src, "binary"); got != want {
			t.Errorf("lastIndex(%q) = %d, want %d", src, got, want)
		}
	}
}
