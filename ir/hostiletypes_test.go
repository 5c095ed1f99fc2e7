package ir

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// typeDAG returns a module whose named types form a DAG n deep, each
// holding its successor twice (%T0 = type { %T1, %T1 }, …): linear text
// whose types' sizes, computed as trees, take 2^n steps. Defined leaves
// first or root first (forward references).
func typeDAG(n int, leavesFirst bool) string {
	var lines []string
	for i := 0; i < n; i++ {
		lines = append(lines, fmt.Sprintf("%%T%d = type { %%T%d, %%T%d }", i, i+1, i+1))
	}
	lines = append(lines, fmt.Sprintf("%%T%d = type { i32 }", n))
	if leavesFirst {
		for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
			lines[i], lines[j] = lines[j], lines[i]
		}
	}
	return strings.Join(lines, "\n") + "\n@g = global ptr null\n"
}

// typeChain returns named types nested n deep through one another.
func typeChain(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%%T%d = type { %%T%d, i32 }\n", i, i+1)
	}
	fmt.Fprintf(&b, "%%T%d = type { i32 }\ndefine i32 @main() {\n  %%a = alloca %%T0\n  ret i32 0\n}\n", n)
	return b.String()
}

// TestHostileNamedTypes: named types that share their members (a DAG)
// or nest deeply through one another parse in time linear in the text,
// and the nesting limit that bounds literal types bounds them too. A
// 42-line DAG of depth 40 used to hang the parser (sizes computed as
// trees: 2^40 steps); a chain of 20,000 took 25 s (quadratic Align in
// each Size).
func TestHostileNamedTypes(t *testing.T) {
	tests := []struct {
		name, src, err string
	}{
		{"dag leaves first", typeDAG(40, true), ""},
		{"dag root first", typeDAG(40, false), ""},
		{"dag too large", typeDAG(70, true), "overflows 64 bits"},
		{"dag too large, forward", typeDAG(70, false), "overflows 64 bits"},
		{"chain at the limit", typeChain(maxTypeDepth - 1), ""},
		{"chain too deep", typeChain(20000), "type '%T0' nests too deeply (limit 256)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t0 := time.Now()
			m, err := ParseString("hostile.ll", tc.src)
			if d := time.Since(t0); d > 5*time.Second {
				t.Errorf("parse took %v", d)
			}
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tc.name[:3] == "dag" {
					if s := m.typeNames["T0"].Size(); s != 4<<40 {
						t.Errorf("size of %%T0 = %d, want %d", s, int64(4)<<40)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want one containing %q", err, tc.err)
			}
		})
	}
}
