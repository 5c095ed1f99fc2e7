//go:build cgo

package objlayer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestArchiveGeneratorWaitsForPrefetch: Wait returns only when every
// member parsed ahead of need is parsed, so that the archive's bytes (a
// mapping jit.Options.MapInputs releases on Close) are no longer read.
func TestArchiveGeneratorWaitsForPrefetch(t *testing.T) {
	for _, tool := range []string{"gcc", "ar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	const members = 6
	var objs []string
	for m := 0; m < members; m++ {
		var b strings.Builder
		for i := 0; i < 1500; i++ {
			fmt.Fprintf(&b, "int m%d_f%d(int x) { return x * %d + %d; }\n", m, i, i%7+1, m)
		}
		c := filepath.Join(dir, fmt.Sprintf("m%d.c", m))
		o := filepath.Join(dir, fmt.Sprintf("m%d.o", m))
		if err := os.WriteFile(c, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("gcc", "-c", "-O1", "-ffunction-sections", "-o", o, c).CombinedOutput(); err != nil {
			t.Fatalf("gcc: %v\n%s", err, out)
		}
		objs = append(objs, o)
	}
	lib := filepath.Join(dir, "libmany.a")
	if out, err := exec.Command("ar", append([]string{"rcs", lib}, objs...)...).CombinedOutput(); err != nil {
		t.Fatalf("ar: %v\n%s", err, out)
	}
	data, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 5; round++ {
		g, err := NewArchiveGenerator(nil, nil, lib, data)
		if err != nil {
			t.Fatal(err)
		}
		all := make([]int, members)
		for i := range all {
			all[i] = i
		}
		g.mu.Lock()
		g.prefetch(all)
		pre := make([]*parsedMember, 0, members)
		for _, i := range all {
			pre = append(pre, g.pre[i])
		}
		g.mu.Unlock()
		g.Wait()
		for i, p := range pre {
			select {
			case <-p.done:
				if p.err != nil || p.g == nil {
					t.Fatalf("member %d: graph %v, error %v", i, p.g != nil, p.err)
				}
			default:
				t.Fatalf("round %d: member %d still being parsed after Wait", round, i)
			}
		}
	}
}
