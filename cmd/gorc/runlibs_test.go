//go:build cgo

package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// TestRunLibrariesBesideInputs: gorc run loads its shared libraries on
// a goroutine while it reads the inputs (libLoader), and adds the
// archives -l names after the inputs, as before. What the command line
// means must not change with it: a shared library and an archive named
// by -l in either order link and run, with and without the linked-image
// cache (whose hit loads the libraries while it copies the image); of
// several missing libraries the first in the command line's order is
// the one reported; a missing library after a good one and before an
// archive is still an error.
func TestRunLibrariesBesideInputs(t *testing.T) {
	toolPath(t, "ar")
	dir := t.TempDir()
	// main uses libm's floor (a shared library) and w() from libw.a.
	main := ccObj(t, dir, "main", `#include <math.h>
int w(void);
volatile double x = 30.7;
int main(void) { return w() + (int)floor(x); }`)
	wo := ccObj(t, dir, "w", `int w(void) { return 12; }`)
	if out, err := exec.Command("ar", "rcs", filepath.Join(dir, "libw.a"), wo).CombinedOutput(); err != nil {
		t.Fatalf("ar: %v\n%s", err, out)
	}
	cache := filepath.Join(dir, "cache")
	cases := []cliCase{
		{name: "dylib then archive", args: []string{"run", "-no-cache", main, "-lm", "-L", dir, "-lw"}, status: 42},
		{name: "archive then dylib", args: []string{"run", "-no-cache", main, "-L", dir, "-lw", "-lm"}, status: 42},
		{name: "cache: first run", args: []string{"run", "-cache", cache, "-show-times", main, "-L", dir, "-lw", "-lm"}, status: 42, stderr: []string{"linked image stored"}},
		{name: "cache: hit", args: []string{"run", "-cache", cache, "-show-times", main, "-L", dir, "-lw", "-lm"}, status: 42, stderr: []string{"linked image hit"}},
		{name: "first missing library reported", args: []string{"run", "-no-cache", main, "-lm", "-lgorc_no_such_one", "-lgorc_no_such_two", "-L", dir, "-lw"},
			status: 1, stderr: []string{"gorc_no_such_one"}, notStderr: []string{"gorc_no_such_two"}},
		{name: "missing library with the cache", args: []string{"run", "-cache", cache, main, "-L", dir, "-lw", "-lgorc_no_such_one", "-lm"},
			status: 1, stderr: []string{"gorc_no_such_one"}},
		{name: "missing .so path", args: []string{"run", "-no-cache", main, "-lm", filepath.Join(dir, "libnone.so"), "-L", dir, "-lw"},
			status: 1, stderr: []string{"libnone.so"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.check(t, gorcCmd(t, dir, c.args...))
		})
	}
}
