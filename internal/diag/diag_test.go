package diag

import (
	"errors"
	"strings"
	"testing"
)

type str string

func (s str) String() string { return string(s) }

func TestClip(t *testing.T) {
	long := strings.Repeat("a", 50<<20)
	tests := []struct {
		name, in, want string
	}{
		{"short", "abc", "abc"},
		{"exact", strings.Repeat("b", MaxQuote), strings.Repeat("b", MaxQuote)},
		{"long", long, strings.Repeat("a", MaxQuote) + "…(52428800 bytes)"},
		{"utf8 boundary", strings.Repeat("a", MaxQuote-1) + "é" + "zz", strings.Repeat("a", MaxQuote-1) + "…(67 bytes)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Clip(tc.in); got != tc.want {
				t.Errorf("Clip = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestClipArgs(t *testing.T) {
	long := strings.Repeat("x", 1000)
	err := errors.New(long)
	args := []any{1, "short", long, str(long), err}
	got := ClipArgs(args)
	if got[0] != 1 || got[1] != "short" || got[4] != err {
		t.Errorf("unchanged arguments changed: %v", got)
	}
	for _, i := range []int{2, 3} {
		if s, _ := got[i].(string); len(s) > MaxQuote+32 {
			t.Errorf("argument %d not clipped: %d bytes", i, len(s))
		}
	}
	if args[2] != long {
		t.Error("ClipArgs changed its input slice")
	}
}
