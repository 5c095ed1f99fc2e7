; RUN: simplifycfg
; Empty blocks are bypassed, straight-line chains merged, and a
; two-way branch to one block made unconditional.
define double @f(double %x, i1 %c) {
entry:
  br i1 %c, label %e1, label %e2

e1:
  br label %join

e2:
  br label %join

join:
  %p = phi double [ 1.000000e+00, %e1 ], [ 2.000000e+00, %e2 ]
  br label %next

next:
  %s = fadd double %p, %x
  br i1 %c, label %last, label %last

last:
  ret double %s
}

define i32 @main() {
entry:
  %a = call double @f(double 1.000000e+01, i1 true)
  %b = call double @f(double 2.000000e+01, i1 false)
  %s = fadd double %a, %b
  %i = fptosi double %s to i32
  ret i32 %i
}
