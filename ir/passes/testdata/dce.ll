; RUN: dce
declare double @g(double)

define double @f(double %x) {
entry:
  %unused = fmul double %x, %x
  %chain1 = fadd double %x, 1.000000e+00
  %chain2 = fmul double %chain1, %chain1
  %call = call double @g(double %x)
  %slot = alloca double, align 8
  br label %loop

loop:
  %dead1 = phi double [ 0.000000e+00, %entry ], [ %dead2, %loop ]
  %i = phi double [ 0.000000e+00, %entry ], [ %i2, %loop ]
  %dead2 = fadd double %dead1, 1.000000e+00
  %i2 = fadd double %i, 1.000000e+00
  %c = fcmp olt double %i2, %x
  br i1 %c, label %loop, label %exit

exit:
  ret double %i2
}
