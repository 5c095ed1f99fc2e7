package amd64

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestUnwindThroughDynamicStack throws a C++ exception through a function
// that moved rsp (a variable-count alloca between stacksave and
// stackrestore): the handler is reached only if its .eh_frame follows
// the frame pointer, and rbp, rbx and r12 must come back.
func TestUnwindThroughDynamicStack(t *testing.T) {
	gxx, err := exec.LookPath("g++")
	if err != nil {
		t.Fatal("g++ is required for this test but was not found in PATH (bash scripts/deps.sh installs it)")
	}
	m := parse(t, `
declare double @thrower(double)
declare ptr @llvm.stacksave.p0()
declare void @llvm.stackrestore.p0(ptr)

define i64 @vlalevel(i64 %n, i64 %k) {
entry:
  %s = call ptr @llvm.stacksave.p0()
  %a = alloca i64, i64 %n, align 16
  %last = getelementptr i64, ptr %a, i64 %k
  store i64 5, ptr %a
  store i64 %k, ptr %last
  %f = sitofp i64 %n to double
  %r = call double @thrower(double %f)
  %v = load i64, ptr %a
  %w = load i64, ptr %last
  call void @llvm.stackrestore.p0(ptr %s)
  %ri = fptosi double %r to i64
  %t = add i64 %v, %ri
  %u = add i64 %t, %w
  %p = ptrtoint ptr %a to i64
  %al = and i64 %p, 15
  %z = add i64 %u, %al
  ret i64 %z
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
extern "C" long long vlalevel(long long, long long);
int main() {
	register long long keep1 asm("rbx") = 1111;
	register long long keep2 asm("r12") = 2222;
	asm volatile("" : "+r"(keep1), "+r"(keep2));
	printf("%lld\n", vlalevel(3, 2));
	for (int i = 0; i < 3; i++)
		try { vlalevel(1000 + i, 999); puts("no throw"); } catch (std::exception &e) { printf("caught %s\n", e.what()); }
	printf("%lld\n", vlalevel(9, 8));
	asm volatile("" : "+r"(keep1), "+r"(keep2));
	printf("%lld %lld\n", keep1, keep2);
	return 0;
}
`), 0o644)
	out, err := exec.Command(gxx, "-O1", "-fno-omit-frame-pointer", "-o", exe, src, o).CombinedOutput()
	if err != nil {
		t.Fatalf("g++: %v\n%s", err, out)
	}
	out, err = exec.Command(exe).CombinedOutput()
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	// vlalevel(3, 2) = 5 + 3 + 2; vlalevel(9, 8) = 5 + 9 + 8.
	if got, want := string(out), "10\ncaught boom\ncaught boom\ncaught boom\n22\n1111 2222\n"; got != want {
		t.Fatalf("output:\n%s\nwant:\n%s", got, want)
	}
}
