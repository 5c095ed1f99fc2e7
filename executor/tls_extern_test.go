//go:build cgo

package executor

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// buildTLSLib compiles a shared library defining the given C source
// (with __thread variables) and dlopens it (RTLD_GLOBAL, as LoadDylib).
func buildTLSLib(t testing.TB, name, src string) string {
	t.Helper()
	dir := t.TempDir()
	c := filepath.Join(dir, name+".c")
	so := filepath.Join(dir, "lib"+name+".so")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("gcc", "-O1", "-shared", "-fPIC", "-o", so, c).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	if _, err := Dlopen(so); err != nil {
		t.Fatal(err)
	}
	return so
}

// tlsAddrHere returns the address of thread-local symbol name in the
// calling OS thread (dlsym) minus its thread pointer, and the int32 there.
func tlsAddrHere(t *testing.T, name string) (int64, int32) {
	a := Dlsym(0, name)
	if a == 0 {
		t.Fatalf("dlsym %s failed", name)
	}
	m := make([]byte, 4)
	f, err := os.Open("/proc/self/mem")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.ReadAt(m, int64(a)); err != nil {
		t.Fatal(err)
	}
	return int64(uint64(a) - ThreadPointer()), int32(binary.LittleEndian.Uint32(m))
}

func TestResolveExternalTLSStatic(t *testing.T) {
	so := buildTLSLib(t, "dsotls1", "__thread int dsotls1_pad[3] = {1,2,3};\n__thread int dsotls1_a = 7;\n__thread long dsotls1_b;\n")
	// A thread that exists before the module moves to static TLS.
	ready, check, done := make(chan struct{}), make(chan struct{}), make(chan [2]int64)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		close(ready)
		<-check
		off, v := tlsAddrHere(t, "dsotls1_a")
		done <- [2]int64{off, int64(v)}
	}()
	<-ready
	r, err := ResolveExternalTLS("dsotls1_a")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Found || !r.Static || r.ModuleID == 0 || r.Library != so || r.Offset > 20 {
		t.Fatalf("got %+v; want found, static, module id, library %s, offset in .tdata", r, so)
	}
	if r2, err := ResolveExternalTLS("dsotls1_a"); err != nil || r2 != r {
		t.Fatalf("second resolve: %+v, %v; want the cached %+v", r2, err, r)
	}
	b, err := ResolveExternalTLS("dsotls1_b")
	if err != nil || !b.Static || b.ModuleID != r.ModuleID || b.TPOffset-int64(b.Offset) != r.TPOffset-int64(r.Offset) {
		t.Fatalf("dsotls1_b: %+v, %v; want the same module block as %+v", b, err, r)
	}
	pad, err := ResolveExternalTLS("dsotls1_pad")
	if err != nil || pad.Offset == r.Offset || pad.TPOffset-int64(pad.Offset) != r.TPOffset-int64(r.Offset) {
		t.Fatalf("dsotls1_pad: %+v, %v; want another offset in the block of %+v", pad, err, r)
	}
	runtime.LockOSThread()
	off, v := tlsAddrHere(t, "dsotls1_a")
	runtime.UnlockOSThread()
	if off != r.TPOffset || v != 7 {
		t.Errorf("this thread: tp offset %d value %d; want %d and 7", off, v, r.TPOffset)
	}
	close(check)
	if got := <-done; got != [2]int64{r.TPOffset, 7} {
		t.Errorf("a thread that existed before: tp offset %d value %d; want %d and 7", got[0], got[1], r.TPOffset)
	}
	// New threads.
	for i := 0; i < 4; i++ {
		ch := make(chan [2]int64)
		go func() {
			runtime.LockOSThread() // (the thread ends with the goroutine)
			off, v := tlsAddrHere(t, "dsotls1_a")
			ch <- [2]int64{off, int64(v)}
		}()
		if got := <-ch; got != [2]int64{r.TPOffset, 7} {
			t.Errorf("new thread: tp offset %d value %d; want %d and 7", got[0], got[1], r.TPOffset)
		}
	}
}

func TestResolveExternalTLSDynamic(t *testing.T) {
	buildTLSLib(t, "dsotls2", "__thread int dsotls2_x = 5;\n")
	big := buildTLSLib(t, "dsotls3", "__thread char dsotls3_big[1<<16] = {9};\n")
	// A dlsym of a TLS symbol allocates the module's block dynamically in
	// this thread (__tls_get_addr): glibc never moves it to static TLS after.
	if Dlsym(0, "dsotls2_x") == 0 {
		t.Fatal("dlsym dsotls2_x")
	}
	for _, c := range []struct{ name, lib string }{{"dsotls2_x", "dsotls2"}, {"dsotls3_big", big}} {
		r, err := ResolveExternalTLS(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Found || r.Static || r.ModuleID == 0 || r.Offset != 0 || !strings.Contains(r.Library, c.lib) {
			t.Fatalf("%s: got %+v; want found, dynamic, offset 0, library %s", c.name, r, c.lib)
		}
		want := "allocated dynamically"
		if c.name == "dsotls3_big" {
			want = StaticTLSTunable
		}
		if !strings.Contains(r.Why, "static TLS") || !strings.Contains(r.Why, want) {
			t.Errorf("%s: Why %q does not say what failed (%s)", c.name, r.Why, want)
		}
	}
}

func TestResolveExternalTLSMissing(t *testing.T) {
	r, err := ResolveExternalTLS("gorc_no_such_tls_symbol")
	if err != nil || r.Found {
		t.Fatalf("got %+v, %v; want not found, no error", r, err)
	}
	if _, err := ResolveExternalTLS(""); err == nil {
		t.Error("empty name: no error")
	}
}

// BenchmarkResolveExternalTLS measures one uncached resolution (a carrier
// written, dlopened with its three relocations, read and closed) of a
// symbol of a library already in static TLS: what the first link of an
// object referring to it pays in the executor.
func BenchmarkResolveExternalTLS(b *testing.B) {
	buildTLSLib(b, "dsotlsb", "__thread int dsotlsb_v = 1;\n")
	if _, err := ResolveExternalTLS("dsotlsb_v"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		extTLSMu.Lock()
		delete(extTLS, "dsotlsb_v")
		extTLSMu.Unlock()
		if r, err := ResolveExternalTLS("dsotlsb_v"); err != nil || !r.Static {
			b.Fatal(r, err)
		}
	}
}
