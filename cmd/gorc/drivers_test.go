//go:build cgo

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// libDir is where Debian keeps the static libraries the drivers link.
const libDir = "/usr/lib/x86_64-linux-gnu"

// driver is one real-library driver of bench/drivers: a small C program
// linked with one of Debian's static archives.
type driver struct {
	name    string
	src     string   // in bench/drivers
	cflags  []string // include paths
	archive string   // static library, linked by path
	libs    []string // extra -l flags, for both links
	pkg     string   // Debian package that provides the archive
}

var drivers = []driver{
	{name: "sqlite", src: "sqlite.c", archive: "libsqlite3.a", libs: []string{"-lm"}, pkg: "libsqlite3-dev"},
	{name: "lua", src: "lua.c", cflags: []string{"-I/usr/include/lua5.4"}, archive: "liblua5.4.a", libs: []string{"-lm"}, pkg: "liblua5.4-dev"},
	{name: "zlib", src: "zlib.c", archive: "libz.a", pkg: "zlib1g-dev"},
}

// TestDrivers links each driver natively (gcc drv.o lib.a -lm) and through
// `gorc run drv.o lib.a -lm` in every execution mode (local, child,
// child -shm, tcp), and requires identical output and status.
func TestDrivers(t *testing.T) {
	toolPath(t, "gcc")
	if peer := os.Getenv("GORC_CORPUS_PEER"); peer != "" {
		toolPath(t, peer)
	} else {
		gorcBinary(t)
	}
	modes := execModes(t)
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			archive := filepath.Join(libDir, d.archive)
			if _, err := os.Stat(archive); err != nil {
				t.Fatalf("%s is required (Debian package %s; run `make deps`): %v", archive, d.pkg, err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 240*time.Second)
			defer cancel()
			dir := t.TempDir()
			p := program{
				name:    d.name,
				dir:     filepath.Join("..", "..", "bench", "drivers"),
				sources: []string{d.src},
				cflags:  d.cflags,
				link:    append([]string{archive}, d.libs...),
			}
			m := compileMode{name: "O2", cflags: []string{"-O2"}}
			objs, err := buildProgram(ctx, p, m, dir)
			if err != nil {
				t.Fatal(err)
			}
			exe := filepath.Join(dir, "native")
			if err := linkNative(ctx, p, m, objs, exe); err != nil {
				t.Fatal(err)
			}
			native, err := runProcess(ctx, dir, []string{exe}, "")
			if err != nil {
				t.Fatalf("native run: %v", err)
			}
			if native.status != 0 || !strings.Contains(native.stdout, "\n") {
				t.Fatalf("native driver failed:\n%v", native)
			}
			forEachMode(t, modes, func(t *testing.T, em execMode) {
				release, flags := em.acquire(t)
				defer release()
				argv := jitCommand(t, p, objs, flags)
				label := em.label("O2")
				jit, err := runProcess(ctx, dir, argv, "")
				if err != nil {
					report("driver:"+d.name, label, false, err.Error())
					t.Fatalf("JIT run: %v", err)
				}
				if jit == native {
					report("driver:"+d.name, label, true, "")
				} else {
					report("driver:"+d.name, label, false, firstDiff(native, jit))
					t.Errorf("%s differs from the native run\ncommand: %s\n=== native ===\n%v\n=== jit ===\n%v",
						d.name, strings.Join(argv, " "), native, jit)
				}
			})
		})
	}
}
