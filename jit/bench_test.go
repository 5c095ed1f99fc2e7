//go:build cgo

package jit_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"gorc/jit"
)

// BenchmarkLinkSQLite links the sqlite driver against Debian's
// libsqlite3.a (everything main needs, without running it): the link half
// of `gorc run -noexec`.
func BenchmarkLinkSQLite(b *testing.B) {
	const lib = "/usr/lib/x86_64-linux-gnu/libsqlite3.a"
	if _, err := os.Stat(lib); err != nil {
		b.Fatalf("%s is required (libsqlite3-dev; run scripts/deps.sh): %v", lib, err)
	}
	dir := b.TempDir()
	obj := filepath.Join(dir, "sqlite.o")
	if out, err := exec.Command("gcc", "-O2", "-c", "-o", obj, "../bench/drivers/sqlite.c").CombinedOutput(); err != nil {
		b.Fatalf("gcc: %v\n%s", err, out)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j, err := jit.New(ctx, jit.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := j.AddObjectFile(obj); err != nil {
			b.Fatal(err)
		}
		if err := j.AddArchive(lib); err != nil {
			b.Fatal(err)
		}
		if err := j.LoadDylib(ctx, "-lm"); err != nil {
			b.Fatal(err)
		}
		if _, err := j.Program(ctx, "main", []string{"sqlite"}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		j.Close(ctx)
		b.StartTimer()
	}
}
