package ir

import (
	"strings"
	"testing"
)

// TestReuseFunction: a removed declaration becomes the new function in
// its own memory when its parameter array has room, and anything else
// (no function, one with a body, too few parameters) gets a new one; the
// result is what NewFunction makes either way.
func TestReuseFunction(t *testing.T) {
	sig := func(n int) *Type {
		ps := make([]*Type, n)
		for i := range ps {
			ps[i] = F64
		}
		return FuncType(F64, ps, false)
	}
	tests := []struct {
		name     string
		old      int  // parameters of the function reused (-1: none)
		body     bool // it still has a body
		params   int  // parameters of the new one
		reused   bool
		taken    bool // the new name is taken
		paramNms []string
	}{
		{name: "same count", old: 2, params: 2, reused: true},
		{name: "fewer", old: 3, params: 1, reused: true, paramNms: []string{"a"}},
		{name: "none", old: 2, params: 0, reused: true},
		{name: "more", old: 1, params: 2},
		{name: "nil", old: -1, params: 1},
		{name: "with a body", old: 1, body: true, params: 1},
		{name: "name taken", old: 1, params: 1, taken: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := NewModule("src")
			var old *Function
			if tc.old >= 0 {
				var err error
				if old, err = src.NewFunction("old", sig(tc.old), []string{"p", "q", "r"}); err != nil {
					t.Fatal(err)
				}
				old.Attrs = []string{"nounwind"}
				old.Linkage = Internal
				if tc.body {
					b := NewBuilder()
					b.SetInsertPoint(old.NewBlock("entry"))
					b.Ret(old.Params[0])
				}
				src.RemoveFunc(old)
			}
			m := NewModule("m")
			if tc.taken {
				if _, err := m.NewFunction("f", sig(0), nil); err != nil {
					t.Fatal(err)
				}
			}
			f, err := m.ReuseFunction(old, "f", sig(tc.params), tc.paramNms)
			if tc.taken {
				if err == nil || !strings.Contains(err.Error(), "@f") {
					t.Fatalf("error %v, want a redefinition of @f", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := f == old; got != tc.reused {
				t.Errorf("reused %v, want %v", got, tc.reused)
			}
			want, _ := NewModule("w").NewFunction("f", sig(tc.params), tc.paramNms)
			if f.String() != want.String() || f.Linkage != External || f.Attrs != nil || !f.IsDeclaration() {
				t.Errorf("got %s (linkage %v, attrs %v), want %s", f, f.Linkage, f.Attrs, want)
			}
			if m.Func("f") != f || len(m.Funcs) != 1+btoi(tc.taken) || f.Module != m {
				t.Errorf("f is not m's function")
			}
			for i, p := range f.Params {
				if p.Index != i || p.Func != f || p.Typ != F64 {
					t.Errorf("parameter %d: %+v", i, p)
				}
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
