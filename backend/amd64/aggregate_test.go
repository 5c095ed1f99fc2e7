package amd64

import (
	"strings"
	"testing"
)

// TestAggregateABI checks structs returned in registers, byval structs and
// variadic definitions against gcc's code, both ways: gcc-built C calls
// the compiled IR and the IR calls gcc-built C (and glibc's vsnprintf
// walks a va_list that llvm.va_start filled).
func TestAggregateABI(t *testing.T) {
	m := parse(t, `
%struct.Big = type { i64, i64, i64 }
%struct.__va_list_tag = type { i32, i32, ptr, ptr }

declare { i64, double } @c_mixed(i64, double)
declare { double, double } @c_sse(double)
declare i64 @c_big(ptr byval(%struct.Big) align 8)
declare i32 @vsnprintf(ptr, i64, ptr, ptr)
declare void @llvm.va_start.p0(ptr)
declare void @llvm.va_end.p0(ptr)

define { i64, double } @ir_mixed(i64 %n, double %d) {
  %d1 = fadd double %d, 1.0
  %n2 = mul i64 %n, 2
  %a = insertvalue { i64, double } undef, i64 %n2, 0
  %b = insertvalue { i64, double } %a, double %d1, 1
  ret { i64, double } %b
}

define { double, i64 } @ir_sse_int(double %d, i64 %n) {
  %n1 = sub i64 0, %n
  ret { double, i64 } { double 2.5, i64 7 }
}

define { double, double } @ir_sse(double %a, double %b) {
  %s = fadd double %a, %b
  %p = fmul double %a, %b
  %r = insertvalue { double, double } zeroinitializer, double %s, 0
  %q = insertvalue { double, double } %r, double %p, 1
  ret { double, double } %q
}

define { i64, i64 } @ir_int(i64 %a, i64 %b) {
  %r = insertvalue { i64, i64 } poison, i64 %b, 0
  %q = insertvalue { i64, i64 } %r, i64 %a, 1
  ret { i64, i64 } %q
}

define { i32, i64 } @ir_i32i64(i32 %k, i64 %v) {
  %k1 = add i32 %k, 1
  %v1 = shl i64 %v, 4
  %r = insertvalue { i32, i64 } poison, i32 %k1, 0
  %q = insertvalue { i32, i64 } %r, i64 %v1, 1
  ret { i32, i64 } %q
}

define double @ir_call_c(i64 %n) {
  %m = call { i64, double } @c_mixed(i64 %n, double 0.25)
  %m0 = extractvalue { i64, double } %m, 0
  %m1 = extractvalue { i64, double } %m, 1
  %s = call { double, double } @c_sse(double 3.0)
  %s0 = extractvalue { double, double } %s, 0
  %s1 = extractvalue { double, double } %s, 1
  %f = sitofp i64 %m0 to double
  %x = fadd double %f, %m1
  %y = fmul double %s0, 100.0
  %z = fadd double %x, %y
  %w = fadd double %z, %s1
  ret double %w
}

define i64 @ir_byval(ptr byval(%struct.Big) align 8 %b, i64 %k) {
  %v = load %struct.Big, ptr %b
  %x = extractvalue %struct.Big %v, 0
  %y = extractvalue %struct.Big %v, 1
  %z = extractvalue %struct.Big %v, 2
  %s = add i64 %x, %y
  %t = mul i64 %z, %k
  %u = add i64 %s, %t
  ret i64 %u
}

define i64 @ir_pass_big(i64 %x) {
  %tmp = alloca %struct.Big, align 8
  %x1 = add i64 %x, 1
  %x2 = add i64 %x, 2
  %a = insertvalue %struct.Big undef, i64 %x, 0
  %b = insertvalue %struct.Big %a, i64 %x1, 1
  %c = insertvalue %struct.Big %b, i64 %x2, 2
  store %struct.Big %c, ptr %tmp
  %r = call i64 @c_big(ptr byval(%struct.Big) align 8 %tmp)
  ret i64 %r
}

define void @ir_sret(ptr noalias sret(%struct.Big) align 8 %out, i64 %x) {
  %x1 = mul i64 %x, 3
  %a = insertvalue %struct.Big zeroinitializer, i64 %x, 0
  %b = insertvalue %struct.Big %a, i64 %x1, 2
  store %struct.Big %b, ptr %out, align 8
  ret void
}

define i32 @ir_vfmt(ptr %buf, ptr %fmt, ...) {
  %ap = alloca %struct.__va_list_tag, align 16
  call void @llvm.va_start.p0(ptr %ap)
  %n = call i32 @vsnprintf(ptr %buf, i64 300, ptr %fmt, ptr %ap)
  call void @llvm.va_end.p0(ptr %ap)
  ret i32 %n
}
`)
	out := runC(t, m, `
struct m { long n; double d; }; struct s { double x, y; }; struct si { double d; long n; };
struct ii { long a, b; }; struct ki { int k; long v; }; struct big { long a, b, c; };
struct m c_mixed(long n, double d) { return (struct m){n + 1, d * 2}; }
struct s c_sse(double x) { return (struct s){x, -x}; }
long c_big(struct big b) { return b.a * 100 + b.b * 10 + b.c; }
struct m ir_mixed(long, double); struct si ir_sse_int(double, long); struct s ir_sse(double, double);
struct ii ir_int(long, long); struct ki ir_i32i64(int, long);
double ir_call_c(long); long ir_byval(struct big, long); long ir_pass_big(long);
int ir_vfmt(char *, const char *, ...); struct big ir_sret(long);
typedef struct big *(*raw_sret)(struct big *, long);
int main(void) {
	struct m a = ir_mixed(20, 1.5); printf("%ld %g\n", a.n, a.d);
	struct si b = ir_sse_int(1, 2); printf("%g %ld\n", b.d, b.n);
	struct s c = ir_sse(3, 4); printf("%g %g\n", c.x, c.y);
	struct ii d = ir_int(5, 6); printf("%ld %ld\n", d.a, d.b);
	struct ki e = ir_i32i64(-8, 3); printf("%d %ld\n", e.k, e.v);
	printf("%g\n", ir_call_c(9));
	struct big g = {1, 2, 3};
	printf("%ld\n", ir_byval(g, 10));
	printf("%ld\n", ir_pass_big(4));
	char buf[300];
	int n = ir_vfmt(buf, "%d %d %d %d %d %d %d %d|%g %g %g %g %g %g %g %g %g %g|%s %ld", 1, 2, 3, 4, 5, 6, 7, 8,
		0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, "end", -1L);
	printf("%s (%d)\n", buf, n);
	n = ir_vfmt(buf, "none");
	printf("%s (%d)\n", buf, n);
	struct big h = ir_sret(5); printf("%ld %ld %ld\n", h.a, h.b, h.c);
	struct big out; raw_sret f = (raw_sret)(void *)ir_sret;
	pi(f(&out, 2) == &out); /* the psABI: the sret pointer comes back in RAX */
	return 0;
}
`)
	expectLines(t, out, []string{"40 2.5", "2.5 7", "7 12", "6 5", "-7 48", "307.5", "33", "456",
		"1 2 3 4 5 6 7 8|0.5 1.5 2.5 3.5 4.5 5.5 6.5 7.5 8.5 9.5|end -1 (62)", "none (4)", "5 0 15", "1"})
}

// TestAggregateErrors checks what the backend refuses: a struct returned
// in more registers than RAX, RDX, XMM0 and XMM1, and va_start outside a
// variadic function's register save area.
func TestAggregateErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"three integers", "define { i64, i64, i64 } @f() {\n  ret { i64, i64, i64 } zeroinitializer\n}\n", "returning { i64, i64, i64 } in registers is not supported"},
		{"three doubles called", "declare { double, double, double } @g()\ndefine double @f() {\n  %r = call { double, double, double } @g()\n  %x = extractvalue { double, double, double } %r, 2\n  ret double %x\n}\n", "returning { double, double, double } in registers is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := parse(t, tt.src)
			_, err := Compile(m, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}
