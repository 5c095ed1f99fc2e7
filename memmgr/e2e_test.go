//go:build cgo

package memmgr

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest/epclink"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"

	_ "github.com/gorc-jit/gorc/target" // registers the architectures with the ELF reader
)

// This file links real g++ output with gorc's linker into the slab and runs
// it through the executor: C++ exceptions thrown inside libstdc++ and
// caught in JIT'd code (EH-frame registration), a C++ global constructor
// and destructor, atexit, and __thread data read and written by the main
// thread and a pthread (the TLS manager). The result must match the
// natively linked program.

const e2eProgram = `#include <cstdio>
#include <cstdlib>
#include <vector>
#include <stdexcept>
#include <pthread.h>
__thread int tv = 5;
__thread int tz;
static void *thr(void *) { tv += 10; tz = 7; std::printf("thread tv=%d tz=%d\n", tv, tz); return nullptr; }
struct G { G() { std::printf("ctor\n"); } ~G() { std::printf("dtor\n"); } } g;
static void ae() { std::printf("atexit\n"); }
__attribute__((noinline)) int deep(int n) { if (n == 0) throw std::runtime_error("deep"); return deep(n - 1) + 1; }
int main(int argc, char **argv) {
	std::atexit(ae);
	std::vector<int> v(3);
	try { v.at(10) = 1; } catch (const std::out_of_range &) { std::printf("caught out_of_range\n"); }
	try { deep(5); } catch (const std::exception &e) { std::printf("caught %s\n", e.what()); }
	pthread_t t;
	pthread_create(&t, nullptr, thr, nullptr);
	pthread_join(t, nullptr);
	std::printf("main tv=%d tz=%d argc=%d\n", tv, tz, argc);
	return 3;
}
`

// e2eContext returns the context that links one graph into slab against
// the process of e.
func e2eContext(e epc.ExecutorProcessControl, slab *Slab) *jitlinktest.Context {
	lc := epclink.NewContext(e, slab, slab.DSOHandle)
	finalize := lc.Passes
	lc.Passes = func(g *jitlink.LinkGraph, cfg *jitlink.PassConfiguration) error {
		// libgcc's __register_frame reads to a zero terminator, which a
		// static link takes from crtend.o: append one to .eh_frame.
		cfg.PostPrune = append(cfg.PostPrune, terminateEHFrame)
		return finalize(g, cfg)
	}
	return lc
}

// terminateEHFrame appends a zero-length terminator to g's .eh_frame.
func terminateEHFrame(g *jitlink.LinkGraph) error {
	for _, s := range g.Sections {
		if s.Has(jitlink.SectionEHFrame) && len(s.Blocks) > 0 {
			var last uint64
			for _, b := range s.Blocks {
				last = max(last, b.Ordinal)
			}
			b := g.AddContentBlock(s, make([]byte, 4), 1, 0)
			b.Ordinal = last + 1
			g.AddAnonymousSymbol(b, 0, 4).Live = true
		}
	}
	return nil
}

func TestEndToEndGxx(t *testing.T) {
	gxx, err := exec.LookPath("g++")
	if err != nil {
		t.Fatal("g++ is needed for this test (run scripts/deps.sh): ", err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "p.cc")
	os.WriteFile(src, []byte(e2eProgram), 0o644)
	cases := []struct {
		flags []string
		mode  string // local, child-shm (code through shared memory), child-copy (through the stream)
	}{
		{[]string{"-O0"}, "local"},
		{[]string{"-O2"}, "local"},
		{[]string{"-O2", "-fPIC"}, "local"},
		{[]string{"-O2"}, "child-shm"},
		{[]string{"-O2", "-fPIC"}, "child-copy"},
	}
	// Each flag set is compiled (object and native program) once.
	type built struct {
		once sync.Once
		obj  string
		want []byte
		err  error
	}
	var mu sync.Mutex
	builds := map[string]*built{}
	build := func(t *testing.T, flags []string) (string, []byte) {
		key := strings.Join(flags, "")
		mu.Lock()
		b := builds[key]
		if b == nil {
			b = &built{}
			builds[key] = b
		}
		mu.Unlock()
		b.once.Do(func() {
			b.obj = filepath.Join(dir, key+".o")
			exe := filepath.Join(dir, key+".exe")
			if out, err := exec.Command(gxx, append(flags, "-c", "-o", b.obj, src)...).CombinedOutput(); err != nil {
				b.err = fmt.Errorf("g++ -c: %v\n%s", err, out)
				return
			}
			if out, err := exec.Command(gxx, append(flags, "-o", exe, src, "-pthread")...).CombinedOutput(); err != nil {
				b.err = fmt.Errorf("g++: %v\n%s", err, out)
				return
			}
			native := exec.Command(exe, "x", "y")
			b.want, b.err = native.Output()
			if code := native.ProcessState.ExitCode(); code != 3 {
				b.err = fmt.Errorf("native program exited %d: %v", code, b.err)
			} else {
				b.err = nil
			}
		})
		if b.err != nil {
			t.Fatal(b.err)
		}
		return b.obj, b.want
	}
	for _, tc := range cases {
		name := strings.Join(tc.flags, "") + "-" + tc.mode
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			obj, want := build(t, tc.flags)
			cmd := exec.Command(os.Args[0], "-test.run=^TestEndToEndHelper$")
			cmd.Env = append(os.Environ(), "GORC_E2E_OBJ="+obj, "GORC_E2E_MODE="+tc.mode)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			got, _ := cmd.Output()
			if code := cmd.ProcessState.ExitCode(); code != 3 || string(got) != string(want) {
				t.Fatalf("JIT'd run: exit %d, stdout\n%s\nwant exit 3, stdout\n%s\nstderr:\n%s", code, got, want, stderr.String())
			}
		})
	}
}

func TestEndToEndHelper(t *testing.T) {
	objPath := os.Getenv("GORC_E2E_OBJ")
	if objPath == "" {
		t.Skip("helper process for TestEndToEndGxx")
	}
	ctx := context.Background()
	data, err := os.ReadFile(objPath)
	if err != nil {
		t.Fatal(err)
	}
	var e epc.ExecutorProcessControl
	var mapper Mapper
	switch mode := os.Getenv("GORC_E2E_MODE"); mode {
	case "", "local":
		ip, err := epc.NewInProcess()
		if err != nil {
			t.Fatal(err)
		}
		e = ip
		mapper, _ = NewInProcessMapper(ip)
	case "child-shm", "child-copy":
		r := spawnExecutor(t, os.Stdout)
		e = r
		if mode == "child-shm" {
			mapper, err = NewSharedMemoryMapper(r)
			if err != nil {
				t.Fatal(err)
			}
		} else {
			mapper = NewCopyMapper(r)
		}
	default:
		t.Fatalf("unknown mode %q", mode)
	}
	for _, lib := range []string{"-lstdc++", "-lm", "-lgcc_s"} {
		if _, err := e.LoadDylib(ctx, lib, nil); err != nil {
			t.Fatal(err)
		}
	}
	slab, _ := NewSlab(mapper, SlabOptions{Size: 64 << 20})
	lc := e2eContext(e, slab)
	g, err := elf.Parse(filepath.Base(objPath), data)
	if err != nil {
		t.Fatal(err)
	}
	if err := jitlink.Link(ctx, g, lc); err != nil {
		t.Fatal(err)
	}
	var inits, finis []shared.ExecutorAddr
	for _, f := range g.Inits {
		inits = append(inits, f.Fn)
	}
	for _, f := range g.Finis {
		finis = append(finis, f.Fn)
	}
	st, err := e.RunProgram(ctx, epc.Program{Main: lc.Resolved["main"], Args: append([]string{"prog"}, e2eArgs()...), Inits: inits, Finis: finis})
	if err != nil {
		t.Fatal(err)
	}
	// Remote: the executor ran the program and exited with its status;
	// end this (controller) process the same way.
	os.Exit(st)
}

func e2eArgs() []string {
	if a := os.Getenv("GORC_E2E_ARGS"); a != "" {
		return strings.Fields(a)
	}
	return []string{"x", "y"}
}
