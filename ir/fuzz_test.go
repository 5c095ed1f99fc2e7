package ir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzIRParse parses arbitrary text as IR. Parsing must not panic or
// hang; text that parses and verifies must print to text that parses and
// verifies again and prints identically.
func FuzzIRParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.ll")
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<15 {
			return
		}
		m, err := Parse("fuzz.ll", src)
		if err != nil {
			if strings.Contains(err.Error(), "internal parser error") {
				t.Fatal(err)
			}
			return
		}
		if Verify(m) != nil {
			return
		}
		out := m.String()
		m2, err := ParseString("printed.ll", out)
		if err != nil {
			t.Fatalf("printed module does not parse: %v\n%s", err, out)
		}
		if err := Verify(m2); err != nil {
			t.Fatalf("printed module does not verify: %v\n%s", err, out)
		}
		if out2 := m2.String(); out2 != out {
			t.Fatalf("printing is not stable:\n%s\n---\n%s", out, out2)
		}
	})
}
