package ir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseLazySameModule: ParseLazy and then ParseBody of every function
// give the module Parse gives (same printed text), for every testdata
// file.
func TestParseLazySameModule(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.ll")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Parse(f, src)
			if err != nil {
				t.Fatal(err)
			}
			m, lb, err := ParseLazy(f, src)
			if err != nil {
				t.Fatal(err)
			}
			pending := 0
			for _, fn := range m.Funcs {
				if lb.Pending(fn) {
					pending++
					if len(fn.Blocks) != 0 {
						t.Errorf("@%s has blocks before ParseBody", fn.Name)
					}
				}
			}
			if pending == 0 {
				t.Fatal("no function body was deferred")
			}
			for _, fn := range m.Funcs {
				if err := lb.ParseBody(fn); err != nil {
					t.Fatal(err)
				}
				if lb.Pending(fn) {
					t.Errorf("@%s still pending after ParseBody", fn.Name)
				}
			}
			if err := Verify(m); err != nil {
				t.Fatal(err)
			}
			if got, w := m.String(), want.String(); got != w {
				t.Errorf("lazily parsed module differs:\n%s\nwant:\n%s", got, w)
			}
		})
	}
}

// TestParseLazyErrors: errors in a skipped body are reported, with the
// same FILE:LINE:COL as Parse, when the body is parsed; an unclosed body
// when the module is; a body error does not affect other functions.
func TestParseLazyErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"undefined value", "define double @f() {\nentry:\n  ret double %x\n}\n", "t.ll:3:14: error: use of undefined value '%x'"},
		{"undefined global", "define void @f() {\nentry:\n  call void @g()\n  ret void\n}\n", "t.ll:3:13: error: use of undefined global '@g'"},
		{"brace in comment", "define void @f() {\nentry: ; } {\n  ret void ^\n}\n", "t.ll:3:12: error: unexpected character '^'"},
		{"after a body", "define void @g() {\nentry:\n  ret void\n}\ndefine void @f() {\nentry:\n  ret void ^\n}\n", "t.ll:7:12: error: unexpected character '^'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, lb, err := ParseLazy("t.ll", []byte(tc.src))
			if err != nil {
				t.Fatalf("module: %v", err)
			}
			var f, g *Function
			f, g = m.Func("f"), m.Func("g")
			if g != nil && lb.Pending(g) {
				if err := lb.ParseBody(g); err != nil {
					t.Fatalf("@g: %v", err)
				}
			}
			err = lb.ParseBody(f)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if err2 := lb.ParseBody(f); err2 != err {
				t.Errorf("second ParseBody: %v, want the first error again", err2)
			}
		})
	}
	if _, _, err := ParseLazy("t.ll", []byte("define void @f() {\nentry:\n  ret void\n")); err == nil || !strings.Contains(err.Error(), "expected '}' at end of function '@f'") {
		t.Errorf("unclosed body: %v", err)
	}
}

// FuzzParseLazy: on any text, ParseLazy followed by ParseBody of every
// function never panics, and when Parse accepts the text it gives the
// same module (printed identically).
func FuzzParseLazy(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.ll")
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("define void @f() {\nentry: ; }\n  ret void\n}\n"))
	f.Add([]byte("define void @f() {\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<15 {
			return
		}
		want, werr := Parse("fuzz.ll", src)
		m, lb, err := ParseLazy("fuzz.ll", src)
		if err != nil {
			if strings.Contains(err.Error(), "internal parser error") {
				t.Fatal(err)
			}
			if werr == nil {
				t.Fatalf("ParseLazy refuses what Parse accepts: %v", err)
			}
			return
		}
		for _, fn := range m.Funcs {
			if err = lb.ParseBody(fn); err != nil {
				if strings.Contains(err.Error(), "internal parser error") {
					t.Fatal(err)
				}
				break
			}
		}
		if werr == nil {
			if err != nil {
				t.Fatalf("a body ParseLazy deferred does not parse, Parse accepted it: %v", err)
			}
			if got, w := m.String(), want.String(); got != w {
				t.Fatalf("lazily parsed module differs:\n%s\n---\n%s", got, w)
			}
		}
	})
}

// TestParseBodyIntoReusesArena: bodies parsed one at a time into one
// arena, each dropped and released before the next (as a lazy JIT does
// once a function is compiled), print as Parse's functions do, and the
// arena's memory serves the later bodies.
func TestParseBodyIntoReusesArena(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.ll")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Parse(f, src)
		if err != nil {
			t.Fatal(err)
		}
		m, lb, err := ParseLazy(f, src)
		if err != nil {
			t.Fatal(err)
		}
		var arena InstrArena
		first := map[*Instr]bool{}
		reused := false
		for i, fn := range m.Funcs {
			if !lb.Pending(fn) {
				continue
			}
			if err := lb.ParseBodyInto(fn, &arena); err != nil {
				t.Fatalf("%s: @%s: %v", f, fn.Name, err)
			}
			if got, w := fn.String(), want.Funcs[i].String(); got != w {
				t.Fatalf("%s: @%s parsed into an arena:\n%s\nwant:\n%s", f, fn.Name, got, w)
			}
			for _, b := range fn.Blocks {
				for _, in := range b.Instrs {
					if first[in] {
						reused = true
					}
					first[in] = true
				}
			}
			fn.Blocks = nil
			fn.ReleaseInstrs()
		}
		if len(first) > 2*instrChunk && !reused {
			t.Errorf("%s: no instruction memory was reused across bodies", f)
		}
	}
}
