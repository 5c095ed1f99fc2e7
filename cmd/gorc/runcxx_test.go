package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAddCxxRuntime checks when gorc run adds -lstdc++: for an IR input
// whose source_filename names a C++ source, or, naming none, that refers
// to libstdc++ or the C++ ABI; not for C, not when the command line
// chose a C++ library or -static.
func TestAddCxxRuntime(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cxx := write("a.ll", "; ModuleID = 'a.cpp'\nsource_filename = \"dir/a.cpp\"\ndefine i32 @main() {\n  ret i32 0\n}\n")
	cc := write("b.ll", "; ModuleID = 'b.cc'\nsource_filename = \"b.cc\"\n")
	upperC := write("u.ll", "source_filename = \"u.C\"\n")
	c := write("c.ll", "; ModuleID = 'c.c'\nsource_filename = \"c.c\"\ndeclare ptr @_Znwm(i64)\n")
	anon := write("d.ll", "declare void @_ZNSt6vectorIiSaIiEE9push_backERKi(ptr, ptr)\n")
	anonCxa := write("e.ll", "declare ptr @__cxa_allocate_exception(i64)\n")
	plain := write("f.ll", "define i32 @main() {\n  ret i32 0\n}\n")
	late := write("g.ll", strings.Repeat("; padding\n", cxxHead/10+1)+"source_filename = \"g.cpp\"\ndeclare i32 @__gxx_personality_v0(...)\n")
	filler := strings.Repeat("define i32 @f(i32 %x) {\n  ret i32 %x\n}\n", cxxScanAll/30)
	bigTail := write("h.ll", filler+"declare ptr @_Znwm(i64)\n")
	bigMiddle := write("i.ll", filler+"declare ptr @_Znwm(i64)\n"+filler)
	across := write("j.ll", strings.Repeat(";", cxxHead-5)+"\ndeclare ptr @__cxa_begin_catch(ptr)\n")
	tests := []struct {
		name   string
		inputs []string
		libs   []string
		static bool
		want   bool
	}{
		{"cpp source", []string{cxx}, nil, false, true},
		{"cc source", []string{cc}, nil, false, true},
		{".C source", []string{upperC}, nil, false, true},
		{"C source using operator new", []string{c}, nil, false, false},
		{"no source name, libstdc++ reference", []string{anon}, nil, false, true},
		{"no source name, C++ ABI reference", []string{anonCxa}, nil, false, true},
		{"no source name, plain", []string{plain}, nil, false, false},
		{"source name past the head: references scanned", []string{late}, nil, false, true},
		{"large, reference at the end", []string{bigTail}, nil, false, true},
		{"large, reference only in the middle (not scanned)", []string{bigMiddle}, nil, false, false},
		{"reference across the head's end", []string{across}, nil, false, true},
		{"C then C++", []string{c, "x.o", cxx}, []string{"-lm"}, false, true},
		{"objects only", []string{"x.o", "y.a"}, nil, false, false},
		{"-lstdc++ given", []string{cxx}, []string{"-lstdc++"}, false, false},
		{"-lc++ given", []string{cxx}, []string{"-lc++"}, false, false},
		{"libstdc++ path given", []string{cxx}, []string{"/usr/lib/x86_64-linux-gnu/libstdc++.so.6"}, false, false},
		{"-l:libstdc++.so.6 given", []string{cxx}, []string{"-l:libstdc++.so.6"}, false, false},
		{"-static", []string{cxx}, nil, true, false},
		{"missing file", []string{filepath.Join(dir, "none.ll")}, nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &runOptions{inputs: tt.inputs, libs: slices.Clone(tt.libs), static: tt.static}
			got := addCxxRuntime(o)
			if got != tt.want {
				t.Fatalf("addCxxRuntime = %v, want %v", got, tt.want)
			}
			want := slices.Clone(tt.libs)
			if tt.want {
				want = append(want, "-lstdc++")
			}
			if !slices.Equal(o.libs, want) {
				t.Errorf("libs %q, want %q", o.libs, want)
			}
		})
	}
}

// BenchmarkIsCxxIR: the decision for clang's IR (source_filename in the
// head: one 4 KiB read) and for 8 MB of IR without a source file name
// (every byte scanned for the C++ runtime's names).
func BenchmarkIsCxxIR(b *testing.B) {
	dir := b.TempDir()
	body := strings.Repeat("define i32 @f(i32 %x) {\n  %y = add i32 %x, 1\n  ret i32 %y\n}\n", 8<<20/60)
	for _, bc := range []struct{ name, head string }{
		{"source_filename", "; ModuleID = 'a.c'\nsource_filename = \"a.c\"\n"},
		{"no-source-8MB", ""},
	} {
		p := filepath.Join(dir, bc.name+".ll")
		if err := os.WriteFile(p, []byte(bc.head+body), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if isCxxIR(p) {
					b.Fatal("C++?")
				}
			}
		})
	}
}
