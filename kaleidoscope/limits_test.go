package kaleidoscope

import (
	"context"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/ir"
)

// raceEnabled is set under the race detector (race_test.go), which makes
// the time limits below generous.
var raceEnabled bool

// TestLongTokenDiagnostics checks that a diagnostic about a 50 MB token
// quotes a bounded prefix of it (issue 14, item 9).
func TestLongTokenDiagnostics(t *testing.T) {
	huge := strings.Repeat("a", 50<<20)
	digits := strings.Repeat("1.", 25<<20)
	tests := []struct {
		name, src, prefix string
	}{
		{"unknown variable", "def f(x) " + huge + ";", "t.k:1:10: error: unknown variable name 'aaaa"},
		{"unknown function", huge + "(1);", "t.k:1:1: error: unknown function referenced 'aaaa"},
		{"unexpected identifier", "def f(x) g(x " + huge + ");", "t.k:1:14: error: expected ')' or ',' in argument list, found identifier 'aaaa"},
		{"invalid number", digits + ";", "t.k:1:1: error: invalid number '1.1."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, diags, err := Compile(context.Background(), "t", []string{"t.k"}, [][]byte{[]byte(tc.src)})
			if err != nil {
				t.Fatal(err)
			}
			if len(diags) != 1 {
				t.Fatalf("got %d diagnostics, want 1", len(diags))
			}
			msg := diags[0].Error()
			if len(msg) > 200 {
				t.Fatalf("diagnostic is %d bytes long: %.200q", len(msg), msg)
			}
			if !strings.HasPrefix(msg, tc.prefix) || !strings.Contains(msg, "bytes)") {
				t.Errorf("diagnostic %q, want prefix %q and the token's length", msg, tc.prefix)
			}
		})
	}
}

// TestLongChains checks that a left-deep chain of 500,000 terms compiles
// (the operator chain is a loop in the parser and in code generation) in
// bounded time, while true nesting gives a clear error, never a Go stack
// overflow (issue 14, item 6).
func TestLongChains(t *testing.T) {
	// No stack growth per term or per level: 64 MB is ample for the
	// bounded nesting, and far too little for recursion per term (the
	// default 1 GB limit let a 500k-term recursion through, slowly).
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	n := 500000
	limit := 20 * time.Second // generous: the test machines are shared
	if raceEnabled {
		// The race detector makes the 500k chain take a minute; the
		// code path (no recursion per term) is the same at 100k.
		n, limit = 100000, 60*time.Second
	}
	t.Run("flat chain", func(t *testing.T) {
		src := strings.Repeat("1+", n-1) + "1;"
		start := time.Now()
		m, diags, err := Compile(context.Background(), "t", []string{"t.k"}, [][]byte{[]byte(src)})
		if err != nil || len(diags) != 0 {
			t.Fatalf("err %v, diagnostics %v", err, diags)
		}
		if d := time.Since(start); d > limit {
			t.Errorf("compiling took %v, limit %v", d, limit)
		}
		f := m.Func("__anon_expr")
		adds := 0
		for _, b := range f.Blocks {
			for _, in := range b.Instrs {
				if in.Op == ir.OpFAdd {
					adds++
				}
			}
		}
		if adds != n-1 {
			t.Errorf("%d fadds, want %d", adds, n-1)
		}
		// Folding the chain must give the right sum.
		if got := evalConstChain(t, f); got != float64(n) {
			t.Errorf("chain evaluates to %v, want %d", got, n)
		}
	})
	t.Run("String", func(t *testing.T) {
		p := NewParser("t.k", []byte(strings.Repeat("1+", n-1)+"1;"))
		item, d := p.Next()
		if d != nil {
			t.Fatal(d)
		}
		s := item.(*FunctionDef).Body.String()
		if want := strings.Repeat("(", n-1) + "1"; !strings.HasPrefix(s, want) || !strings.HasSuffix(s, " + 1)") {
			t.Errorf("String of the chain: %.40q...", s)
		}
	})
	deep := []struct{ name, src, want string }{
		{"parentheses", strings.Repeat("(", n) + "1" + strings.Repeat(")", n) + ";", "t.k:1:501: error: expression nests too deeply (limit 500)"},
		{"unary", "def unary!(v) 0-v; " + strings.Repeat("!", n) + "1;", "t.k:1:519: error: expression nests too deeply (limit 500)"},
		{"calls", strings.Repeat("f(", n) + "1" + strings.Repeat(")", n) + ";", "t.k:1:1001: error: expression nests too deeply (limit 500)"},
	}
	for _, tc := range deep {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, diags, err := Compile(context.Background(), "t", []string{"t.k"}, [][]byte{[]byte(tc.src)})
			if err != nil {
				t.Fatal(err)
			}
			if len(diags) == 0 || !strings.Contains(diags[len(diags)-1].Error(), tc.want) {
				t.Fatalf("diagnostics %v, want one containing %q", diags, tc.want)
			}
			if d := time.Since(start); d > limit {
				t.Errorf("took %v, limit %v", d, limit)
			}
		})
	}
}

// TestGeneratorDepthLimit checks that a tree built through the API that
// nests deeper than the parser allows gets a diagnostic from Gen.
func TestGeneratorDepthLimit(t *testing.T) {
	var e Expr = &NumberExpr{Val: 1}
	for i := 0; i < 100000; i++ {
		e = &BinaryExpr{Op: '+', LHS: &NumberExpr{Val: 1}, RHS: e, Pos: Pos{1, 1}}
	}
	g := NewGenerator("t")
	_, d := g.Gen("t.k", &FunctionDef{Proto: &Prototype{Name: "__anon_expr"}, Body: e, TopLevel: true}, nil)
	if d == nil || !strings.Contains(d.Error(), "expression nests too deeply (limit 2000)") {
		t.Fatalf("diagnostic %v", d)
	}
}

// evalConstChain evaluates a function made only of fadds of constants.
func evalConstChain(t *testing.T, f *ir.Function) float64 {
	t.Helper()
	vals := map[ir.Value]float64{}
	get := func(v ir.Value) float64 {
		if c, ok := v.(*ir.ConstFloat); ok {
			return c.V
		}
		x, ok := vals[v]
		if !ok {
			t.Fatalf("operand %v is not a constant or an earlier fadd", v)
		}
		return x
	}
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			switch in.Op {
			case ir.OpFAdd:
				vals[in] = get(in.Ops[0]) + get(in.Ops[1])
			case ir.OpRet:
				return get(in.Ops[0])
			}
		}
	}
	t.Fatal("no ret")
	return 0
}

// TestDepthAfterErrors: an error deep in an expression (which the
// parser and generator leave by a panic, without their depth counters'
// decrements) does not count against the items after it: 600 items with
// an error 20 levels down (12,000 levels in all, beyond both limits), then
// one nested 450 levels deep, which must compile.
func TestDepthAfterErrors(t *testing.T) {
	var src strings.Builder
	for i := 0; i < 300; i++ {
		// A parse error 20 parentheses down, and a generation error
		// (unknown variable) 20 levels down.
		src.WriteString("def p" + strconv.Itoa(i) + "(x) " + strings.Repeat("(", 20) + "x + ;\n")
		src.WriteString("def g" + strconv.Itoa(i) + "(x) " + strings.Repeat("x + (", 20) + "nope" + strings.Repeat(")", 20) + ";\n")
	}
	src.WriteString("def deep(x) " + strings.Repeat("x + (", 450) + "x" + strings.Repeat(")", 450) + ";\n")
	m, diags, err := Compile(context.Background(), "t", []string{"t.k"}, [][]byte{[]byte(src.String())})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diags {
		if strings.Contains(d.Error(), "nests too deeply") {
			t.Fatalf("after earlier errors: %v", d)
		}
	}
	if len(diags) < 600 {
		t.Errorf("%d diagnostics, want at least 600", len(diags))
	}
	if m.Func("deep") == nil || m.Func("deep").IsDeclaration() {
		t.Errorf("deep was not generated")
	}
}
