package amd64

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestUnwindThroughGeneratedCode throws a C++ exception through frames of
// generated functions (with pushed callee-saved registers, spill areas
// and early returns); it only reaches the handler if .eh_frame describes
// every frame correctly, and the callee-saved registers must be restored.
func TestUnwindThroughGeneratedCode(t *testing.T) {
	gxx, err := exec.LookPath("g++")
	if err != nil {
		t.Fatal("g++ is required for this test but was not found in PATH (bash scripts/deps.sh installs it)")
	}
	m := parse(t, `
declare double @thrower(double)
declare i64 @ithrower(i64)

define double @level2(double %x, i64 %n) {
entry:
  %c = icmp sgt i64 %n, 100
  br i1 %c, label %early, label %go
early:
  ret double 0.0
go:
  %a = fmul double %x, 2.0
  %r = call double @thrower(double %a)
  %s = fadd double %r, %a
  ret double %s
}

define i64 @level1(i64 %a, i64 %b, i64 %c, i64 %d) {
entry:
  %x = mul i64 %a, %b
  %y = add i64 %c, %d
  %f = sitofp i64 %x to double
  %r = call double @level2(double %f, i64 %y)
  %z = call i64 @ithrower(i64 %y)
  %ri = fptosi double %r to i64
  %s1 = add i64 %x, %y
  %s2 = add i64 %s1, %z
  %s3 = add i64 %s2, %ri
  %s4 = mul i64 %s3, %a
  %s5 = add i64 %s4, %b
  %s6 = add i64 %s5, %c
  ret i64 %s6
}
`)
	obj, err := Compile(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	o := filepath.Join(dir, "m.o")
	src := filepath.Join(dir, "main.cc")
	exe := filepath.Join(dir, "a.out")
	os.WriteFile(o, obj, 0o644)
	os.WriteFile(src, []byte(`#include <cstdio>
#include <stdexcept>
extern "C" double thrower(double x) { if (x > 10) throw std::runtime_error("boom"); return x; }
extern "C" long long ithrower(long long x) { if (x == 7) throw 42; return x; }
extern "C" long long level1(long long, long long, long long, long long);
int main() {
	register long long keep1 asm("rbx") = 1111;
	register long long keep2 asm("r12") = 2222;
	asm volatile("" : "+r"(keep1), "+r"(keep2));
	printf("%lld\n", level1(1, 2, 0, 1));
	try { level1(3, 4, 1, 1); puts("no throw"); } catch (std::exception &e) { printf("caught %s\n", e.what()); }
	try { level1(1, 1, 3, 4); puts("no throw"); } catch (int v) { printf("caught %d\n", v); }
	asm volatile("" : "+r"(keep1), "+r"(keep2));
	printf("%lld %lld\n", keep1, keep2);
	return 0;
}
`), 0o644)
	out, err := exec.Command(gxx, "-O1", "-o", exe, src, o).CombinedOutput()
	if err != nil {
		t.Fatalf("g++: %v\n%s", err, out)
	}
	out, err = exec.Command(exe).CombinedOutput()
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	// level1(1,2,0,1) = 14; level1(3,4,1,1) throws from thrower;
	// level1(1,1,3,4) throws 42 from ithrower.
	if got, want := string(out), "14\ncaught boom\ncaught 42\n1111 2222\n"; got != want {
		t.Fatalf("output:\n%s\nwant:\n%s", got, want)
	}
}
