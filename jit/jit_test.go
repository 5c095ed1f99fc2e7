//go:build cgo

package jit_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jit"
)

// cc compiles C source into dir/name.o with gcc and returns its path.
func cc(dir, name, src string, flags ...string) (string, error) {
	c := filepath.Join(dir, name+".c")
	o := filepath.Join(dir, name+".o")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		return "", err
	}
	out, err := exec.Command("gcc", append([]string{"-c", "-O1", "-o", o, c}, flags...)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("gcc: %v\n%s", err, out)
	}
	return o, nil
}

func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "jit-example")
	defer os.RemoveAll(dir)
	obj, err := cc(dir, "sq", `#include <math.h>
int isqrt(int x) { return (int)sqrt((double)x); }
int answer(void) { return isqrt(1764); }`)
	if err != nil {
		fmt.Println(err)
		return
	}
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer j.Close(ctx)
	j.AddObjectFile(obj)
	j.LoadDylib(ctx, "-lm")
	// int answer(void), called as a Go function.
	answer, err := jit.Func[func() int32](j, "answer")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(answer())
	// Output: 42
}

func TestAddInputKinds(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Fatalf("gcc is required (run scripts/deps.sh): %v", err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	junk := filepath.Join(dir, "junk.o")
	os.WriteFile(junk, []byte("hello"), 0o644)
	if err := j.AddInput(junk); err == nil || !strings.Contains(err.Error(), "not an ELF relocatable object, a static archive or an IR file") {
		t.Errorf("AddInput(junk) = %v", err)
	}
	if err := j.AddInput(filepath.Join(dir, "missing.o")); err == nil {
		t.Error("AddInput of a missing file succeeded")
	}
	if _, err := jit.New(ctx, jit.Options{Exec: "bogus"}); err == nil || !strings.Contains(err.Error(), "unknown executor") {
		t.Errorf("Exec bogus: %v", err)
	}
	if _, err := jit.New(ctx, jit.Options{SHM: true}); err == nil || !strings.Contains(err.Error(), "needs a child or tcp://") {
		t.Errorf("SHM in process: %v", err)
	}
	// Refused before any connection is made.
	if _, err := jit.New(ctx, jit.Options{Exec: "tcp://192.0.2.1:20000", SHM: true}); err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Errorf("SHM to another machine: %v", err)
	}
}

func TestProgramCollectsInitializersInOrder(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Fatalf("gcc is required (run scripts/deps.sh): %v", err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	a, err := cc(dir, "a", `
int trace[8], n;
__attribute__((constructor(300))) static void a300(void) { trace[n++] = 300; }
__attribute__((constructor)) static void adef(void) { trace[n++] = 1; }
int main(void) { return 0; }`)
	if err != nil {
		t.Fatal(err)
	}
	b, err := cc(dir, "b", `
extern int trace[8], n;
__attribute__((constructor(200))) static void b200(void) { trace[n++] = 200; }
__attribute__((constructor)) static void bdef(void) { trace[n++] = 2; }
int get(int i) { return trace[i]; }`)
	if err != nil {
		t.Fatal(err)
	}
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	for _, o := range []string{a, b} {
		if err := j.AddObjectFile(o); err != nil {
			t.Fatal(err)
		}
	}
	p, err := j.Program(ctx, "main", []string{"p"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Inits) != 4 || p.Main == 0 {
		t.Fatalf("program %+v: want 4 initializers and main", p)
	}
	for _, f := range p.Inits {
		if err := j.EPC.RunVoid(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	get, err := j.Lookup(ctx, "get")
	if err != nil {
		t.Fatal(err)
	}
	// Priorities first (200 < 300), then default-priority constructors in
	// command-line order (a before b), as GNU ld lays out .init_array.
	want := []int{200, 300, 1, 2}
	var got []int
	for i := range want {
		// get's int parameter is main's argc: pass i arguments.
		v, err := j.EPC.RunAsMain(ctx, get, make([]string, i))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("initializer order %v, want %v", got, want)
	}
	if tm := j.Times(); tm.Link <= 0 {
		t.Errorf("link time not measured: %+v", tm)
	}
	if len(j.Symbols()) == 0 {
		t.Error("empty symbol table")
	}
}

// TestNonPICObjectGoesLow checks that a non-PIC small-model object (its
// R_X86_64_32 relocations make the ELF reader set LinkGraph.Low2GiB) puts
// the code below 2 GiB, where those 32-bit absolute values fit, and that
// one added after code was placed above 2 GiB is refused clearly.
func TestNonPICObjectGoesLow(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	obj, err := cc(dir, "abs", `int x = 42; int *px(void) { return &x; } int get(void) { return *px(); }`, "-fno-pic", "-fno-pie", "-mcmodel=small")
	if err != nil {
		t.Fatal(err)
	}
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	if err := j.AddObjectFile(obj); err != nil {
		t.Fatal(err)
	}
	if err := j.LinkAll(ctx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"x", "px"} {
		a, err := j.Lookup(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if a == 0 || a >= 1<<31 {
			t.Errorf("%s at %v, want below 2 GiB", name, a)
		}
	}
	if j.Target == nil || j.Target.Triple != "x86_64-unknown-linux-gnu" {
		t.Errorf("JIT target %+v", j.Target)
	}
	pic, err := cc(dir, "pic", `int one(void) { return 1; }`, "-fPIC")
	if err != nil {
		t.Fatal(err)
	}
	j2, err := jit.New(ctx, jit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close(ctx)
	if err := j2.AddObjectFile(pic); err != nil {
		t.Fatal(err)
	}
	if err := j2.LinkAll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := j2.AddObjectFile(obj); err == nil || !strings.Contains(err.Error(), "non-PIC small-model code") || !strings.Contains(err.Error(), "abs.o") {
		t.Errorf("non-PIC object after linking started: err = %v", err)
	}
}
