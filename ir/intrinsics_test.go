package ir

import (
	"strings"
	"testing"
)

// TestTrapLowered: llvm.trap and llvm.ubsantrap become calls of abort
// (declared at the module's end); the bit intrinsics become ordinary
// instructions (their values: backend/amd64's TestBitIntrinsics), and
// a width they do not take is still an error naming the intrinsic.
func TestTrapLowered(t *testing.T) {
	m, err := ParseString("t.ll", `declare void @llvm.trap()
declare void @llvm.ubsantrap(i8)
declare i32 @llvm.fshl.i32(i32, i32, i32)
declare i64 @llvm.ctlz.i64(i64, i1)
define i32 @f(i32 %x, i64 %y) {
  %r = call i32 @llvm.fshl.i32(i32 %x, i32 %x, i32 5)
  %z = call i64 @llvm.ctlz.i64(i64 %y, i1 true)
  %c = icmp eq i64 %z, 0
  br i1 %c, label %t, label %u
t:
  call void @llvm.trap()
  unreachable
u:
  call void @llvm.ubsantrap(i8 3)
  unreachable
}
`)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(m); err != nil {
		t.Fatal(err)
	}
	out := m.String()
	for _, want := range []string{"declare void @abort()", "call void @abort()"} {
		if !strings.Contains(out, want) {
			t.Errorf("printed module lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "call i32 @llvm.") || strings.Contains(out, "call i64 @llvm.") || strings.Contains(out, "call void @llvm.") {
		t.Errorf("an intrinsic call is left:\n%s", out)
	}
	_, err = ParseString("t.ll", "declare i1 @llvm.ctpop.i1(i1)\ndefine i1 @f(i1 %x) {\n  %r = call i1 @llvm.ctpop.i1(i1 %x)\n  ret i1 %r\n}\n")
	if err == nil || !strings.Contains(err.Error(), "t.ll:3:3: error: unsupported intrinsic '@llvm.ctpop.i1'") {
		t.Errorf("ctpop.i1: %v", err)
	}
}
