package lazy

import (
	"context"
	"iter"
	"slices"
	"testing"
)

// TestWalkCallees: breadth first from the roots, each name once, skipped
// names not counted against max nor their callees followed, the walk
// ending at max accepted names with the unvisited queue returned.
func TestWalkCallees(t *testing.T) {
	calls := map[string][]string{
		"a": {"b", "c"}, "b": {"d", "a"}, "c": {"d", "e"}, "d": {"f"}, "e": nil, "f": nil, "x": {"y"},
	}
	tests := []struct {
		name       string
		roots      []string
		max        int
		skip       []string
		took, rest []string
	}{
		{"all", []string{"a"}, 10, nil, []string{"a", "b", "c", "d", "e", "f"}, nil},
		{"bounded", []string{"a"}, 3, nil, []string{"a", "b", "c"}, []string{"d", "d", "e"}},
		{"skipped not counted, callees not followed", []string{"a", "x"}, 10, []string{"c", "x"}, []string{"a", "b", "d", "f"}, nil},
		{"duplicate roots", []string{"e", "e", "f"}, 10, nil, []string{"e", "f"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var took []string
			rest := WalkCallees(context.Background(), tt.roots, tt.max, func(n string) (iter.Seq[string], bool) {
				if slices.Contains(tt.skip, n) {
					return nil, false
				}
				took = append(took, n)
				return slices.Values(calls[n]), true
			})
			if !slices.Equal(took, tt.took) || !slices.Equal(rest, tt.rest) {
				t.Errorf("took %v rest %v, want %v and %v", took, rest, tt.took, tt.rest)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rest := WalkCallees(ctx, []string{"a"}, 10, func(string) (iter.Seq[string], bool) {
		t.Fatal("visited after the context ended")
		return nil, false
	})
	if !slices.Equal(rest, []string{"a"}) {
		t.Errorf("rest after cancel = %v, want [a]", rest)
	}
}
