//go:build cgo

package jit

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestMapFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	big := filepath.Join(dir, "big")
	bigData := bytes.Repeat([]byte("0123456789abcdef"), minMappedInput/16+1)
	if err := os.WriteFile(small, []byte("small input"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, bigData, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path       string
		want       []byte
		wantMapped bool
	}{
		{small, []byte("small input"), false},
		{big, bigData, true},
	} {
		data, mapped, err := mapFile(tc.path)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if mapped != tc.wantMapped || !bytes.Equal(data, tc.want) {
			t.Errorf("%s: mapped %v (want %v), content equal %v", tc.path, mapped, tc.wantMapped, bytes.Equal(data, tc.want))
		}
		// Private mapping: an edit of what was parsed never reaches the file.
		data[0] = 'X'
		if got, _ := os.ReadFile(tc.path); got[0] == 'X' {
			t.Errorf("%s: writing the returned slice changed the file", tc.path)
		}
		if mapped {
			if err := unmap(data); err != nil {
				t.Error(err)
			}
		}
	}
	if _, _, err := mapFile(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing file: error %v, want one naming the file", err)
	}
}

// TestMapInputsLinksInPlace links a large object and an archive holding
// another one with Options.MapInputs, checks the result, that both were
// mapped rather than read, and that Close unmaps them.
func TestMapInputsLinksInPlace(t *testing.T) {
	for _, tool := range []string{"gcc", "ar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	// Two objects with 96 KiB tables each (above minMappedInput).
	gen := func(name string, k int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "const long %s_tab[12288] = {", name)
		for i := 0; i < 12288; i++ {
			fmt.Fprintf(&b, "%d,", i*k)
		}
		fmt.Fprintf(&b, "};\nlong %s_sum(void) { long s = 0; for (int i = 0; i < 12288; i++) s += %s_tab[i]; return s; }\n", name, name)
		return b.String()
	}
	obj := func(name, src string) string {
		c := filepath.Join(dir, name+".c")
		o := filepath.Join(dir, name+".o")
		if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("gcc", "-c", "-O1", "-o", o, c).CombinedOutput(); err != nil {
			t.Fatalf("gcc: %v\n%s", err, out)
		}
		return o
	}
	mainObj := obj("main", gen("a", 1)+"long b_sum(void);\nlong total(void) { return a_sum() + b_sum(); }\n")
	lib := filepath.Join(dir, "libb.a")
	if out, err := exec.Command("ar", "rcs", lib, obj("b", gen("b", 3))).CombinedOutput(); err != nil {
		t.Fatalf("ar: %v\n%s", err, out)
	}
	ctx := context.Background()
	j, err := New(ctx, Options{MapInputs: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{mainObj, lib} {
		if err := j.AddInput(in); err != nil {
			t.Fatal(err)
		}
	}
	total, err := Func[func() int64](j, "total")
	if err != nil {
		t.Fatal(err)
	}
	const n = 12288
	if got, want := total(), int64(4*(n*(n-1)/2)); got != want {
		t.Errorf("total() = %d, want %d", got, want)
	}
	j.mu.Lock()
	mapped := len(j.mappings)
	j.mu.Unlock()
	if mapped != 2 {
		t.Errorf("%d inputs mapped, want 2 (the object and the archive)", mapped)
	}
	if err := j.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if len(j.mappings) != 0 {
		t.Errorf("%d mappings left after Close", len(j.mappings))
	}
}
