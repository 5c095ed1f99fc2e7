package amd64

import (
	"bytes"
	"debug/elf"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// TestAliasSymbols checks that an object defines each external or weak
// alias as a symbol at its target's section and offset, with the alias's
// binding, that internal aliases name no symbol, and that an alias of a
// function linked under VectorABISuffix is linked under it too. An
// object of some functions only (a lazy partition) defines none.
func TestAliasSymbols(t *testing.T) {
	const src = `
@f1 = alias i32 (i32), ptr @f
@fw = weak alias i32 (i32), ptr @f
@fi = internal alias i32 (i32), ptr @f
@gv = alias i32, ptr @g
@st = alias i32 (i32), ptr @s
@va = alias <4 x float> (<4 x float>), ptr @vf
@g = global i32 7
define i32 @pad(i32 %x) {
  ret i32 %x
}
define i32 @f(i32 %x) {
  %y = add i32 %x, 1
  ret i32 %y
}
define internal i32 @s(i32 %x) {
  %y = call i32 @fi(i32 %x)
  ret i32 %y
}
define <4 x float> @vf(<4 x float> %x) {
  ret <4 x float> %x
}
`
	m, err := ir.ParseString("a.ll", src)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := Compile(m, Options{SourceName: "a.ll"})
	if err != nil {
		t.Fatal(err)
	}
	ef, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	syms, err := ef.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]elf.Symbol{}
	for _, s := range syms {
		byName[s.Name] = s
	}
	for _, tt := range []struct {
		alias, target string
		bind          elf.SymBind
	}{
		{"f1", "f", elf.STB_GLOBAL},
		{"fw", "f", elf.STB_WEAK},
		{"gv", "g", elf.STB_GLOBAL},
		{"st", "s", elf.STB_GLOBAL},
		{"va" + ir.VectorABISuffix, "vf" + ir.VectorABISuffix, elf.STB_GLOBAL},
	} {
		a, ok := byName[tt.alias]
		if !ok {
			t.Errorf("no symbol %s", tt.alias)
			continue
		}
		s := byName[tt.target]
		if a.Section != s.Section || a.Value != s.Value || a.Size != s.Size || a.Section == elf.SHN_UNDEF {
			t.Errorf("%s: section %d value %#x size %d, want %s's %d %#x %d", tt.alias, a.Section, a.Value, a.Size, tt.target, s.Section, s.Value, s.Size)
		}
		if elf.ST_BIND(a.Info) != tt.bind || elf.ST_TYPE(a.Info) != elf.ST_TYPE(s.Info) {
			t.Errorf("%s: bind %v type %v, want %v %v", tt.alias, elf.ST_BIND(a.Info), elf.ST_TYPE(a.Info), tt.bind, elf.ST_TYPE(s.Info))
		}
	}
	if _, ok := byName["fi"]; ok {
		t.Errorf("internal alias fi has a symbol")
	}
	if _, ok := byName["va"]; ok {
		t.Errorf("alias va of a vector-ABI function is linked under its plain name")
	}
	// A partition (Options.Only) defines no alias.
	part, err := Compile(m, Options{SourceName: "a.ll", Only: []*ir.Function{m.Func("f")}})
	if err != nil {
		t.Fatal(err)
	}
	pf, err := elf.NewFile(bytes.NewReader(part))
	if err != nil {
		t.Fatal(err)
	}
	psyms, _ := pf.Symbols()
	for _, s := range psyms {
		if s.Name == "f1" || s.Name == "fw" {
			t.Errorf("partition of @f defines alias %s", s.Name)
		}
	}
}
