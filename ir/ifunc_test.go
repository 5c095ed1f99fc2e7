package ir

import (
	"strings"
	"testing"
)

// TestParseIFunc checks that ifuncs read as clang-19 writes them (for
// __attribute__((ifunc)) and target_clones): the name is a declaration of
// the ifunc's type that uses anywhere in the module refer to (a global's
// initializer before the ifunc line, calls), its resolver is the
// function named, an alias of the ifunc is one more name for it, and the
// printed module reads back the same.
func TestParseIFunc(t *testing.T) {
	tests := []struct {
		name, src string
		ifuncs    []string // "name linkage sig resolver"
	}{
		{"clang ifunc attribute", `@padd = global ptr @add
@add = dso_local ifunc i32 (i32, i32), ptr @resolve_add
define internal i32 @a1(i32 %a, i32 %b) {
  %s = add i32 %a, %b
  ret i32 %s
}
define internal ptr @resolve_add() {
  ret ptr @a1
}
define i32 @main() {
  %r = call i32 @add(i32 1, i32 2)
  ret i32 %r
}
`, []string{"add  i32 (i32, i32) resolve_add"}},
		{"variadic, internal", `@s = internal ifunc double (i32, ...), ptr @r
define internal ptr @r() {
  ret ptr null
}
define double @main() {
  %v = call double (i32, ...) @s(i32 1, double 2.0)
  ret double %v
}
`, []string{"s internal double (i32, ...) r"}},
		{"target_clones: weak_odr, an alias of the ifunc, resolver in a comdat", `$tc.resolver = comdat any
@tc.ifunc = weak_odr dso_local alias i32 (i32), ptr @tc
@tc = weak_odr dso_local ifunc i32 (i32), ptr @tc.resolver
define weak_odr ptr @tc.resolver() comdat {
  ret ptr null
}
`, []string{"tc weak i32 (i32) tc.resolver"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseString("a.ll", tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if err := Verify(m); err != nil {
				t.Fatalf("verify: %v", err)
			}
			check := func(m *Module) {
				var got []string
				for _, i := range m.IFuncs {
					got = append(got, strings.Join([]string{i.Name, i.Linkage.String(), i.Func.Sig.String(), i.Resolver.Name}, " "))
					if m.Lookup(i.Name) != i.Func || !i.Func.IsDeclaration() {
						t.Errorf("@%s looks up %v, want its declaration", i.Name, m.Lookup(i.Name))
					}
					for _, f := range m.Funcs {
						if f == i.Func {
							t.Errorf("@%s's declaration is in Funcs", i.Name)
						}
					}
				}
				if strings.Join(got, "|") != strings.Join(tt.ifuncs, "|") {
					t.Errorf("ifuncs %q, want %q", got, tt.ifuncs)
				}
				for _, a := range m.Aliases {
					if f, ok := a.Target.(*Function); !ok || f != m.IFuncs[0].Func {
						t.Errorf("alias @%s targets %v, want the ifunc", a.Name, a.Target)
					}
				}
				if g := m.Lookup("padd"); g != nil {
					if init := g.(*Global).Init; init != m.IFuncs[0].Func {
						t.Errorf("@padd = %v, want the ifunc's declaration", init)
					}
				}
			}
			check(m)
			lm, _, err := ParseLazy("a.ll", []byte(tt.src))
			if err != nil {
				t.Fatalf("ParseLazy: %v", err)
			}
			check(lm)
			m2, err := ParseString("b.ll", m.String())
			if err != nil {
				t.Fatalf("printed module does not parse: %v\n%s", err, m.String())
			}
			check(m2)
		})
	}
}

// TestParseIFuncErrors: bad ifuncs are refused naming the line and what.
func TestParseIFuncErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"undefined resolver", "@i = ifunc void (), ptr @r\n", "a.ll:1:25: error: ifunc '@i': resolver '@r' is not a function defined in the module"},
		{"declared resolver", "declare ptr @r()\n@i = ifunc void (), ptr @r\n", "a.ll:2:25: error: ifunc '@i': resolver '@r' is a declaration"},
		{"global resolver", "@r = global i32 0\n@i = ifunc void (), ptr @r\n", "a.ll:2:25: error: ifunc '@i': resolver '@r' is not a function"},
		{"own resolver", "@i = ifunc void (), ptr @i\n", "a.ll:1:25: error: ifunc '@i': resolver '@i' is an ifunc"},
		{"not a function type", "define ptr @r() {\n  ret ptr null\n}\n@i = ifunc i32, ptr @r\n", "a.ll:4:12: error: ifunc '@i': expected a function type, found 'i32'"},
		{"vector parameter", "define ptr @r() {\n  ret ptr null\n}\n@i = ifunc void (<4 x float>), ptr @r\n", "a.ll:4:18: error: ifunc '@i': parameter type '<4 x float>' is not supported"},
		{"resolver expression", "define ptr @r() {\n  ret ptr null\n}\n@i = ifunc void (), ptr null\n", "a.ll:4:25: error: ifunc '@i': resolver 'null' is not supported"},
		{"redefinition", "define ptr @r() {\n  ret ptr null\n}\n@i = global i32 0\n@i = ifunc void (), ptr @r\n", "a.ll:5:1: error: redefinition of global '@i'"},
		{"redefined by a function", "@i = ifunc void (), ptr @r\ndefine ptr @r() {\n  ret ptr null\n}\ndefine void @i() {\n  ret void\n}\n", "redefinition"},
		{"extern_weak", "define ptr @r() {\n  ret ptr null\n}\n@i = extern_weak ifunc void (), ptr @r\n", "a.ll:4:1: error: ifunc '@i' cannot have extern_weak linkage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseString("a.ll", tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
