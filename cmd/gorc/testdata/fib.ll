; ModuleID = 'tutorial'
source_filename = "tutorial"

declare i32 @printf(ptr, ...)

@fmt = private constant [14 x i8] c"fib(%d) = %f\0A\00"

define double @fib(double %x) {
entry:
  %cmptmp = fcmp ult double %x, 3.000000e+00
  br i1 %cmptmp, label %then, label %else
then:
  br label %ifcont
else:
  %subtmp = fsub double %x, 1.000000e+00
  %calltmp = call double @fib(double %subtmp)
  %subtmp1 = fsub double %x, 2.000000e+00
  %calltmp2 = call double @fib(double %subtmp1)
  %addtmp = fadd double %calltmp, %calltmp2
  br label %ifcont
ifcont:
  %iftmp = phi double [ 1.000000e+00, %then ], [ %addtmp, %else ]
  ret double %iftmp
}

define i32 @main() {
entry:
  %r = call double @fib(double 2.000000e+01)
  %c = call i32 (ptr, ...) @printf(ptr @fmt, i32 20, double %r)
  %i = fptosi double %r to i32
  %m = srem i32 %i, 256
  ret i32 %m
}
