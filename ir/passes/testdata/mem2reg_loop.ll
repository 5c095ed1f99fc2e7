; RUN: mem2reg
; sum of 1..n with two variables in memory
define double @sum(double %n) {
entry:
  %i = alloca double, align 8
  %acc = alloca double, align 8
  store double 1.000000e+00, ptr %i, align 8
  store double 0.000000e+00, ptr %acc, align 8
  br label %loop

loop:
  %iv = load double, ptr %i, align 8
  %av = load double, ptr %acc, align 8
  %a2 = fadd double %av, %iv
  store double %a2, ptr %acc, align 8
  %i2 = fadd double %iv, 1.000000e+00
  store double %i2, ptr %i, align 8
  %c = fcmp ole double %i2, %n
  br i1 %c, label %loop, label %exit

exit:
  %r = load double, ptr %acc, align 8
  ret double %r
}

define i32 @main() {
entry:
  %r = call double @sum(double 1.000000e+01)
  %i = fptosi double %r to i32
  ret i32 %i
}
