//go:build cgo

package lazy_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gorc-jit/gorc/jit"
)

// cxx compiles C++ source to an object with g++.
func cxx(t testing.TB, dir, name, src string) []byte {
	t.Helper()
	c := filepath.Join(dir, name+".cpp")
	o := filepath.Join(dir, name+".o")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("g++", "-c", "-O1", "-fPIC", "-o", o, c).CombinedOutput(); err != nil {
		t.Fatalf("g++: %v\n%s", err, out)
	}
	data, err := os.ReadFile(o)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestLazyExceptionUnwindsThroughLazyCode: a C++ exception thrown in a
// lazily linked function is caught by its eager caller, so the lazily
// linked code's EH frame is registered where the code runs — in-process
// that is a piece of a shared code block (memmgr's code heap).
func TestLazyExceptionUnwindsThroughLazyCode(t *testing.T) {
	dir := t.TempDir()
	thrower := cxx(t, dir, "thrower", `extern "C" int lazy_thrower(int x) { if (x > 0) throw x; return -1; }`)
	host := cxx(t, dir, "host", `extern "C" int lazy_thrower(int);
int main(int argc, char **argv) { try { return lazy_thrower(argc + 41); } catch (int v) { return v; } }`)
	for _, m := range execModes {
		t.Run(m.name, func(t *testing.T) {
			ctx := context.Background()
			j, err := jit.New(ctx, m.opts())
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.LoadDylib(ctx, "-lstdc++"); err != nil {
				t.Fatal(err)
			}
			if err := j.AddLazyObject("thrower.o", thrower); err != nil {
				t.Fatal(err)
			}
			if err := j.AddObject("host.o", host); err != nil {
				t.Fatal(err)
			}
			main, err := j.Lookup(ctx, "main")
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 3; i++ {
				if got, err := j.EPC.RunAsMain(ctx, main, []string{"x"}); err != nil || got != 42 {
					t.Fatalf("run %d: %d, %v; want 42 (caught)", i, got, err)
				}
			}
			if m.name == "local" {
				if st := j.SlabStats(); st.HeapBlocks == 0 {
					t.Errorf("lazily linked code not in the code heap: %+v", st)
				}
			}
		})
	}
}
