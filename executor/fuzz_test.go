//go:build cgo

package executor

import (
	"strings"
	"testing"
)

// FuzzLinkerScript feeds arbitrary text to the GNU ld script reader used
// for -lNAME: it must return without panicking or hanging, and every
// name it returns must be a token of the input.
func FuzzLinkerScript(f *testing.F) {
	f.Add("/* GNU ld script */\nGROUP ( /lib/x86_64-linux-gnu/libm.so.6  AS_NEEDED ( /lib/x86_64-linux-gnu/libmvec.so.1 ) )\n")
	f.Add("OUTPUT_FORMAT(elf64-x86-64)\nGROUP ( /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libc_nonshared.a  AS_NEEDED ( /lib64/ld-linux-x86-64.so.2 ) )")
	f.Add("INPUT(-lfoo)")
	f.Add("GROUP((((")
	f.Add("/* unterminated")
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range linkerScriptInputs(s) {
			if p == "" || strings.ContainsAny(p, "() \t\n") {
				t.Fatalf("bad name %q from %q", p, s)
			}
		}
	})
}

// FuzzBuildTLSObject checks that the TLS carrier object is well formed
// for any size/alignment: headers inside the file, image where reported.
func FuzzBuildTLSObject(f *testing.F) {
	f.Add(uint64(64), uint64(16), uint64(8))
	f.Add(uint64(1), uint64(1), uint64(0))
	f.Add(uint64(4096), uint64(4096), uint64(4096))
	f.Fuzz(func(t *testing.T, size, align, image uint64) {
		size = size%(1<<16) + 1
		align = 1 << (align % 13)
		image %= size + 1
		so, off, slot := BuildTLSObject(size, align, image, nil)
		if uint64(len(so)) != off+image || off%align != 0 || slot+8 > off {
			t.Fatalf("size %d align %d image %d: file %d bytes, image at %d, slot %d", size, align, image, len(so), off, slot)
		}
	})
}
