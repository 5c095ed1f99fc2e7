; RUN: tailrecurse,instcombine,simplifycfg,dce
; Self-recursive tail calls become a loop: directly returned, and through
; the phis of an if/else; a call whose result is used is left alone.
define double @count(double %n, double %acc) {
entry:
  %c = fcmp ult double %n, 1.000000e+00
  br i1 %c, label %done, label %more

done:
  br label %join

more:
  %n1 = fsub double %n, 1.000000e+00
  %a1 = fadd double %acc, %n
  %r = call double @count(double %n1, double %a1)
  br label %join

join:
  %v = phi double [ %acc, %done ], [ %r, %more ]
  br label %out

out:
  %w = phi double [ %v, %join ]
  ret double %w
}

define double @direct(double %n) {
entry:
  %c = fcmp ult double %n, 1.000000e+00
  br i1 %c, label %done, label %more

done:
  ret double 7.000000e+00

more:
  %n1 = fsub double %n, 1.000000e+00
  %r = call double @direct(double %n1)
  ret double %r
}

define double @fib(double %x) {
entry:
  %c = fcmp ult double %x, 3.000000e+00
  br i1 %c, label %one, label %rec

one:
  ret double 1.000000e+00

rec:
  %a = fsub double %x, 1.000000e+00
  %fa = call double @fib(double %a)
  %b = fsub double %x, 2.000000e+00
  %fb = call double @fib(double %b)
  %s = fadd double %fa, %fb
  ret double %s
}

define i32 @main() {
entry:
  %a = call double @count(double 1.000000e+03, double 0.000000e+00)
  %b = call double @direct(double 1.000000e+03)
  %c = call double @fib(double 1.000000e+01)
  %s = fadd double %a, %b
  %t = fadd double %s, %c
  %m = frem double %t, 2.510000e+02
  %i = fptosi double %m to i32
  ret i32 %i
}
