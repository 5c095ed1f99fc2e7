; ModuleID = 'my cool jit'
source_filename = "my cool jit"

define double @foo(double %x) {
entry:
  %addtmp = fadd double %x, 1.000000e+00
  %multmp = fmul fast double %addtmp, 0x3FF8000000000000
  %cmptmp = fcmp ult double %multmp, 1.000000e+01
  %booltmp = uitofp i1 %cmptmp to double
  ret double %booltmp
}

declare double @sin(double) #0

define double @fib(double %x) #0 {
entry:
  %x1 = alloca double, align 8
  store double %x, ptr %x1, align 8
  %x2 = load double, ptr %x1, align 8
  %cmptmp = fcmp ult double %x2, 3.000000e+00
  %booltmp = uitofp i1 %cmptmp to double
  %ifcond = fcmp one double %booltmp, 0.000000e+00
  br i1 %ifcond, label %then, label %else

then:                                             ; preds = %entry
  br label %ifcont

else:                                             ; preds = %entry
  %x3 = load double, ptr %x1, align 8
  %subtmp = fsub double %x3, 1.000000e+00
  %calltmp = call double @fib(double %subtmp)
  %x4 = load double, ptr %x1, align 8
  %subtmp5 = fsub double %x4, 2.000000e+00
  %calltmp6 = call double @fib(double %subtmp5)
  %addtmp = fadd double %calltmp, %calltmp6
  br label %ifcont

ifcont:                                           ; preds = %else, %then
  %iftmp = phi double [ 1.000000e+00, %then ], [ %addtmp, %else ]
  ret double %iftmp
}

define i32 @main() {
entry:
  %r = call double @fib(double 1.000000e+01)
  %s = call double @sin(double 0.000000e+00)
  %t = fadd double %r, %s
  %u = call double @foo(double %t)
  %i = fptosi double %r to i32
  ret i32 %i
}

attributes #0 = { nounwind "frame-pointer"="all" }

!llvm.module.flags = !{!0, !1}
!0 = !{i32 1, !"wchar_size", i32 4}
!1 = !{i32 7, !"uwtable", i32 2}
