//go:build cgo

package epc

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestResolveExternalTLS: the resolve-tls operation over the protocol
// (a child executor) and in-process answer alike: a library's
// thread-local symbols found, in static TLS, in the library's block; a
// name nothing defines not found.
func TestResolveExternalTLS(t *testing.T) {
	dir := t.TempDir()
	src, so := filepath.Join(dir, "l.c"), filepath.Join(dir, "libepctls.so")
	if err := os.WriteFile(src, []byte("__thread int epctls_a = 3;\n__thread long epctls_b[2];\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("gcc", "-O1", "-shared", "-fPIC", "-o", so, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	inproc, err := NewInProcess()
	if err != nil {
		t.Fatal(err)
	}
	defer inproc.Close(ctx)
	for _, c := range []struct {
		name string
		e    ExecutorProcessControl
	}{{"child", spawn(t, nil)}, {"in-process", inproc}} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := c.e.LoadDylib(ctx, so, nil); err != nil {
				t.Fatal(err)
			}
			r, ok := c.e.(ExternalTLSResolver)
			if !ok {
				t.Fatalf("%T is not an ExternalTLSResolver", c.e)
			}
			got, err := r.ResolveExternalTLS(ctx, []string{"epctls_a", "epctls_nothing", "epctls_b"})
			if err != nil {
				t.Fatal(err)
			}
			a, none, b := got[0], got[1], got[2]
			if !a.Found || !a.Static || a.ModuleID == 0 || a.Library != so || a.Why != "" {
				t.Errorf("epctls_a: %+v; want found in static TLS of %s", a, so)
			}
			if !b.Found || b.ModuleID != a.ModuleID || b.Offset == a.Offset || b.TPOffset-int64(b.Offset) != a.TPOffset-int64(a.Offset) {
				t.Errorf("epctls_b: %+v; want another symbol of the block of %+v", b, a)
			}
			if none.Found {
				t.Errorf("epctls_nothing: %+v; want not found", none)
			}
		})
	}
}
