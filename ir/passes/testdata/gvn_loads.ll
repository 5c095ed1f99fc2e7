; RUN: gvn
declare void @clobber()

define double @f(ptr %p, ptr %q, double %v) {
entry:
  store double %v, ptr %p, align 8
  %a = load double, ptr %p, align 8
  %b = load double, ptr %p, align 8
  store double 1.000000e+00, ptr %q, align 8
  %c = load double, ptr %p, align 8
  %d = load double, ptr %p, align 8
  call void @clobber()
  %e = load double, ptr %p, align 8
  %s1 = fadd double %a, %b
  %s2 = fadd double %c, %d
  %s3 = fadd double %s1, %s2
  %s4 = fadd double %s3, %e
  ret double %s4
}
