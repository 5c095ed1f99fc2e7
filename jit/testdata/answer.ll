; fib(12) - 102 = 42 through libm's floor (the code cache and linked-image tests)
declare double @floor(double)

define double @fib(double %x) {
entry:
  %c = fcmp ult double %x, 3.000000e+00
  br i1 %c, label %then, label %else
then:
  br label %done
else:
  %a = fsub double %x, 1.000000e+00
  %fa = call double @fib(double %a)
  %b = fsub double %x, 2.000000e+00
  %fb = call double @fib(double %b)
  %s = fadd double %fa, %fb
  br label %done
done:
  %r = phi double [ 1.000000e+00, %then ], [ %s, %else ]
  ret double %r
}

define i32 @answer() {
entry:
  %f = call double @fib(double 1.200000e+01)
  %g = call double @floor(double %f)
  %i = fptosi double %g to i32
  %r = sub i32 %i, 102
  ret i32 %r
}
