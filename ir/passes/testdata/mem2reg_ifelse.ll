; RUN: mem2reg
define double @f(double %x) {
entry:
  %v = alloca double, align 8
  %c = fcmp olt double %x, 0.000000e+00
  br i1 %c, label %neg, label %pos

neg:
  %n = fneg double %x
  store double %n, ptr %v, align 8
  br label %join

pos:
  store double %x, ptr %v, align 8
  br label %join

join:
  %r = load double, ptr %v, align 8
  ret double %r
}

define i32 @main() {
entry:
  %a = call double @f(double -4.000000e+00)
  %b = call double @f(double 3.000000e+00)
  %s = fadd double %a, %b
  %i = fptosi double %s to i32
  ret i32 %i
}
