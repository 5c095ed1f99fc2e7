package ir

import "testing"

// TestNewFunctionAllocs: a function of up to smallParams parameters is
// allocated with them (as many allocations as one without parameters),
// and its parameters are numbered, named and point back at it; one with
// more gets its own arrays.
func TestNewFunctionAllocs(t *testing.T) {
	sig := func(n int) *Type {
		ps := make([]*Type, n)
		for i := range ps {
			ps[i] = F64
		}
		return FuncType(F64, ps, false)
	}
	make1 := func(n int) func() {
		s := sig(n)
		return func() {
			m := NewModule("m")
			if _, err := m.NewFunction("f", s, []string{"a", "b", "c"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	none := testing.AllocsPerRun(50, make1(0))
	for _, n := range []int{1, smallParams} {
		if got := testing.AllocsPerRun(50, make1(n)); got != none && !raceEnabled {
			t.Errorf("a function of %d parameters: %v allocations, want %v (as for none)", n, got, none)
		}
	}
	for _, n := range []int{0, 1, 2, 3, 5} {
		m := NewModule("m")
		f, err := m.NewFunction("f", sig(n), []string{"a", "b", "c"})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Params) != n {
			t.Fatalf("%d parameters, want %d", len(f.Params), n)
		}
		for i, p := range f.Params {
			want := ""
			if i < 3 {
				want = []string{"a", "b", "c"}[i]
			}
			if p.Index != i || p.Func != f || p.Typ != F64 || p.Name != want {
				t.Errorf("n=%d: parameter %d is %+v", n, i, *p)
			}
		}
		if m.Func("f") != f {
			t.Errorf("n=%d: the module does not find f", n)
		}
	}
}

// TestOperandSlots: up to three slots come from the instruction's own
// storage, cleared, without an allocation; more are a new array.
func TestOperandSlots(t *testing.T) {
	var in Instr
	for n := 0; n <= 5; n++ {
		in.opsBuf = [3]Value{True, True, True}
		var ops []Value
		allocs := testing.AllocsPerRun(10, func() { ops = in.OperandSlots(n) })
		if len(ops) != n || cap(ops) != n {
			t.Fatalf("OperandSlots(%d): len %d cap %d", n, len(ops), cap(ops))
		}
		for i, v := range ops {
			if v != nil {
				t.Errorf("OperandSlots(%d)[%d] = %v, want nil", n, i, v)
			}
		}
		inline := n > 0 && &ops[0] == &in.opsBuf[0]
		if n <= 3 && ((allocs != 0 && !raceEnabled) || (n > 0 && !inline)) {
			t.Errorf("OperandSlots(%d): %v allocations, inline storage %v; want none and the inline storage", n, allocs, inline)
		}
		if n > 3 && inline {
			t.Errorf("OperandSlots(%d) returned the three inline slots", n)
		}
	}
}
