//go:build cgo

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest/epclink"
	"github.com/gorc-jit/gorc/memmgr"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"

	_ "github.com/gorc-jit/gorc/target" // registers the architectures with the ELF reader
)

// The program reads and writes libc data (stdout, stderr, optind, optarg,
// environ) PC-relatively, as gcc's default PIE code does, uses TLS and
// constructors. With the slab below 2 GiB, libc is far out of reach and
// every such access goes through the linker's far-data slots and thunks.
const program = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <getopt.h>
extern char **environ;
__thread int tcount = 2;
static __thread char tbuf[32];
static int order;
__attribute__((constructor(150))) static void c1(void) { order = order * 10 + 1; }
__attribute__((constructor)) static void c2(void) { order = order * 10 + 2; }
__attribute__((destructor)) static void d1(void) { printf("dtor order=%d\n", order); fflush(stdout); }
int main(int argc, char **argv) {
	int opt, a = 0;
	char *bval = "none";
	while ((opt = getopt(argc, argv, "ab:")) != -1) {
		if (opt == 'a') a++;
		else if (opt == 'b') bval = optarg;
	}
	int n = 0;
	for (char **e = environ; *e; e++) if (strncmp(*e, "E2E_", 4) == 0) n++;
	tcount += a;
	snprintf(tbuf, sizeof tbuf, "t%d", tcount);
	fprintf(stdout, "a=%d b=%s optind=%d rest=%s env=%d %s order=%d\n", a, bval, optind, optind < argc ? argv[optind] : "-", n, tbuf, order);
	fputs("to stderr\n", stderr);
	if (stdout == stderr) return 99;
	return a + 40;
}
`

// cxxProgram uses libstdc++ data (std::cout, typeinfo) PC-relatively in
// PIE code, exceptions thrown inside libstdc++, C++ globals and thread_local.
const cxxProgram = `#include <iostream>
#include <vector>
#include <stdexcept>
#include <string>
struct G { std::string s; G() : s("global") { std::cout << "ctor\n"; } ~G() { std::cout << "dtor " << s << "\n"; } } g;
thread_local int tl = 3;
struct B { virtual ~B() {} virtual int f() { return 1; } };
struct D : B { int f() override { return 2; } };
int main(int argc, char **argv) {
	std::vector<int> v(2);
	try { v.at(5) = 1; } catch (const std::out_of_range &e) { std::cout << "caught out_of_range\n"; }
	try { throw std::runtime_error("boom"); } catch (const std::exception &e) { std::cout << "caught " << e.what() << "\n"; }
	B *b = new D;
	D *d = dynamic_cast<D *>(b);
	tl += argc;
	std::cerr << "err " << tl << std::endl;
	std::cout << "f=" << b->f() << " cast=" << (d != nullptr) << " tl=" << tl << std::endl;
	delete b;
	return 7;
}
`

var args = []string{"prog", "-a", "-b", "xyz", "-a", "rest"}

func TestMain(m *testing.M) {
	if objs := os.Getenv("GORC_JITLINK_CORPUS_OBJS"); objs != "" {
		// The corpus has programs (tls_big) whose TLS exceeds glibc's
		// default static-TLS surplus; gorc run re-executes itself with a
		// larger one, and so does this helper (before anything runs).
		if err := executor.EnsureStaticTLS(1 << 20); err != nil {
			fmt.Fprintln(os.Stderr, "e2e helper:", err)
			os.Exit(120)
		}
		code, err := runCorpusHelper(strings.Split(objs, ":"), strings.Split(os.Getenv("GORC_JITLINK_CORPUS_LIBS"), ":"), os.Getenv("GORC_JITLINK_E2E_LOW") == "1")
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e helper:", err)
			os.Exit(120)
		}
		os.Exit(code)
	}
	if drv := os.Getenv("GORC_JITLINK_E2E_DRIVER"); drv != "" {
		code, err := runStatic(drv, []string{os.Getenv("GORC_JITLINK_E2E_ARCHIVE")}, os.Getenv("GORC_JITLINK_E2E_LOW") == "1")
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e helper:", err)
			os.Exit(120)
		}
		os.Exit(code)
	}
	if obj := os.Getenv("GORC_JITLINK_E2E_OBJ"); obj != "" {
		code, err := runJIT(obj, os.Getenv("GORC_JITLINK_E2E_LOW") == "1")
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e helper:", err)
			os.Exit(120)
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// inProcessSlab returns an in-process executor with the libraries loaded
// (empty names skipped) and a slab of size bytes in it, below 2 GiB if low.
func inProcessSlab(ctx context.Context, libs []string, size uint64, low bool) (*epc.InProcess, *memmgr.Slab, error) {
	e, err := epc.NewInProcess()
	if err != nil {
		return nil, nil, err
	}
	for _, l := range libs {
		if l == "" {
			continue
		}
		if _, err := e.LoadDylib(ctx, l, nil); err != nil {
			return nil, nil, err
		}
	}
	m, err := memmgr.NewInProcessMapper(e)
	if err != nil {
		return nil, nil, err
	}
	slab, err := memmgr.NewSlab(m, memmgr.SlabOptions{Size: size, Low: low})
	if err != nil {
		return nil, nil, err
	}
	return e, slab, nil
}

func runJIT(objPath string, low bool) (int, error) {
	ctx := context.Background()
	data, err := os.ReadFile(objPath)
	if err != nil {
		return 0, err
	}
	var libs []string
	if strings.HasSuffix(objPath, "-cxx.o") {
		libs = []string{"-lstdc++", "-lm", "-lgcc_s"}
	}
	e, slab, err := inProcessSlab(ctx, libs, 64<<20, low)
	if err != nil {
		return 0, err
	}
	g, err := elf.Parse(filepath.Base(objPath), data)
	if err != nil {
		return 0, err
	}
	lc := epclink.NewContext(e, slab, nil)
	if err := jitlink.Link(ctx, g, lc); err != nil {
		return 0, err
	}
	var inits, finis []shared.ExecutorAddr
	for _, f := range g.Inits {
		inits = append(inits, f.Fn)
	}
	for _, f := range g.Finis {
		finis = append(finis, f.Fn)
	}
	if os.Getenv("GORC_JITLINK_E2E_WANT_THUNKS") == "1" {
		used := 0
		if sec := g.FindSection(amd64.ThunksSectionName); sec != nil {
			for _, b := range sec.Blocks {
				if len(b.Edges) > 0 {
					used++
				}
			}
		}
		if used == 0 || g.FindSymbol("main").Address() >= 1<<31 {
			return 0, fmt.Errorf("expected far-data thunks in use with main below 2 GiB (thunks %d, main at %v)", used, g.FindSymbol("main").Address())
		}
	}
	return e.RunProgram(ctx, epc.Program{Main: lc.Resolved["main"], Args: args, Inits: inits, Finis: finis})
}

func TestRunLinkedPrograms(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Fatalf("gcc is needed (run scripts/deps.sh): %v", err)
	}
	gxx, err := exec.LookPath("g++")
	if err != nil {
		t.Fatalf("g++ is needed (run scripts/deps.sh): %v", err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "p.c")
	if err := os.WriteFile(src, []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	cxxSrc := filepath.Join(dir, "p.cc")
	if err := os.WriteFile(cxxSrc, []byte(cxxProgram), 0o644); err != nil {
		t.Fatal(err)
	}
	// Clipped so that the parallel subtests' appends never share memory.
	env := slices.Clip(append(os.Environ(), "E2E_A=1", "E2E_B=2"))
	cases := []struct {
		name  string
		flags []string
		low   bool
	}{
		{"pie-O0-near", []string{"-O0"}, false},
		{"pie-O2-far", []string{"-O2"}, true},
		{"pie-O0-far", []string{"-O0"}, true},
		{"pic-O2-far", []string{"-O2", "-fPIC"}, true},
		{"nopic-O1-low", []string{"-O1", "-fno-pic", "-fno-pie"}, true},
		{"large-O2-far", []string{"-O2", "-mcmodel=large"}, true},
		{"pie-O0-far-cxx", []string{"-O0"}, true},
		{"pie-O2-far-cxx", []string{"-O2"}, true},
		{"pic-O2-near-cxx", []string{"-O2", "-fPIC"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			obj := filepath.Join(dir, tc.name+".o")
			exe := filepath.Join(dir, tc.name+".exe")
			cc, in := gcc, src
			if strings.HasSuffix(tc.name, "-cxx") {
				cc, in = gxx, cxxSrc
			}
			if out, err := exec.Command(cc, append(tc.flags, "-c", "-o", obj, in)...).CombinedOutput(); err != nil {
				t.Fatalf("compile: %v\n%s", err, out)
			}
			linkFlags := tc.flags
			if tc.name == "nopic-O1-low" {
				linkFlags = append(linkFlags, "-no-pie")
			}
			if out, err := exec.Command(cc, append(linkFlags, "-o", exe, in)...).CombinedOutput(); err != nil {
				t.Fatalf("gcc: %v\n%s", err, out)
			}
			native := exec.Command(exe, args[1:]...)
			native.Env = env
			var nerr strings.Builder
			native.Stderr = &nerr
			want, _ := native.Output()
			wantCode := native.ProcessState.ExitCode()

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			low := "0"
			if tc.low {
				low = "1"
			}
			cmd.Env = append(env, "GORC_JITLINK_E2E_OBJ="+obj, "GORC_JITLINK_E2E_LOW="+low)
			if tc.low && strings.HasPrefix(tc.name, "pie") && !strings.HasSuffix(tc.name, "-cxx") {
				cmd.Env = append(cmd.Env, "GORC_JITLINK_E2E_WANT_THUNKS=1")
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			got, _ := cmd.Output()
			code := cmd.ProcessState.ExitCode()
			t.Logf("exit %d: %s", code, got)
			if code != wantCode || string(got) != string(want) || stderr.String() != nerr.String() {
				t.Fatalf("JIT'd run: exit %d, stdout\n%s\nstderr\n%s\nwant exit %d, stdout\n%s\nstderr\n%s", code, got, stderr.String(), wantCode, want, nerr.String())
			}
		})
	}
}
