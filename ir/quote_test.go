package ir

import "testing"

// TestQuotedNames checks how names that are not LLVM identifiers are
// spelt (in double quotes, with '"', '\\' and bytes outside printable
// ASCII as \XX), and that the parser reads each spelling back.
func TestQuotedNames(t *testing.T) {
	tests := []struct{ name, want string }{
		{"main", "@main"},
		{"a.b$c-d_1", "@a.b$c-d_1"},
		{"1up", `@"1up"`},
		{"with space", `@"with space"`},
		{`say "hi"`, `@"say \22hi\22"`},
		{`back\slash`, `@"back\5Cslash"`},
		{"tab\there", `@"tab\09here"`},
		{"caf\xc3\xa9", `@"caf\C3\A9"`},
		{"", `@""`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := globalIdent(tt.name); got != tt.want {
				t.Errorf("globalIdent(%q) = %s, want %s", tt.name, got, tt.want)
			}
			if tt.name == "" {
				return
			}
			src := "define i32 " + tt.want + "() {\nentry:\n  ret i32 0\n}\n"
			m, err := Parse("quote.ll", []byte(src))
			if err != nil {
				t.Fatalf("parsing %s: %v", tt.want, err)
			}
			if m.Func(tt.name) == nil {
				t.Errorf("parsing %s did not define a function named %q", tt.want, tt.name)
			}
		})
	}
}
