; Code-quality benchmark programs (as the Kaleidoscope front end emits
; them after optimization): recursive fib and a mandelbrot loop nest and
; a numeric integration.

define double @fib(double %x) {
entry:
  %cmptmp = fcmp ult double %x, 3.000000e+00
  br i1 %cmptmp, label %ifcont, label %else

else:
  %subtmp = fadd double %x, -1.000000e+00
  %calltmp = call double @fib(double %subtmp)
  %subtmp5 = fadd double %x, -2.000000e+00
  %calltmp6 = call double @fib(double %subtmp5)
  %addtmp = fadd double %calltmp, %calltmp6
  br label %ifcont

ifcont:
  %iftmp = phi double [ %addtmp, %else ], [ 1.000000e+00, %entry ]
  ret double %iftmp
}

define double @mandelconverge(double %real, double %imag, double %iters) {
entry:
  br label %loop

loop:
  %r = phi double [ %real, %entry ], [ %rn, %body ]
  %i = phi double [ %imag, %entry ], [ %in, %body ]
  %it = phi double [ 0.000000e+00, %entry ], [ %itn, %body ]
  %rr = fmul double %r, %r
  %ii = fmul double %i, %i
  %mag = fadd double %rr, %ii
  %big = fcmp ugt double %mag, 4.000000e+00
  %done = fcmp uge double %it, %iters
  %stop = or i1 %big, %done
  br i1 %stop, label %exit, label %body

body:
  %d = fsub double %rr, %ii
  %rn = fadd double %d, %real
  %ri = fmul double %r, 2.000000e+00
  %ri2 = fmul double %ri, %i
  %in = fadd double %ri2, %imag
  %itn = fadd double %it, 1.000000e+00
  br label %loop

exit:
  ret double %it
}

define double @mandel(double %xmin, double %ymin, double %step, double %n, double %iters) {
entry:
  br label %outer

outer:
  %y = phi double [ 0.000000e+00, %entry ], [ %y1, %outer.end ]
  %acc = phi double [ 0.000000e+00, %entry ], [ %acc3, %outer.end ]
  %yf = fmul double %y, %step
  %yc = fadd double %yf, %ymin
  br label %inner

inner:
  %x = phi double [ 0.000000e+00, %outer ], [ %x1, %inner ]
  %acc1 = phi double [ %acc, %outer ], [ %acc2, %inner ]
  %xf = fmul double %x, %step
  %xc = fadd double %xf, %xmin
  %k = call double @mandelconverge(double %xc, double %yc, double %iters)
  %acc2 = fadd double %acc1, %k
  %x1 = fadd double %x, 1.000000e+00
  %cx = fcmp ult double %x1, %n
  br i1 %cx, label %inner, label %outer.end

outer.end:
  %acc3 = phi double [ %acc2, %inner ]
  %y1 = fadd double %y, 1.000000e+00
  %cy = fcmp ult double %y1, %n
  br i1 %cy, label %outer, label %exit

exit:
  ret double %acc3
}

define double @integrate(double %a, double %b, double %n) {
entry:
  %w = fsub double %b, %a
  %h = fdiv double %w, %n
  br label %loop

loop:
  %i = phi double [ 0.000000e+00, %entry ], [ %i1, %loop ]
  %s = phi double [ 0.000000e+00, %entry ], [ %s1, %loop ]
  %ih = fadd double %i, 5.000000e-01
  %xh = fmul double %ih, %h
  %x = fadd double %a, %xh
  %x2 = fmul double %x, %x
  %den = fadd double %x2, 1.000000e+00
  %f = fdiv double 4.000000e+00, %den
  %s1 = fadd double %s, %f
  %i1 = fadd double %i, 1.000000e+00
  %c = fcmp ult double %i1, %n
  br i1 %c, label %loop, label %exit

exit:
  %r = fmul double %s1, %h
  ret double %r
}
