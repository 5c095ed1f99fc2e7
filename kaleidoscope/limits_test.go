package kaleidoscope

import (
	"context"
	"strings"
	"testing"
)

// TestLongTokenDiagnostics checks that a diagnostic about a 50 MB token
// quotes a bounded prefix of it (issue 14, item 9).
func TestLongTokenDiagnostics(t *testing.T) {
	huge := strings.Repeat("a", 50<<20)
	digits := strings.Repeat("1.", 25<<20)
	tests := []struct {
		name, src, prefix string
	}{
		{"unknown variable", "def f(x) " + huge + ";", "t.k:1:10: error: unknown variable name 'aaaa"},
		{"unknown function", huge + "(1);", "t.k:1:1: error: unknown function referenced 'aaaa"},
		{"unexpected identifier", "def f(x) g(x " + huge + ");", "t.k:1:14: error: expected ')' or ',' in argument list, found identifier 'aaaa"},
		{"invalid number", digits + ";", "t.k:1:1: error: invalid number '1.1."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, diags, err := Compile(context.Background(), "t", []string{"t.k"}, [][]byte{[]byte(tc.src)})
			if err != nil {
				t.Fatal(err)
			}
			if len(diags) != 1 {
				t.Fatalf("got %d diagnostics, want 1", len(diags))
			}
			msg := diags[0].Error()
			if len(msg) > 200 {
				t.Fatalf("diagnostic is %d bytes long: %.200q", len(msg), msg)
			}
			if !strings.HasPrefix(msg, tc.prefix) || !strings.Contains(msg, "bytes)") {
				t.Errorf("diagnostic %q, want prefix %q and the token's length", msg, tc.prefix)
			}
		})
	}
}
