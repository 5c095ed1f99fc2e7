package ir

import (
	"errors"
	"strings"
	"testing"
)

// TestParseErrorCaret: a parse error carries its source line, and Caret
// shows it with a caret under the column (tabs kept, long lines cut).
func TestParseErrorCaret(t *testing.T) {
	long := "@g = global i32 0" + strings.Repeat(" ", 200) + "bogus"
	tests := []struct {
		name, src string
		want      string // Error() + "\n" + Caret()
	}{
		{"undefined value", "define double @f() {\nentry:\n  ret double %x\n}\n",
			"t.ll:3:14: error: use of undefined value '%x'\n  ret double %x\n             ^\n"},
		{"tab indent", "define void @f() {\nentry:\n\tfrobnicate double 1.0\n\tret void\n}\n",
			"t.ll:3:2: error: unknown or unsupported instruction 'frobnicate'\n\tfrobnicate double 1.0\n\t^\n"},
		{"first column, CRLF", "declare void @f()\r\nbogus\r\n",
			"t.ll:2:1: error: expected a top-level entity (define, declare, global variable), found 'bogus'\nbogus\n^\n"},
		{"long line", long + "\n",
			"t.ll:1:218: error: expected a top-level entity (define, declare, global variable), found 'bogus'\n..." + long[157:] + "\n" + strings.Repeat(" ", 3+60) + "^\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseString("t.ll", tc.src)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if got := pe.Error() + "\n" + pe.Caret(); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	if c := (&Error{File: "x", Line: 1, Col: 1, Msg: "m"}).Caret(); c != "" {
		t.Errorf("Caret without a source line = %q, want empty", c)
	}
}
