; RUN: reassociate,instcombine
; Only fast-math (reassoc nsz) float chains are regrouped.
define double @fast(double %x, double %y) {
entry:
  %a = fadd fast double %x, 1.000000e+00
  %b = fadd fast double 2.000000e+00, %a
  %c = fadd fast double %b, %y
  ret double %c
}

define double @strict(double %x, double %y) {
entry:
  %a = fadd double %x, 1.000000e+00
  %b = fadd double 2.000000e+00, %a
  %c = fadd double %b, %y
  ret double %c
}
