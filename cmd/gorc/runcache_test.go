//go:build cgo

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runImageResult is one gorc run of the image-cache tests.
type runImageResult struct {
	stdout, stderr string
	code           int
}

// gorcRunIn runs gorc run -cache cache -show-times args in dir.
func gorcRunIn(t *testing.T, dir, cache string, args ...string) runImageResult {
	t.Helper()
	bin := gorcBinary(t) // built before the time limit starts
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	argv := append([]string{"run", "-cache", cache, "-show-times"}, args...)
	cmd := exec.CommandContext(ctx, bin, argv...)
	cmd.Dir = dir
	var so, se strings.Builder
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	if err != nil {
		code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
	}
	return runImageResult{so.String(), se.String(), code}
}

// buildDriver compiles bench/drivers/NAME.c into dir and returns the
// gorc run inputs (the object, the archive, the libraries).
func buildDriver(t *testing.T, d driver, dir string) []string {
	t.Helper()
	archive := filepath.Join(libDir, d.archive)
	if _, err := os.Stat(archive); err != nil {
		t.Skipf("%s is required (Debian package %s): %v", archive, d.pkg, err)
	}
	obj := filepath.Join(dir, d.name+".o")
	args := append([]string{"-O2", "-c", filepath.Join("..", "..", "bench", "drivers", d.src), "-o", obj}, d.cflags...)
	if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %v: %v\n%s", args, err, out)
	}
	return append([]string{obj, archive}, d.libs...)
}

// TestRunImageCacheDrivers: the sqlite, Lua and zlib drivers, linked by
// gorc run with an empty cache (the link is recorded and stored) and
// again (the image is replayed), print the same and exit the same, in
// process, in a child executor and in a child over shared memory.
func TestRunImageCacheDrivers(t *testing.T) {
	toolPath(t, "gcc")
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) {
			dir := t.TempDir()
			inputs := buildDriver(t, d, dir)
			for _, mode := range [][]string{nil, {"-exec", "child"}, {"-exec", "child", "-shm"}} {
				cache := filepath.Join(dir, "cache"+strings.Join(mode, ""))
				args := append(append([]string{}, mode...), inputs...)
				first := gorcRunIn(t, dir, cache, args...)
				if !strings.Contains(first.stderr, "linked image miss") || !strings.Contains(first.stderr, "linked image stored") {
					t.Fatalf("%v: first run did not record the link:\n%s", mode, first.stderr)
				}
				second := gorcRunIn(t, dir, cache, args...)
				if !strings.Contains(second.stderr, "linked image hit") {
					t.Fatalf("%v: second run did not replay the image:\n%s", mode, second.stderr)
				}
				if first.code != 0 || second.code != first.code || second.stdout != first.stdout {
					t.Fatalf("%v: miss exit %d, hit exit %d; stdout\n%s\nvs\n%s\nstderr:\n%s", mode, first.code, second.code, first.stdout, second.stdout, second.stderr)
				}
			}
		})
	}
}

// aslrProgram prints where libc's printf is (through the GOT, so this
// run's libc) and calls into libc and libm.
const aslrProgram = `#include <stdio.h>
#include <math.h>
#include <string.h>
int counter = 41;
static int (*fp)(const char *, ...) = printf;
int main(int argc, char **argv) {
	char buf[32];
	strcpy(buf, "image");
	counter++;
	fp("printf at %p\n", (void *)&printf);
	printf("%s %d %.3f %zu\n", buf, counter, sqrt(2.0 * argc), strlen(argv[0]) > 0);
	return counter - 42;
}
`

// TestRunImageCacheASLR: libc is mapped at another address in every
// process; the replayed image re-resolves every external and still runs,
// and the address the program sees for printf is that run's.
func TestRunImageCacheASLR(t *testing.T) {
	dir := t.TempDir()
	ccObj(t, dir, "aslr", aslrProgram)
	cache := filepath.Join(dir, "cache")
	var printfs []string
	for i := range 3 {
		r := gorcRunIn(t, dir, cache, "aslr.o", "-lm")
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if r.code != 0 || len(lines) != 2 || lines[1] != "image 42 1.414 1" {
			t.Fatalf("run %d: exit %d\nstdout:\n%s\nstderr:\n%s", i, r.code, r.stdout, r.stderr)
		}
		if i > 0 && !strings.Contains(r.stderr, "linked image hit") {
			t.Fatalf("run %d not replayed:\n%s", i, r.stderr)
		}
		printfs = append(printfs, lines[0])
	}
	if printfs[0] == printfs[1] && printfs[1] == printfs[2] {
		t.Logf("libc at the same address in three processes (ASLR off?): %v", printfs)
	}
}

// TestRunImageCacheDamaged: an image entry flipped, truncated or swapped
// with another program's is detected (reported under -show-times), the
// program is linked afresh with the right output, and a good image is
// stored again.
func TestRunImageCacheDamaged(t *testing.T) {
	dir := t.TempDir()
	ccObj(t, dir, "aslr", aslrProgram)
	ccObj(t, dir, "other", "#include <stdio.h>\nint main(void) { puts(\"other\"); return 0; }\n")
	cases := []struct {
		name   string
		damage func(t *testing.T, entry, otherEntry string)
		say    string
	}{
		{"flipped byte", func(t *testing.T, e, _ string) { flipByte(t, e, 0.6) }, "corrupt entry deleted"},
		{"flipped header byte", func(t *testing.T, e, _ string) { flipByte(t, e, 0) }, "corrupt entry deleted"},
		{"truncated", func(t *testing.T, e, _ string) {
			fi, err := os.Stat(e)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(e, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, "corrupt entry deleted"},
		{"swapped with another program's", func(t *testing.T, e, o string) {
			a, err1 := os.ReadFile(e)
			b, err2 := os.ReadFile(o)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			os.WriteFile(e, b, 0o644)
			os.WriteFile(o, a, 0o644)
		}, "stored under key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cache := filepath.Join(t.TempDir(), "cache")
			want := gorcRunIn(t, dir, cache, "aslr.o", "-lm")
			entries := imageEntries(t, cache)
			gorcRunIn(t, dir, cache, "other.o")
			all := imageEntries(t, cache)
			if len(entries) != 1 || len(all) != 2 {
				t.Fatalf("entries %v then %v, want 1 then 2", entries, all)
			}
			otherEntry := all[0]
			if otherEntry == entries[0] {
				otherEntry = all[1]
			}
			tc.damage(t, entries[0], otherEntry)
			r := gorcRunIn(t, dir, cache, "aslr.o", "-lm")
			if !strings.Contains(r.stderr, tc.say) || !strings.Contains(r.stderr, "linked image stored") {
				t.Fatalf("damage not reported (want %q) or image not rebuilt:\n%s", tc.say, r.stderr)
			}
			if r.code != 0 || tail(r.stdout) != tail(want.stdout) {
				t.Fatalf("after damage: exit %d, stdout\n%s\nwant\n%s", r.code, r.stdout, want.stdout)
			}
			r = gorcRunIn(t, dir, cache, "aslr.o", "-lm")
			if !strings.Contains(r.stderr, "linked image hit") || tail(r.stdout) != tail(want.stdout) {
				t.Fatalf("rebuilt image not used:\n%s\n%s", r.stdout, r.stderr)
			}
		})
	}
}

// imageEntries lists the linked-image entries of the cache in dir (not
// the 32-byte file digests remembered beside them).
func imageEntries(t *testing.T, dir string) []string {
	t.Helper()
	var images []string
	for _, e := range cacheEntries(t, dir) {
		if fi, err := os.Stat(e); err == nil && fi.Size() > 1024 {
			images = append(images, e)
		}
	}
	return images
}

// tail drops the first line (the ASLR program's printf address).
func tail(s string) string {
	_, rest, _ := strings.Cut(s, "\n")
	return rest
}

// flipByte flips a byte of the file at fraction at of its length.
func flipByte(t *testing.T, path string, at float64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[int(float64(len(b)-1)*at)] ^= 0x10
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunImageCacheChangedInput: an archive whose member changed (same
// name, same size) is a miss, and the new code runs.
func TestRunImageCacheChangedInput(t *testing.T) {
	toolPath(t, "gcc")
	toolPath(t, "ar")
	dir := t.TempDir()
	build := func(v string) {
		src := "int value(void) { return " + v + "; }\n"
		if err := os.WriteFile(filepath.Join(dir, "lib.c"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, c := range [][]string{{"gcc", "-O2", "-c", "lib.c", "-o", "lib.o"}, {"rm", "-f", "libv.a"}, {"ar", "rcs", "libv.a", "lib.o"}} {
			cmd := exec.Command(c[0], c[1:]...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v: %v\n%s", c, err, out)
			}
		}
	}
	main := "#include <stdio.h>\nint value(void);\nint main(void) { printf(\"%d\\n\", value()); return 0; }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.c"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("gcc", "-O2", "-c", "main.c", "-o", "main.o")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	cache := filepath.Join(dir, "cache")
	build("1")
	if r := gorcRunIn(t, dir, cache, "main.o", "libv.a"); r.stdout != "1\n" {
		t.Fatalf("first: %q\n%s", r.stdout, r.stderr)
	}
	if r := gorcRunIn(t, dir, cache, "main.o", "libv.a"); r.stdout != "1\n" || !strings.Contains(r.stderr, "linked image hit") {
		t.Fatalf("second: %q\n%s", r.stdout, r.stderr)
	}
	build("7")
	r := gorcRunIn(t, dir, cache, "main.o", "libv.a")
	if r.stdout != "7\n" || !strings.Contains(r.stderr, "linked image miss") {
		t.Fatalf("after changing the member: %q\n%s", r.stdout, r.stderr)
	}
}

// TestRunImageCacheDigestMemo: the digest of an input that has not
// changed for a while is remembered and reused; rewriting the input (same
// size) changes its identity, so the new content is hashed and misses.
func TestRunImageCacheDigestMemo(t *testing.T) {
	toolPath(t, "gcc")
	dir := t.TempDir()
	write := func(v string) {
		// 80 KB of data: an object smaller than memoSourcesFrom is
		// hashed at every run, its digest not remembered.
		src := "#include <stdio.h>\nconst char pad[80000] = {1};\nint main(void) { puts(\"" + v + "\"); return pad[0] - 1; }\n"
		if err := os.WriteFile(filepath.Join(dir, "m.c"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("gcc", "-O2", "-c", "m.c", "-o", "m.o")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gcc: %v\n%s", err, out)
		}
		// Old enough for its digest to be remembered.
		old := time.Now().Add(-time.Hour)
		if err := os.Chtimes(filepath.Join(dir, "m.o"), old, old); err != nil {
			t.Fatal(err)
		}
	}
	write("one")
	cache := filepath.Join(dir, "cache")
	for i := range 2 {
		if r := gorcRunIn(t, dir, cache, "m.o"); r.stdout != "one\n" {
			t.Fatalf("run %d: %q\n%s", i, r.stdout, r.stderr)
		}
	}
	// chtimes sets the ctime to now: the digest is remembered only once
	// the ctime is old too, so wait that out before checking the memo.
	time.Sleep(racyWindow + 100*time.Millisecond)
	gorcRunIn(t, dir, cache, "m.o")
	if n := len(cacheEntries(t, cache)) - len(imageEntries(t, cache)); n != 1 {
		t.Fatalf("%d digests remembered, want 1", n)
	}
	if r := gorcRunIn(t, dir, cache, "m.o"); r.stdout != "one\n" || !strings.Contains(r.stderr, "linked image hit") {
		t.Fatalf("with the digest remembered: %q\n%s", r.stdout, r.stderr)
	}
	write("two") // same size, mtime set back to the same hour: the ctime differs
	if r := gorcRunIn(t, dir, cache, "m.o"); r.stdout != "two\n" || !strings.Contains(r.stderr, "linked image miss") {
		t.Fatalf("after rewriting the input: %q\n%s", r.stdout, r.stderr)
	}
}

// TestRunImageCacheTwoWriters: gorc processes linking the same program
// into one empty cache at once all run it right; one good image remains
// and is replayed.
func TestRunImageCacheTwoWriters(t *testing.T) {
	dir := t.TempDir()
	ccObj(t, dir, "aslr", aslrProgram)
	cache := filepath.Join(dir, "cache")
	const writers = 4
	res := make(chan runImageResult, writers)
	for range writers {
		go func() { res <- gorcRunIn(t, dir, cache, "aslr.o", "-lm") }()
	}
	for range writers {
		r := <-res
		if r.code != 0 || !strings.HasSuffix(r.stdout, "image 42 1.414 1\n") {
			t.Errorf("concurrent writer: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	}
	if e := imageEntries(t, cache); len(e) != 1 {
		t.Fatalf("entries %v, want 1", e)
	}
	if r := gorcRunIn(t, dir, cache, "aslr.o", "-lm"); !strings.Contains(r.stderr, "linked image hit") {
		t.Fatalf("not replayed after the race:\n%s", r.stderr)
	}
}

// TestRunImageCacheNotUsed: commands the image does not fit say why
// under -show-times and run as before.
func TestRunImageCacheNotUsed(t *testing.T) {
	dir := t.TempDir()
	ccObj(t, dir, "aslr", aslrProgram)
	cache := filepath.Join(dir, "cache")
	for _, tc := range []struct {
		flag, say string
	}{
		{"-lazy", "linked image not used: -lazy"},
	} {
		r := gorcRunIn(t, dir, cache, tc.flag, "aslr.o", "-lm")
		if r.code != 0 || !strings.Contains(r.stderr, tc.say) {
			t.Errorf("%s: exit %d, want the reason %q:\n%s", tc.flag, r.code, tc.say, r.stderr)
		}
	}
	if e := imageEntries(t, cache); len(e) != 0 {
		t.Errorf("entries %v, want none", e)
	}
}
