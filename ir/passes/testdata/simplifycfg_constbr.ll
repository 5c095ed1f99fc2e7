; RUN: simplifycfg
define double @f(double %x) {
entry:
  br i1 true, label %a, label %b

a:
  %ax = fadd double %x, 1.000000e+00
  br label %join

b:
  %bx = fadd double %x, 2.000000e+00
  br label %join

join:
  %p = phi double [ %ax, %a ], [ %bx, %b ]
  br i1 false, label %dead, label %exit

dead:
  br label %exit

exit:
  %q = phi double [ %p, %join ], [ 0.000000e+00, %dead ]
  ret double %q
}

define i32 @main() {
entry:
  %v = call double @f(double 4.000000e+00)
  %i = fptosi double %v to i32
  ret i32 %i
}
