//go:build cgo

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestRunUnwindsThroughWholeEHFrames: C objects compiled with gcc (one
// .text and a .text.unlikely cold part) have their .eh_frame kept in one
// block of records by the ELF reader. A C++ exception thrown below the C
// frames must unwind through them to main's catch, and _Unwind_Backtrace
// from the innermost C frame must see every C frame (by their FDEs'
// pc_begin), as in the natively linked program; in this process and in a
// child executor.
func TestRunUnwindsThroughWholeEHFrames(t *testing.T) {
	toolPath(t, "gcc")
	toolPath(t, "g++")
	dir := t.TempDir()
	files := map[string]string{
		"mid.c": `#include <stdio.h>
#include <stdlib.h>
#include <unwind.h>
int thrower(int);
static int inner_frames;
static _Unwind_Reason_Code count(struct _Unwind_Context *c, void *arg) {
	void *start = (void *)_Unwind_GetRegionStart(c);
	if (start == arg) inner_frames++;
	return _URC_NO_REASON;
}
__attribute__((cold, noinline)) void bad(int x) { fprintf(stderr, "bad %d\n", x); abort(); }
__attribute__((noinline)) int mid(int n, int k) {
	if (n < 0) bad(n);
	if (n == 0) {
		inner_frames = 0;
		_Unwind_Backtrace(count, (void *)mid);
		printf("mid frames seen by the unwinder: %d\n", inner_frames);
		fflush(stdout);
		return thrower(k);
	}
	int (*volatile self)(int, int) = mid; /* real recursion, not a loop */
	return self(n - 1, k) + 1;
}
`,
		"thr.cc": `#include <stdexcept>
extern "C" __attribute__((noinline)) int thrower(int k) { if (k) throw std::runtime_error("through C"); return 0; }
`,
		"main.cc": `#include <cstdio>
#include <stdexcept>
extern "C" int mid(int, int);
int main() {
	std::printf("no throw: %d\n", mid(4, 0));
	try { mid(6, 1); std::puts("not thrown"); } catch (const std::exception &e) { std::printf("caught %s\n", e.what()); }
	return 0;
}
`,
	}
	var objs []string
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		cc := "g++"
		if filepath.Ext(name) == ".c" {
			cc = "gcc"
		}
		o := p + ".o"
		if out, err := exec.Command(cc, "-O2", "-c", "-o", o, p).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", cc, err, out)
		}
		objs = append(objs, o)
	}
	exe := filepath.Join(dir, "native")
	if out, err := exec.Command("g++", append([]string{"-o", exe}, objs...)...).CombinedOutput(); err != nil {
		t.Fatalf("g++: %v\n%s", err, out)
	}
	want, err := exec.Command(exe).Output()
	if err != nil {
		t.Fatalf("native: %v", err)
	}
	const line = "mid frames seen by the unwinder: 7\n"
	if string(want) != "mid frames seen by the unwinder: 5\nno throw: 4\n"+line+"caught through C\n" {
		t.Fatalf("native output:\n%s", want)
	}
	for _, mode := range [][]string{{"-no-cache"}, {"-no-cache", "-exec", "child"}} {
		r := gorcRun(t, dir, append(append(mode, objs...), "-lstdc++")...)
		if r.status != 0 || r.stdout != string(want) {
			t.Errorf("gorc run %v: %v\nwant stdout\n%s", mode, r, want)
		}
	}
}
