package elf

import "testing"

// TestParsePrio: the section names of constructors and destructors and
// their priorities, compared in place (no prefix+"." made per section).
func TestParsePrio(t *testing.T) {
	tests := []struct {
		name, prefix string
		prio         uint32
		ok           bool
	}{
		{".init_array", ".init_array", 65535, true},
		{".init_array.101", ".init_array", 101, true},
		{".init_array.00007", ".init_array", 7, true},
		{".init_array.", ".init_array", 65535, true},      // no number: default priority
		{".init_array.x", ".init_array", 65535, true},     // not a number: default priority
		{".init_array.99999", ".init_array", 65535, true}, // too large: default priority
		{".init_arrayx", ".init_array", 0, false},
		{".init_arra", ".init_array", 0, false},
		{".fini_array.5", ".init_array", 0, false},
		{".ctors.65535", ".ctors", 65535, true},
		{".dtors", ".ctors", 0, false},
		{"", ".ctors", 0, false},
		{".text", ".ctors", 0, false},
	}
	for _, tt := range tests {
		p, ok := parsePrio(tt.name, tt.prefix)
		if p != tt.prio || ok != tt.ok {
			t.Errorf("parsePrio(%q, %q) = %d, %v; want %d, %v", tt.name, tt.prefix, p, ok, tt.prio, tt.ok)
		}
	}
	if n := testing.AllocsPerRun(100, func() { parsePrio(".text.hot", ".init_array") }); n != 0 {
		t.Errorf("parsePrio allocates %v times", n)
	}
}
