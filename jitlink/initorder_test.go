package jitlink_test

import (
	"fmt"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
)

func TestSortInitializers(t *testing.T) {
	type ent struct {
		name string
		pre  bool
		prio uint32
	}
	tests := []struct {
		name         string
		inits, finis []ent // layout order
		wantI, wantF string
	}{
		{"layout order kept without priorities",
			[]ent{{"a", false, 65535}, {"b", false, 65535}, {"c", false, 65535}},
			[]ent{{"x", false, 65535}, {"y", false, 65535}},
			"[a b c]", "[y x]"},
		{"preinit first, then ascending priority",
			[]ent{{"a", false, 65535}, {"b", false, 101}, {"p", true, 65535}, {"c", false, 200}, {"d", false, 101}},
			nil,
			"[p b d c a]", "[]"},
		{"finis: highest priority and last laid out first",
			nil,
			[]ent{{"x", false, 65535}, {"y", false, 101}, {"z", false, 65535}, {"w", false, 101}},
			"[]", "[z x w y]"},
	}
	names := func(es []ent) string {
		s := make([]string, len(es))
		for i, e := range es {
			s[i] = e.name
		}
		return fmt.Sprint(s)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]ent(nil), tc.inits...)
			fi := append([]ent(nil), tc.finis...)
			jitlink.SortInitializers(in, fi, func(e ent) bool { return e.pre }, func(e ent) uint32 { return e.prio })
			if got := names(in); got != tc.wantI {
				t.Errorf("inits %s, want %s", got, tc.wantI)
			}
			if got := names(fi); got != tc.wantF {
				t.Errorf("finis %s, want %s", got, tc.wantF)
			}
		})
	}
}
