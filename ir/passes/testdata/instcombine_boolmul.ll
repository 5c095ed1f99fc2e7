; RUN: instcombine,dce
; Kaleidoscope's (k < 255) * (r < 4) as a loop condition: the product of
; two booleans compared with zero is their and.
define double @cond(double %k, double %r) {
entry:
  %a = fcmp ult double %k, 2.550000e+02
  %af = uitofp i1 %a to double
  %b = fcmp ult double %r, 4.000000e+00
  %bf = uitofp i1 %b to double
  %m = fmul double %af, %bf
  %c = fcmp one double %m, 0.000000e+00
  br i1 %c, label %t, label %e

t:
  ret double 1.000000e+00

e:
  ret double 2.000000e+00
}

define i32 @main() {
entry:
  %x = call double @cond(double 1.000000e+00, double 1.000000e+00)
  %y = call double @cond(double 3.000000e+02, double 1.000000e+00)
  %z = call double @cond(double 1.000000e+00, double 5.000000e+00)
  %w = call double @cond(double 3.000000e+02, double 9.000000e+00)
  %s1 = fmul double %x, 1.000000e+01
  %s2 = fadd double %s1, %y
  %s3 = fmul double %s2, 1.000000e+01
  %s4 = fadd double %s3, %z
  %s5 = fmul double %s4, 1.000000e+01
  %s6 = fadd double %s5, %w
  %i = fptosi double %s6 to i32
  ret i32 %i
}
