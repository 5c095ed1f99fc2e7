//go:build cgo

package jit_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
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

// BenchmarkFunc measures the per-call cost of a typed call (jit.Func) of
// double poly(double) in each executor mode. Compare local with
// executor's BenchmarkCall (the call routine alone, and the floor: a plain
// cgo call of a C function doing the same arithmetic) and child/tcp with
// orc/epc's BenchmarkCallRoundTrip (floor-pipe, floor-tcp: a raw
// ping-pong between two processes).
func BenchmarkFunc(b *testing.B) {
	dir := b.TempDir()
	obj := filepath.Join(dir, "poly.o")
	src := filepath.Join(dir, "poly.c")
	os.WriteFile(src, []byte("double poly(double x) { return (x * x + 1.0) * x - 2.0; }\n"), 0o644)
	if out, err := exec.Command("gcc", "-O2", "-c", "-o", obj, src).CombinedOutput(); err != nil {
		b.Fatalf("gcc: %v\n%s", err, out)
	}
	modes := []struct {
		name string
		opts func(b *testing.B) jit.Options
	}{
		{"local", func(*testing.B) jit.Options { return jit.Options{} }},
		{"child", func(*testing.B) jit.Options { return jit.Options{Exec: "child", ExecutorCommand: []string{os.Args[0]}} }},
		{"tcp", func(b *testing.B) jit.Options { return jit.Options{Exec: tcpExecutor(b)} }},
	}
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			ctx := context.Background()
			j, err := jit.New(ctx, m.opts(b))
			if err != nil {
				b.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.AddObjectFile(obj); err != nil {
				b.Fatal(err)
			}
			poly, err := jit.Func[func(float64) float64](j, "poly")
			if err != nil {
				b.Fatal(err)
			}
			if y := poly(2); y != 8 {
				b.Fatalf("poly(2) = %v", y)
			}
			if m.name == "local" {
				for b.Loop() {
					poly(2.5)
				}
				return
			}
			// Remote calls: also the median, which a loaded machine
			// disturbs less than the mean (as orc/epc's benchmarks report).
			var lat []time.Duration
			for b.Loop() {
				t0 := time.Now()
				poly(2.5)
				lat = append(lat, time.Since(t0))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
		})
	}
}
