package ir

import (
	"slices"
	"testing"
)

// TestDirectCallees: each direct call's callee in order, once per call;
// calls through a pointer and non-call uses of a function are not
// yielded, and stopping early stops the walk.
func TestDirectCallees(t *testing.T) {
	m, err := ParseString("callees.ll", `
declare double @sin(double)
define double @g(double %x) {
  ret double %x
}
define double @f(double %x, ptr %p) {
entry:
  %a = call double @g(double %x)
  %b = call double %p(double %a)
  br label %next
next:
  %c = call double @sin(double %b)
  %d = call double @g(double %c)
  store ptr @g, ptr %p
  ret double %d
}
`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for c := range m.Func("f").DirectCallees() {
		got = append(got, c.Name)
	}
	if want := []string{"g", "sin", "g"}; !slices.Equal(got, want) {
		t.Errorf("callees of f = %v, want %v", got, want)
	}
	n := 0
	for range m.Func("f").DirectCallees() {
		n++
		break
	}
	if n != 1 {
		t.Errorf("break after the first callee: %d yielded", n)
	}
	for c := range m.Func("g").DirectCallees() {
		t.Errorf("g calls nothing, got %s", c.Name)
	}
}
