; RUN: instcombine,simplifycfg
define double @f(double %x, i1 %c) {
entry:
  br i1 %c, label %a, label %b

a:
  br label %j

b:
  br label %j

j:
  %p = phi double [ %x, %a ], [ %x, %b ]
  %k = phi double [ 2.000000e+00, %a ], [ 2.000000e+00, %b ]
  %r = fmul double %p, %k
  ret double %r
}
