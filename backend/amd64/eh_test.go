package amd64

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ehIR has two functions with invokes (a catch of int reading values
// kept across the invoke, with llvm.eh.typeid.for, and a cleanup that
// resumes) and one without.
const ehIR = `
@_ZTIi = external constant ptr
declare void @thrower(i32)
declare void @note(i64)
declare i32 @__gxx_personality_v0(...)
declare ptr @__cxa_begin_catch(ptr)
declare void @__cxa_end_catch()
declare i32 @llvm.eh.typeid.for.p0(ptr)

define i64 @catcher(i64 %a, i64 %b, double %d, i32 %k) personality ptr @__gxx_personality_v0 {
entry:
  %x = mul i64 %a, %b
  %y = add i64 %a, 7
  %e = fmul double %d, 3.0
  invoke void @thrower(i32 %k) to label %ok unwind label %lpad
ok:
  %s = add i64 %x, %y
  ret i64 %s
lpad:
  %lp = landingpad { ptr, i32 } catch ptr @_ZTIi
  %sel = extractvalue { ptr, i32 } %lp, 1
  %id = call i32 @llvm.eh.typeid.for.p0(ptr @_ZTIi)
  %m = icmp eq i32 %sel, %id
  br i1 %m, label %catch, label %again
catch:
  %exn = extractvalue { ptr, i32 } %lp, 0
  %p = call ptr @__cxa_begin_catch(ptr %exn)
  %v = load i32, ptr %p
  call void @__cxa_end_catch()
  %v64 = sext i32 %v to i64
  %ei = fptosi double %e to i64
  %t = add i64 %x, %v64
  %t2 = add i64 %t, %y
  %t3 = add i64 %t2, %ei
  %neg = sub i64 0, %t3
  ret i64 %neg
again:
  resume { ptr, i32 } %lp
}

define i64 @cleaner(i32 %k) personality ptr @__gxx_personality_v0 {
entry:
  invoke void @thrower(i32 %k) to label %ok unwind label %lpad
ok:
  ret i64 1
lpad:
  %lp = landingpad { ptr, i32 } cleanup
  call void @note(i64 99)
  resume { ptr, i32 } %lp
}

define i64 @plain(i64 %a) {
  %r = call i64 @catcher(i64 %a, i64 %a, double 1.0, i32 0)
  ret i64 %r
}
`

// TestLandingPadsLinkedByGxx links generated functions with invokes into
// a g++ program: exceptions are caught in them (with the values kept
// across the invoke intact), cleanups run and resume, and what they do
// not catch reaches main's handler.
func TestLandingPadsLinkedByGxx(t *testing.T) {
	gxx, err := exec.LookPath("g++")
	if err != nil {
		t.Fatal("g++ is required for this test but was not found in PATH (bash scripts/deps.sh installs it)")
	}
	obj, err := Compile(parse(t, ehIR), Options{})
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
extern "C" void thrower(int k) { if (k > 0) throw k; if (k < 0) throw std::runtime_error("neg"); }
extern "C" void note(long long v) { printf("note %lld\n", v); }
extern "C" long long catcher(long long, long long, double, int);
extern "C" long long cleaner(int);
extern "C" long long plain(long long);
int main() {
	register long long keep1 asm("rbx") = 1111;
	register long long keep2 asm("r12") = 2222;
	asm volatile("" : "+r"(keep1), "+r"(keep2));
	printf("%lld %lld\n", catcher(2, 3, 1.5, 0), catcher(2, 3, 1.5, 5));
	try { catcher(2, 3, 1.5, -1); puts("no throw"); } catch (std::exception &e) { printf("main caught %s\n", e.what()); }
	try { cleaner(4); puts("no throw"); } catch (int v) { printf("main caught %d\n", v); }
	printf("%lld %lld\n", cleaner(0), plain(4));
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
	// catcher(2,3,1.5,5) = -(6 + 5 + 9 + 4); plain(4) = 16 + 11.
	if got, want := string(out), "15 -24\nmain caught neg\nnote 99\nmain caught 4\n1 27\n1111 2222\n"; got != want {
		t.Fatalf("output:\n%s\nwant:\n%s", got, want)
	}
}

// TestEHFrameCIEs checks the records: the plain CIE ("zR") for the
// function without invokes, a "zPLR" CIE naming the personality for the
// two with, and their FDEs carrying an LSDA pointer into
// .gcc_except_table.
func TestEHFrameCIEs(t *testing.T) {
	obj, err := Compile(parse(t, ehIR), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	if f.Section(".gcc_except_table") == nil {
		t.Fatal("no .gcc_except_table")
	}
	data, err := f.Section(".eh_frame").Data()
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	cies := map[int]string{}
	fdes := map[string]int{}
	for off := 0; off+8 <= len(data); {
		n := int(le.Uint32(data[off:]))
		if n == 0 {
			break
		}
		id := le.Uint32(data[off+4:])
		if id == 0 {
			aug := data[off+9:]
			cies[off] = string(aug[:bytes.IndexByte(aug, 0)])
		} else {
			aug := cies[off+4-int(id)]
			fdes[aug]++
			auglen := data[off+16]
			if (aug == "zPLR") != (auglen == 4) {
				t.Errorf("FDE at %d under CIE %q has %d bytes of augmentation data", off, aug, auglen)
			}
		}
		off += 4 + n
	}
	if len(cies) != 2 || fdes["zR"] != 1 || fdes["zPLR"] != 2 {
		t.Fatalf("CIEs %v, FDEs by CIE %v", cies, fdes)
	}
}
