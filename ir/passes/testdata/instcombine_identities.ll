; RUN: instcombine,dce
; IEEE-exact identities fold; x + 0.0 does not (it turns -0.0 into +0.0)
; unless nsz is set.
define double @f(double %x, double %y) {
entry:
  %a = fmul double %x, 1.000000e+00
  %b = fadd double %a, -0.000000e+00
  %c = fsub double %b, 0.000000e+00
  %d = fdiv double %c, 1.000000e+00
  %n1 = fneg double %d
  %n2 = fneg double %n1
  %keep = fadd double %n2, 0.000000e+00
  %nsz = fadd nsz double %keep, 0.000000e+00
  %m = fmul double %nsz, -1.000000e+00
  %h = fdiv double %m, 4.000000e+00
  %two = fmul double %h, 2.000000e+00
  %k = fadd double 3.000000e+00, %y
  %r = fadd double %two, %k
  ret double %r
}

define i1 @g(double %x, double %y) {
entry:
  %c = fcmp ult double %x, %y
  %b = uitofp i1 %c to double
  %t = fcmp one double %b, 0.000000e+00
  %lhs = fcmp olt double 1.000000e+00, %x
  %u = fcmp oeq double %b, 0.000000e+00
  %s = select i1 %t, i1 %lhs, i1 %u
  %same = select i1 %s, double %x, double %x
  %q = fcmp oeq double %same, %y
  ret i1 %q
}
