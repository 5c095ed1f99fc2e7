package ir

import (
	"strings"
	"testing"
)

// TestParseAliases checks the alias forms clang emits: before and after
// their targets, of functions and variables, aliases of aliases, with
// linkage and the words beside it; uses of an alias are its target.
func TestParseAliases(t *testing.T) {
	const src = `
@_ZN1AC1Ei = dso_local unnamed_addr alias void (ptr, i32), ptr @_ZN1AC2Ei
@w = weak dso_local alias i32 (i32), ptr @real_f
@chain = hidden alias i32 (i32), ptr @w
@v = alias i32, ptr @real_v
@iv = internal alias i32, ptr @real_v
@real_v = global i32 42, align 4

define void @_ZN1AC2Ei(ptr %this, i32 %v) {
  store i32 %v, ptr %this
  ret void
}

define i32 @real_f(i32 %x) {
  %a = load i32, ptr @v
  %r = add i32 %x, %a
  ret i32 %r
}

define i32 @user(ptr %p) {
  call void @_ZN1AC1Ei(ptr %p, i32 1)
  %a = call i32 @chain(i32 2)
  %b = load i32, ptr @iv
  %c = add i32 %a, %b
  ret i32 %c
}
`
	for _, lazy := range []bool{false, true} {
		var m *Module
		var err error
		if lazy {
			var lb *LazyBodies
			m, lb, err = ParseLazy("a.ll", []byte(src))
			if err == nil {
				err = lb.ParseBody(m.Func("user"))
			}
		} else {
			m, err = ParseString("a.ll", src)
		}
		if err != nil {
			t.Fatalf("lazy=%v: %v", lazy, err)
		}
		want := []struct {
			name, target string
			l            Linkage
		}{
			{"_ZN1AC1Ei", "_ZN1AC2Ei", External},
			{"w", "real_f", Weak},
			{"chain", "real_f", External},
			{"v", "real_v", External},
			{"iv", "real_v", Internal},
		}
		if len(m.Aliases) != len(want) {
			t.Fatalf("lazy=%v: %d aliases, want %d", lazy, len(m.Aliases), len(want))
		}
		for i, w := range want {
			a := m.Aliases[i]
			if a.Name != w.name || a.Linkage != w.l || a.Target.Ident() != "@"+w.target {
				t.Errorf("lazy=%v: alias %d = %s %v -> %s, want %s %v -> @%s", lazy, i, a.Name, a.Linkage, a.Target.Ident(), w.name, w.l, w.target)
			}
			if m.Lookup(w.name) != m.Lookup(w.target) {
				t.Errorf("lazy=%v: Lookup(%s) is not its target", lazy, w.name)
			}
		}
		user := m.Func("user")
		var callees []string
		for _, b := range user.Blocks {
			for _, in := range b.Instrs {
				for _, op := range in.Ops {
					switch op.(type) {
					case *Function, *Global:
						callees = append(callees, op.Ident())
					}
				}
			}
		}
		if got := strings.Join(callees, " "); got != "@_ZN1AC2Ei @real_f @real_v" {
			t.Errorf("lazy=%v: user refers to %s, want the targets @_ZN1AC2Ei @real_f @real_v", lazy, got)
		}
		if err := Verify(m); err != nil {
			t.Errorf("lazy=%v: %v", lazy, err)
		}
	}
	// Printed and read back: the same aliases.
	m, err := ParseString("a.ll", src)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := ParseString("b.ll", m.String())
	if err != nil {
		t.Fatalf("printed module does not parse: %v\n%s", err, m.String())
	}
	if len(m2.Aliases) != len(m.Aliases) || m2.Aliases[1].Linkage != Weak || m2.Aliases[2].Target.Ident() != "@real_f" {
		t.Errorf("printed module's aliases differ:\n%s", m2.String())
	}
}

// TestParseAliasErrors checks that bad aliases are refused with an error
// naming the line and what is wrong.
func TestParseAliasErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"undefined target", "@a = alias i32, ptr @nope\n", "a.ll:1:21: error: alias '@a' of undefined global '@nope'"},
		{"cycle", "@g = global i32 0\n@a = alias i32, ptr @b\n@b = alias i32, ptr @a\n", "a.ll:2:1: error: alias '@a' is part of a cycle of aliases"},
		{"self", "@a = alias i32, ptr @a\n", "a.ll:1:1: error: alias '@a' is part of a cycle of aliases"},
		{"declaration target", "declare void @d()\n@a = alias void (), ptr @d\n", "a.ll:2:25: error: alias '@a' of '@d', a declaration"},
		{"external global target", "@e = external global i32\n@a = alias i32, ptr @e\n", "a.ll:2:21: error: alias '@a' of '@e', a declaration"},
		{"redefinition by a global", "@a = alias i32, ptr @g\n@g = global i32 0\n@a = global i32 1\n", "a.ll:1:1: error: redefinition of global '@a'"},
		{"two aliases", "@g = global i32 0\n@a = alias i32, ptr @g\n@a = alias i32, ptr @g\n", "a.ll:3:1: error: redefinition of global '@a'"},
		{"constant expression", "@g = global [2 x i32] zeroinitializer\n@a = alias i32, ptr getelementptr (i8, ptr @g, i64 4)\n", "a.ll:2:21: error: alias '@a': aliasee 'getelementptr' is not supported"},
		{"not a pointer", "@g = global i32 0\n@a = alias i32, i32 @g\n", "a.ll:2:21: error: alias '@a': aliasee must be a pointer"},
		{"no aliasee", "@a = alias i32\n", "expected ','"},
		{"common", "@g = global i32 0\n@a = common alias i32, ptr @g\n", "a.ll:2:1: error: alias '@a' cannot have common linkage"},
		{"ifunc of an undefined resolver", "@i = ifunc void (), ptr @r\n", "a.ll:1:25: error: ifunc '@i': resolver '@r' is not a function defined in the module"},
		{"use of an undefined name beside aliases", "@g = global i32 0\n@a = alias i32, ptr @g\ndefine void @f() {\n  store i32 1, ptr @b\n  ret void\n}\n", "a.ll:4:20: error: use of undefined global '@b'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseString("a.ll", tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if _, _, lerr := ParseLazy("a.ll", []byte(tt.src)); tt.name != "use of an undefined name beside aliases" && (lerr == nil || lerr.Error() != err.Error()) {
				t.Errorf("ParseLazy: %v, want %v", lerr, err)
			}
		})
	}
}
