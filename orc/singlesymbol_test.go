package orc_test

import (
	"errors"
	"testing"

	"github.com/gorc-jit/gorc/orc"
)

var errTest = errors.New("test failure")

// TestSingleSymbol: a responsibility owning one symbol gives it and its
// flags; one owning several, or none left after delegating, does not.
func TestSingleSymbol(t *testing.T) {
	for _, tc := range []struct {
		names    []string
		delegate string // delegated away before asking
		want     string // "" : not a single symbol
	}{
		{names: []string{"f"}, want: "f"},
		{names: []string{"f", "g"}},
		{names: []string{"f", "g"}, delegate: "g", want: "f"},
	} {
		es := newSession(t)
		jd := mustJD(t, es, "main")
		u := newCtl(es, "u", orc.Exported|orc.Callable, tc.names...)
		if err := jd.Define(u, nil); err != nil {
			t.Fatal(err)
		}
		ch := lookupAsync(es, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.SymbolStateResolved, tc.names[0])
		r := u.take(t)
		if tc.delegate != "" {
			d, err := r.Delegate(es.Intern(tc.delegate))
			if err != nil {
				t.Fatal(err)
			}
			defer d.FailMaterialization(errTest)
		}
		n, f, ok := r.SingleSymbol()
		if ok != (tc.want != "") || (ok && (n.String() != tc.want || f != orc.Exported|orc.Callable)) {
			t.Errorf("%v (delegated %q): SingleSymbol = %v, %v, %v; want %q", tc.names, tc.delegate, n, f, ok, tc.want)
		}
		r.FailMaterialization(errTest)
		wait(t, ch)
	}
}
