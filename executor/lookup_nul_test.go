//go:build cgo

package executor

import "testing"

// TestLookupSymbolsNUL: a name with a NUL byte in it (the wire carries any
// bytes; an IR file may quote one) names no symbol, and the names after it
// in the same batch still get their own addresses.
func TestLookupSymbolsNUL(t *testing.T) {
	for _, tc := range []struct {
		name  string
		names []string
	}{
		{"NUL inside", []string{"abs\x00x", "puts", "strlen"}},
		{"NUL at the end", []string{"puts\x00", "strlen", "memcpy"}},
		{"only NUL", []string{"\x00", "puts"}},
		{"empty name", []string{"", "puts", "strlen"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := LookupSymbols(0, tc.names)
			for i, n := range tc.names {
				want := oneLookup(0, n)
				for _, c := range []byte(n) {
					if c == 0 {
						want = 0
					}
				}
				if got[i] != want {
					t.Errorf("%q: %v, want %v", n, got[i], want)
				}
			}
		})
	}
}
