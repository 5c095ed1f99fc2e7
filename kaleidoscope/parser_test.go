package kaleidoscope

import (
	"context"
	"strings"
	"testing"
)

func TestLexer(t *testing.T) {
	src := "def foo(x y) # comment\n  x + 1.5 < .25;\nextern sin(a);\nvar in binary unary for if then else 12.5.3 @"
	type tk struct {
		kind TokKind
		text string
		pos  Pos
	}
	want := []tk{
		{TokDef, "def", Pos{1, 1}}, {TokIdent, "foo", Pos{1, 5}}, {TokChar, "(", Pos{1, 8}},
		{TokIdent, "x", Pos{1, 9}}, {TokIdent, "y", Pos{1, 11}}, {TokChar, ")", Pos{1, 12}},
		{TokIdent, "x", Pos{2, 3}}, {TokChar, "+", Pos{2, 5}}, {TokNumber, "1.5", Pos{2, 7}},
		{TokChar, "<", Pos{2, 11}}, {TokNumber, ".25", Pos{2, 13}}, {TokChar, ";", Pos{2, 16}},
		{TokExtern, "extern", Pos{3, 1}}, {TokIdent, "sin", Pos{3, 8}}, {TokChar, "(", Pos{3, 11}},
		{TokIdent, "a", Pos{3, 12}}, {TokChar, ")", Pos{3, 13}}, {TokChar, ";", Pos{3, 14}},
		{TokVar, "var", Pos{4, 1}}, {TokIn, "in", Pos{4, 5}}, {TokBinary, "binary", Pos{4, 8}},
		{TokUnary, "unary", Pos{4, 15}}, {TokFor, "for", Pos{4, 21}}, {TokIf, "if", Pos{4, 25}},
		{TokThen, "then", Pos{4, 28}}, {TokElse, "else", Pos{4, 33}}, {TokNumber, "12.5.3", Pos{4, 38}},
		{TokChar, "@", Pos{4, 45}}, {TokEOF, "", Pos{4, 46}},
	}
	lx := NewLexer([]byte(src))
	for i, w := range want {
		got := lx.Next()
		if got.Kind != w.kind || got.Text != w.text || got.Pos != w.pos {
			t.Fatalf("token %d = {%v %q %v}, want {%v %q %v}", i, got.Kind, got.Text, got.Pos, w.kind, w.text, w.pos)
		}
		if w.text == "12.5.3" && got.Err == "" {
			t.Errorf("12.5.3 should be an invalid number")
		}
		if w.text == "1.5" && got.Num != 1.5 {
			t.Errorf("1.5 parsed as %v", got.Num)
		}
	}
}

func TestParserAST(t *testing.T) {
	tests := []struct{ src, want string }{
		{"1 + 2 * 3;", "(1 + (2 * 3))"},
		{"1 - 2 - 3;", "((1 - 2) - 3)"},
		{"a = b = 3;", "((a = b) = 3)"}, // left-associative, as in the tutorial
		{"x < y + 1;", "(x < (y + 1))"},
		{"f(1, g(2), x*x);", "f(1, g(2), (x * x))"},
		{"if x < 3 then 1 else f(x-1);", "(if (x < 3) then 1 else f((x - 1)))"},
		{"for i = 1, i < n, 2 in putchard(42);", "(for i = 1, (i < n), 2 in putchard(42))"},
		{"for i = 1, i < n in i;", "(for i = 1, (i < n) in i)"},
		{"var a = 1, b in a + b;", "(var a = 1, b in (a + b))"},
		{"!-x;", "(!(-x))"},
		{"(1 + 2) * 3;", "((1 + 2) * 3)"},
	}
	for _, tc := range tests {
		p := NewParser("t.k", []byte(tc.src))
		item, d := p.Next()
		if d != nil {
			t.Errorf("%q: %v", tc.src, d)
			continue
		}
		fd, ok := item.(*FunctionDef)
		if !ok || !fd.TopLevel {
			t.Errorf("%q: not a top-level expression: %#v", tc.src, item)
			continue
		}
		if got := fd.Body.String(); got != tc.want {
			t.Errorf("%q parsed as %s, want %s", tc.src, got, tc.want)
		}
	}
}

func TestParserPrototypes(t *testing.T) {
	tests := []struct {
		src        string
		name       string
		params     int
		kind       ProtoKind
		precedence int
	}{
		{"def f(a b c) a;", "f", 3, ProtoFunc, 0},
		{"extern sin(x);", "sin", 1, ProtoFunc, 0},
		{"def binary| 5 (a b) a;", "binary|", 2, ProtoBinary, 5},
		{"def binary% (a b) a;", "binary%", 2, ProtoBinary, 30},
		{"def unary!(v) v;", "unary!", 1, ProtoUnary, 0},
		{"def g() 1;", "g", 0, ProtoFunc, 0},
	}
	for _, tc := range tests {
		item, d := NewParser("t.k", []byte(tc.src)).Next()
		if d != nil {
			t.Fatalf("%q: %v", tc.src, d)
		}
		var pr *Prototype
		switch it := item.(type) {
		case *FunctionDef:
			pr = it.Proto
		case *Extern:
			pr = it.Proto
		}
		if pr.Name != tc.name || len(pr.Params) != tc.params || pr.Kind != tc.kind || pr.Precedence != tc.precedence {
			t.Errorf("%q: got %+v", tc.src, pr)
		}
	}
}

// TestUserPrecedence checks that a binary operator's precedence applies
// to the items after its definition.
func TestUserPrecedence(t *testing.T) {
	g := NewGenerator("p")
	src := "def binary| 5 (a b) a; def binary^ 50 (a b) a; 1 + 2 | 3 ^ 4 * 5;"
	p := g.NewParser("p.k", []byte(src))
	var last Item
	for {
		item, d := p.Next()
		if d != nil {
			t.Fatal(d)
		}
		if item == nil {
			break
		}
		if _, d := g.Gen("p.k", item, p); d != nil {
			t.Fatal(d)
		}
		last = item
	}
	got := last.(*FunctionDef).Body.String()
	if want := "((1 + 2) | ((3 ^ 4) * 5))"; got != want {
		t.Errorf("parsed %s, want %s", got, want)
	}
}

// TestDiagnostics checks message text and positions, and that the
// parser recovers at the next top-level item.
func TestDiagnostics(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"def f(x) y;", []string{"t.k:1:10: error: unknown variable name 'y'"}},
		{"foo(1);", []string{"t.k:1:1: error: unknown function referenced 'foo'"}},
		{"def f(a) a; f();", []string{"t.k:1:13: error: incorrect number of arguments passed to 'f': expected 1, got 0"}},
		{"def f(a) a; def f(b c) b;", []string{"t.k:1:17: error: definition of 'f' has 2 parameters, previously 1"}},
		{"extern f(a); def f(a b) a;", []string{"t.k:1:18: error: definition of 'f' has 2 parameters, its extern declaration 1"}},
		{"def 1;\ndef g() 2;\ng(;", []string{"t.k:1:5: error: expected function name in prototype, found number 1", "t.k:3:3: error: expected an expression, found ';'"}},
		{"1 +\n\n  * 2;", []string{"t.k:3:3: error: unknown unary operator '*'"}},
		{"x = 1;", []string{"t.k:1:1: error: unknown variable name 'x'"}},
		{"def f(x) (x + 1) = 2;", []string{"t.k:1:18: error: destination of '=' must be a variable"}},
		{"def binary@ 200 (a b) a;", []string{"t.k:1:13: error: invalid precedence 200: must be 1..100"}},
		{"1.2.3;", []string{"t.k:1:1: error: invalid number '1.2.3'"}},
		{"def f(x) x \xc3 1;", []string{"t.k:1:12: error: unexpected byte 0xc3"}},
		{"def f(x) if x then 1;", []string{"t.k:1:21: error: expected 'else', found ';'"}},
		{"def f(x) var y = in y;", []string{"t.k:1:18: error: unknown token 'in' when expecting an expression"}},
		{"def f(x) for = 1 in x;", []string{"t.k:1:14: error: expected identifier after 'for', found '='"}},
		{"def f(x) g(x 1);", []string{"t.k:1:14: error: expected ')' or ',' in argument list, found number 1"}},
		{strings.Repeat("(", 600) + "1" + strings.Repeat(")", 600) + ";", []string{"t.k:1:501: error: expression nests too deeply (limit 500)"}},
		{"extern printf(x);", []string{"t.k:1:8: error: 'printf' is reserved by the runtime"}},
		{"def putchard(x) x;", []string{"t.k:1:5: error: redefinition of function 'putchard' (a runtime builtin)"}},
	}
	for _, tc := range tests {
		_, diags, err := Compile(context.Background(), "t", []string{"t.k"}, [][]byte{[]byte(tc.src)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range diags {
			got = append(got, d.Error())
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%.60q:\ngot  %q\nwant %q", tc.src, got, tc.want)
		}
	}
}

// TestFailedDefinitionIsDropped checks that a function whose body fails
// leaves no trace, and a failed definition of an extern leaves the
// declaration usable.
func TestFailedDefinitionIsDropped(t *testing.T) {
	m, diags, err := Compile(context.Background(), "t", []string{"t.k"}, [][]byte{[]byte("def bad(x) nope; extern e(x); def e(x) nope; e(1);")})
	if err != nil {
		t.Fatal(err)
	}
	if len(diags) != 2 {
		t.Fatalf("diags = %v", diags)
	}
	if m.Func("bad") != nil {
		t.Errorf("bad was kept")
	}
	if f := m.Func("e"); f == nil || !f.IsDeclaration() {
		t.Errorf("e should remain a declaration: %v", f)
	}
	if m.Func("__anon_expr") == nil {
		t.Errorf("the call of e was not compiled")
	}
}

// TestLexerPositionsWhitespace: columns count bytes across tabs, CR, form
// feeds and comments (also a comment ending the input), lines count
// newlines only.
func TestLexerPositionsWhitespace(t *testing.T) {
	src := "\tab1\r\n\f\vx # c d\n#only\n\n  9.5e#x\r\n;  #end"
	want := []struct {
		text string
		pos  Pos
	}{
		{"ab1", Pos{1, 2}}, {"x", Pos{2, 3}}, {"9.5", Pos{5, 3}}, {"e", Pos{5, 6}}, {";", Pos{6, 1}}, {"", Pos{6, 8}},
	}
	lx := NewLexer([]byte(src))
	for i, w := range want {
		got := lx.Next()
		if got.Text != w.text || got.Pos != w.pos {
			t.Fatalf("token %d = %q at %v, want %q at %v", i, got.Text, got.Pos, w.text, w.pos)
		}
	}
}

// BenchmarkLexer lexes the compile-speed program of 2,000 functions.
func BenchmarkLexer(b *testing.B) {
	src := SyntheticProgram(2000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		lx := NewLexer(src)
		for lx.Next().Kind != TokEOF {
		}
	}
}
