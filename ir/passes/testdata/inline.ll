; RUN: inline,instcombine,simplifycfg,dce
; Small callees are inlined (with an alloca hoisted to the entry block and
; a phi for two returns); a recursive callee is not.
define double @twice(double %x) {
entry:
  %r = fadd double %x, %x
  ret double %r
}

define double @max(double %a, double %b) {
entry:
  %slot = alloca double, align 8
  store double %a, ptr %slot, align 8
  %c = fcmp olt double %a, %b
  br i1 %c, label %lt, label %ge

lt:
  ret double %b

ge:
  %v = load double, ptr %slot, align 8
  ret double %v
}

define double @fact(double %n) {
entry:
  %c = fcmp olt double %n, 2.000000e+00
  br i1 %c, label %one, label %rec

one:
  ret double 1.000000e+00

rec:
  %m = fsub double %n, 1.000000e+00
  %f = call double @fact(double %m)
  %r = fmul double %n, %f
  ret double %r
}

define double @use(double %x, double %y) {
entry:
  %a = call double @twice(double %x)
  %b = call double @max(double %a, double %y)
  %c = call double @fact(double %b)
  %d = call double @twice(double %c)
  ret double %d
}

define i32 @main() {
entry:
  %v = call double @use(double 1.500000e+00, double 2.000000e+00)
  %w = call double @use(double 2.000000e+00, double 1.000000e+00)
  %s = fadd double %v, %w
  %i = fptosi double %s to i32
  ret i32 %i
}
