; RUN: gvn
define double @f(double %x, double %y, i1 %c) {
entry:
  %a = fadd double %x, %y
  %b = fadd double %y, %x
  %m = fmul double %a, %b
  br i1 %c, label %then, label %else

then:
  %d = fadd double %x, %y
  %t = fsub double %d, %x
  br label %join

else:
  %t2 = fsub double %a, %x
  br label %join

join:
  %p = phi double [ %t, %then ], [ %t2, %else ]
  %again = fsub double %a, %x
  %r = fadd double %p, %again
  %s = fadd double %r, %m
  ret double %s
}

define i32 @main() {
entry:
  %v = call double @f(double 2.000000e+00, double 3.000000e+00, i1 true)
  %w = call double @f(double 2.000000e+00, double 3.000000e+00, i1 false)
  %s = fadd double %v, %w
  %i = fptosi double %s to i32
  ret i32 %i
}
