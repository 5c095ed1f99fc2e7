package ir

import (
	"strings"
	"testing"
)

// TestLongTokenDiagnostics checks that a parse error about a 50 MB name
// quotes a bounded prefix of it (issue 14, item 9).
func TestLongTokenDiagnostics(t *testing.T) {
	huge := strings.Repeat("a", 50<<20)
	tests := []struct {
		name, src, prefix string
	}{
		{"undefined local", "define double @f() {\nentry:\n  ret double %" + huge + "\n}\n", "t.ll:3:14: error: use of undefined value '%aaaa"},
		{"bad type", "define " + huge + " @f() {\n}\n", "t.ll:1:8: error: expected a type, found 'aaaa"},
		{"unknown instruction", "define void @f() {\nentry:\n  " + huge + " double 1.0\n  ret void\n}\n", "t.ll:3:3: error: unknown or unsupported instruction 'aaaa"},
		{"redefinition", "declare void @" + huge + "()\ndeclare void @" + huge + "()\n", "t.ll:2:14: error: redefinition of '@aaaa"},
		{"integer out of range", "@g = global [" + strings.Repeat("9", 50<<20) + " x i8] zeroinitializer\n", "t.ll:1:14: error: integer 9999"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseString("t.ll", tc.src)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if len(msg) > 200 {
				t.Fatalf("error is %d bytes long: %.200q", len(msg), msg)
			}
			if !strings.HasPrefix(msg, tc.prefix) || !strings.Contains(msg, "bytes)") {
				t.Errorf("error %q, want prefix %q and the name's length", msg, tc.prefix)
			}
		})
	}
}
