; ModuleID = 'k8.ks'
source_filename = "k8.ks"

@.fmt.eval = private unnamed_addr constant [17 x i8] c"Evaluated to %f\0A\00", align 1
@.fmt.printd = private unnamed_addr constant [4 x i8] c"%f\0A\00", align 1

declare i32 @printf(ptr, ...)

declare i32 @putchar(i32)

declare i32 @fflush(ptr)

define double @putchard(double %x) {
entry:
  %c = fptosi double %x to i32
  %0 = call i32 @putchar(i32 %c)
  ret double 0.000000e+00
}

define double @printd(double %x) {
entry:
  %0 = call i32 (ptr, ...) @printf(ptr @.fmt.printd, double %x)
  ret double 0.000000e+00
}

define double @"binary>"(double %a, double %b) {
entry:
  %a1 = alloca double, align 8
  %b1 = alloca double, align 8
  store double %a, ptr %a1, align 8
  store double %b, ptr %b1, align 8
  %b2 = load double, ptr %b1, align 8
  %a2 = load double, ptr %a1, align 8
  %cmptmp = fcmp ult double %b2, %a2
  %booltmp = uitofp i1 %cmptmp to double
  ret double %booltmp
}

define double @unary-(double %v) {
entry:
  %v1 = alloca double, align 8
  store double %v, ptr %v1, align 8
  %v2 = load double, ptr %v1, align 8
  %subtmp = fsub double 0.000000e+00, %v2
  ret double %subtmp
}

define double @"binary:"(double %x, double %y) {
entry:
  %x1 = alloca double, align 8
  %y1 = alloca double, align 8
  store double %x, ptr %x1, align 8
  store double %y, ptr %y1, align 8
  %y2 = load double, ptr %y1, align 8
  ret double %y2
}

define double @f0(double %x, double %y) {
entry:
  %x1 = alloca double, align 8
  %y1 = alloca double, align 8
  store double %x, ptr %x1, align 8
  store double %y, ptr %y1, align 8
  %x2 = load double, ptr %x1, align 8
  %y2 = load double, ptr %y1, align 8
  %addtmp = fadd double %x2, %y2
  ret double %addtmp
}

define double @f1(double %x, double %y) {
entry:
  %x1 = alloca double, align 8
  %y1 = alloca double, align 8
  %a = alloca double, align 8
  %b = alloca double, align 8
  %c = alloca double, align 8
  %i = alloca double, align 8
  store double %x, ptr %x1, align 8
  store double %y, ptr %y1, align 8
  %x2 = load double, ptr %x1, align 8
  %multmp = fmul double %x2, 1.500000e+00
  %addtmp = fadd double %multmp, 1.000000e+00
  store double %addtmp, ptr %a, align 8
  %y2 = load double, ptr %y1, align 8
  %subtmp = fsub double %y2, 1.000000e+00
  store double %subtmp, ptr %b, align 8
  store double 0.000000e+00, ptr %c, align 8
  store double 0.000000e+00, ptr %i, align 8
  br label %loop

loop:
  %c1 = load double, ptr %c, align 8
  %a1 = load double, ptr %a, align 8
  %i1 = load double, ptr %i, align 8
  %cmptmp = fcmp ult double %a1, %i1
  %booltmp = uitofp i1 %cmptmp to double
  %ifcond = fcmp one double %booltmp, 0.000000e+00
  br i1 %ifcond, label %then, label %else

then:
  %a2 = load double, ptr %a, align 8
  %multmp1 = fmul double %a2, 2.000000e+00
  %b1 = load double, ptr %b, align 8
  %addtmp1 = fadd double 1.000000e+00, 2.000000e+00
  %multmp2 = fmul double %b1, %addtmp1
  %subtmp1 = fsub double %multmp1, %multmp2
  br label %ifcont

else:
  %b2 = load double, ptr %b, align 8
  %multmp3 = fmul double %b2, 5.000000e-01
  %x3 = load double, ptr %x1, align 8
  %multmp4 = fmul double %x3, 3.000000e+00
  %addtmp2 = fadd double %multmp3, %multmp4
  br label %ifcont

ifcont:
  %iftmp = phi double [ %subtmp1, %then ], [ %addtmp2, %else ]
  %addtmp3 = fadd double %c1, %iftmp
  store double %addtmp3, ptr %c, align 8
  %b3 = load double, ptr %b, align 8
  %c2 = load double, ptr %c, align 8
  %multmp5 = fmul double %c2, 2.500000e-01
  %addtmp4 = fadd double %b3, %multmp5
  store double %addtmp4, ptr %b, align 8
  %binop = call double @"binary:"(double %addtmp3, double %addtmp4)
  %i2 = load double, ptr %i, align 8
  %cmptmp1 = fcmp ult double %i2, 4.000000e+00
  %booltmp1 = uitofp i1 %cmptmp1 to double
  %i3 = load double, ptr %i, align 8
  %nextvar = fadd double %i3, 1.000000e+00
  store double %nextvar, ptr %i, align 8
  %loopcond = fcmp one double %booltmp1, 0.000000e+00
  br i1 %loopcond, label %loop, label %afterloop

afterloop:
  %c3 = load double, ptr %c, align 8
  %binop1 = call double @"binary>"(double %c3, double 1.000000e+02)
  %ifcond1 = fcmp one double %binop1, 0.000000e+00
  br i1 %ifcond1, label %then1, label %else1

then1:
  %c4 = load double, ptr %c, align 8
  %a3 = load double, ptr %a, align 8
  %b4 = load double, ptr %b, align 8
  %multmp6 = fmul double %a3, %b4
  %subtmp2 = fsub double %c4, %multmp6
  br label %ifcont1

else1:
  %c5 = load double, ptr %c, align 8
  %a4 = load double, ptr %a, align 8
  %y3 = load double, ptr %y1, align 8
  %addtmp5 = fadd double %y3, 1.000000e+00
  %multmp7 = fmul double %a4, %addtmp5
  %addtmp6 = fadd double %c5, %multmp7
  %unop = call double @unary-(double %addtmp6)
  br label %ifcont1

ifcont1:
  %iftmp1 = phi double [ %subtmp2, %then1 ], [ %unop, %else1 ]
  %multmp8 = fmul double %iftmp1, 1.000000e-03
  %b5 = load double, ptr %b, align 8
  %multmp9 = fmul double %b5, 1.000000e-03
  %x4 = load double, ptr %x1, align 8
  %calltmp = call double @f0(double %multmp9, double %x4)
  %addtmp7 = fadd double %multmp8, %calltmp
  %binop2 = call double @"binary:"(double 0.000000e+00, double %addtmp7)
  ret double %binop2
}

define double @f2(double %x, double %y) {
entry:
  %x1 = alloca double, align 8
  %y1 = alloca double, align 8
  %a = alloca double, align 8
  %b = alloca double, align 8
  %c = alloca double, align 8
  %i = alloca double, align 8
  store double %x, ptr %x1, align 8
  store double %y, ptr %y1, align 8
  %x2 = load double, ptr %x1, align 8
  %multmp = fmul double %x2, 2.500000e+00
  %addtmp = fadd double %multmp, 1.000000e+00
  store double %addtmp, ptr %a, align 8
  %y2 = load double, ptr %y1, align 8
  %subtmp = fsub double %y2, 2.000000e+00
  store double %subtmp, ptr %b, align 8
  store double 0.000000e+00, ptr %c, align 8
  store double 0.000000e+00, ptr %i, align 8
  br label %loop

loop:
  %c1 = load double, ptr %c, align 8
  %a1 = load double, ptr %a, align 8
  %i1 = load double, ptr %i, align 8
  %cmptmp = fcmp ult double %a1, %i1
  %booltmp = uitofp i1 %cmptmp to double
  %ifcond = fcmp one double %booltmp, 0.000000e+00
  br i1 %ifcond, label %then, label %else

then:
  %a2 = load double, ptr %a, align 8
  %multmp1 = fmul double %a2, 2.000000e+00
  %b1 = load double, ptr %b, align 8
  %addtmp1 = fadd double 1.000000e+00, 2.000000e+00
  %multmp2 = fmul double %b1, %addtmp1
  %subtmp1 = fsub double %multmp1, %multmp2
  br label %ifcont

else:
  %b2 = load double, ptr %b, align 8
  %multmp3 = fmul double %b2, 5.000000e-01
  %x3 = load double, ptr %x1, align 8
  %multmp4 = fmul double %x3, 3.000000e+00
  %addtmp2 = fadd double %multmp3, %multmp4
  br label %ifcont

ifcont:
  %iftmp = phi double [ %subtmp1, %then ], [ %addtmp2, %else ]
  %addtmp3 = fadd double %c1, %iftmp
  store double %addtmp3, ptr %c, align 8
  %b3 = load double, ptr %b, align 8
  %c2 = load double, ptr %c, align 8
  %multmp5 = fmul double %c2, 2.500000e-01
  %addtmp4 = fadd double %b3, %multmp5
  store double %addtmp4, ptr %b, align 8
  %binop = call double @"binary:"(double %addtmp3, double %addtmp4)
  %i2 = load double, ptr %i, align 8
  %cmptmp1 = fcmp ult double %i2, 4.000000e+00
  %booltmp1 = uitofp i1 %cmptmp1 to double
  %i3 = load double, ptr %i, align 8
  %nextvar = fadd double %i3, 1.000000e+00
  store double %nextvar, ptr %i, align 8
  %loopcond = fcmp one double %booltmp1, 0.000000e+00
  br i1 %loopcond, label %loop, label %afterloop

afterloop:
  %c3 = load double, ptr %c, align 8
  %binop1 = call double @"binary>"(double %c3, double 1.000000e+02)
  %ifcond1 = fcmp one double %binop1, 0.000000e+00
  br i1 %ifcond1, label %then1, label %else1

then1:
  %c4 = load double, ptr %c, align 8
  %a3 = load double, ptr %a, align 8
  %b4 = load double, ptr %b, align 8
  %multmp6 = fmul double %a3, %b4
  %subtmp2 = fsub double %c4, %multmp6
  br label %ifcont1

else1:
  %c5 = load double, ptr %c, align 8
  %a4 = load double, ptr %a, align 8
  %y3 = load double, ptr %y1, align 8
  %addtmp5 = fadd double %y3, 2.000000e+00
  %multmp7 = fmul double %a4, %addtmp5
  %addtmp6 = fadd double %c5, %multmp7
  %unop = call double @unary-(double %addtmp6)
  br label %ifcont1

ifcont1:
  %iftmp1 = phi double [ %subtmp2, %then1 ], [ %unop, %else1 ]
  %multmp8 = fmul double %iftmp1, 1.000000e-03
  %b5 = load double, ptr %b, align 8
  %multmp9 = fmul double %b5, 1.000000e-03
  %x4 = load double, ptr %x1, align 8
  %calltmp = call double @f1(double %multmp9, double %x4)
  %addtmp7 = fadd double %multmp8, %calltmp
  %binop2 = call double @"binary:"(double 0.000000e+00, double %addtmp7)
  ret double %binop2
}

define double @f3(double %x, double %y) {
entry:
  %x1 = alloca double, align 8
  %y1 = alloca double, align 8
  %a = alloca double, align 8
  %b = alloca double, align 8
  %c = alloca double, align 8
  %i = alloca double, align 8
  store double %x, ptr %x1, align 8
  store double %y, ptr %y1, align 8
  %x2 = load double, ptr %x1, align 8
  %multmp = fmul double %x2, 3.500000e+00
  %addtmp = fadd double %multmp, 1.000000e+00
  store double %addtmp, ptr %a, align 8
  %y2 = load double, ptr %y1, align 8
  %subtmp = fsub double %y2, 3.000000e+00
  store double %subtmp, ptr %b, align 8
  store double 0.000000e+00, ptr %c, align 8
  store double 0.000000e+00, ptr %i, align 8
  br label %loop

loop:
  %c1 = load double, ptr %c, align 8
  %a1 = load double, ptr %a, align 8
  %i1 = load double, ptr %i, align 8
  %cmptmp = fcmp ult double %a1, %i1
  %booltmp = uitofp i1 %cmptmp to double
  %ifcond = fcmp one double %booltmp, 0.000000e+00
  br i1 %ifcond, label %then, label %else

then:
  %a2 = load double, ptr %a, align 8
  %multmp1 = fmul double %a2, 2.000000e+00
  %b1 = load double, ptr %b, align 8
  %addtmp1 = fadd double 1.000000e+00, 2.000000e+00
  %multmp2 = fmul double %b1, %addtmp1
  %subtmp1 = fsub double %multmp1, %multmp2
  br label %ifcont

else:
  %b2 = load double, ptr %b, align 8
  %multmp3 = fmul double %b2, 5.000000e-01
  %x3 = load double, ptr %x1, align 8
  %multmp4 = fmul double %x3, 3.000000e+00
  %addtmp2 = fadd double %multmp3, %multmp4
  br label %ifcont

ifcont:
  %iftmp = phi double [ %subtmp1, %then ], [ %addtmp2, %else ]
  %addtmp3 = fadd double %c1, %iftmp
  store double %addtmp3, ptr %c, align 8
  %b3 = load double, ptr %b, align 8
  %c2 = load double, ptr %c, align 8
  %multmp5 = fmul double %c2, 2.500000e-01
  %addtmp4 = fadd double %b3, %multmp5
  store double %addtmp4, ptr %b, align 8
  %binop = call double @"binary:"(double %addtmp3, double %addtmp4)
  %i2 = load double, ptr %i, align 8
  %cmptmp1 = fcmp ult double %i2, 4.000000e+00
  %booltmp1 = uitofp i1 %cmptmp1 to double
  %i3 = load double, ptr %i, align 8
  %nextvar = fadd double %i3, 1.000000e+00
  store double %nextvar, ptr %i, align 8
  %loopcond = fcmp one double %booltmp1, 0.000000e+00
  br i1 %loopcond, label %loop, label %afterloop

afterloop:
  %c3 = load double, ptr %c, align 8
  %binop1 = call double @"binary>"(double %c3, double 1.000000e+02)
  %ifcond1 = fcmp one double %binop1, 0.000000e+00
  br i1 %ifcond1, label %then1, label %else1

then1:
  %c4 = load double, ptr %c, align 8
  %a3 = load double, ptr %a, align 8
  %b4 = load double, ptr %b, align 8
  %multmp6 = fmul double %a3, %b4
  %subtmp2 = fsub double %c4, %multmp6
  br label %ifcont1

else1:
  %c5 = load double, ptr %c, align 8
  %a4 = load double, ptr %a, align 8
  %y3 = load double, ptr %y1, align 8
  %addtmp5 = fadd double %y3, 3.000000e+00
  %multmp7 = fmul double %a4, %addtmp5
  %addtmp6 = fadd double %c5, %multmp7
  %unop = call double @unary-(double %addtmp6)
  br label %ifcont1

ifcont1:
  %iftmp1 = phi double [ %subtmp2, %then1 ], [ %unop, %else1 ]
  %multmp8 = fmul double %iftmp1, 1.000000e-03
  %b5 = load double, ptr %b, align 8
  %multmp9 = fmul double %b5, 1.000000e-03
  %x4 = load double, ptr %x1, align 8
  %calltmp = call double @f2(double %multmp9, double %x4)
  %addtmp7 = fadd double %multmp8, %calltmp
  %binop2 = call double @"binary:"(double 0.000000e+00, double %addtmp7)
  ret double %binop2
}

define double @f4(double %x, double %y) {
entry:
  %x1 = alloca double, align 8
  %y1 = alloca double, align 8
  %a = alloca double, align 8
  %b = alloca double, align 8
  %c = alloca double, align 8
  %i = alloca double, align 8
  store double %x, ptr %x1, align 8
  store double %y, ptr %y1, align 8
  %x2 = load double, ptr %x1, align 8
  %multmp = fmul double %x2, 4.500000e+00
  %addtmp = fadd double %multmp, 1.000000e+00
  store double %addtmp, ptr %a, align 8
  %y2 = load double, ptr %y1, align 8
  %subtmp = fsub double %y2, 4.000000e+00
  store double %subtmp, ptr %b, align 8
  store double 0.000000e+00, ptr %c, align 8
  store double 0.000000e+00, ptr %i, align 8
  br label %loop

loop:
  %c1 = load double, ptr %c, align 8
  %a1 = load double, ptr %a, align 8
  %i1 = load double, ptr %i, align 8
  %cmptmp = fcmp ult double %a1, %i1
  %booltmp = uitofp i1 %cmptmp to double
  %ifcond = fcmp one double %booltmp, 0.000000e+00
  br i1 %ifcond, label %then, label %else

then:
  %a2 = load double, ptr %a, align 8
  %multmp1 = fmul double %a2, 2.000000e+00
  %b1 = load double, ptr %b, align 8
  %addtmp1 = fadd double 1.000000e+00, 2.000000e+00
  %multmp2 = fmul double %b1, %addtmp1
  %subtmp1 = fsub double %multmp1, %multmp2
  br label %ifcont

else:
  %b2 = load double, ptr %b, align 8
  %multmp3 = fmul double %b2, 5.000000e-01
  %x3 = load double, ptr %x1, align 8
  %multmp4 = fmul double %x3, 3.000000e+00
  %addtmp2 = fadd double %multmp3, %multmp4
  br label %ifcont

ifcont:
  %iftmp = phi double [ %subtmp1, %then ], [ %addtmp2, %else ]
  %addtmp3 = fadd double %c1, %iftmp
  store double %addtmp3, ptr %c, align 8
  %b3 = load double, ptr %b, align 8
  %c2 = load double, ptr %c, align 8
  %multmp5 = fmul double %c2, 2.500000e-01
  %addtmp4 = fadd double %b3, %multmp5
  store double %addtmp4, ptr %b, align 8
  %binop = call double @"binary:"(double %addtmp3, double %addtmp4)
  %i2 = load double, ptr %i, align 8
  %cmptmp1 = fcmp ult double %i2, 4.000000e+00
  %booltmp1 = uitofp i1 %cmptmp1 to double
  %i3 = load double, ptr %i, align 8
  %nextvar = fadd double %i3, 1.000000e+00
  store double %nextvar, ptr %i, align 8
  %loopcond = fcmp one double %booltmp1, 0.000000e+00
  br i1 %loopcond, label %loop, label %afterloop

afterloop:
  %c3 = load double, ptr %c, align 8
  %binop1 = call double @"binary>"(double %c3, double 1.000000e+02)
  %ifcond1 = fcmp one double %binop1, 0.000000e+00
  br i1 %ifcond1, label %then1, label %else1

then1:
  %c4 = load double, ptr %c, align 8
  %a3 = load double, ptr %a, align 8
  %b4 = load double, ptr %b, align 8
  %multmp6 = fmul double %a3, %b4
  %subtmp2 = fsub double %c4, %multmp6
  br label %ifcont1

else1:
  %c5 = load double, ptr %c, align 8
  %a4 = load double, ptr %a, align 8
  %y3 = load double, ptr %y1, align 8
  %addtmp5 = fadd double %y3, 4.000000e+00
  %multmp7 = fmul double %a4, %addtmp5
  %addtmp6 = fadd double %c5, %multmp7
  %unop = call double @unary-(double %addtmp6)
  br label %ifcont1

ifcont1:
  %iftmp1 = phi double [ %subtmp2, %then1 ], [ %unop, %else1 ]
  %multmp8 = fmul double %iftmp1, 1.000000e-03
  %b5 = load double, ptr %b, align 8
  %multmp9 = fmul double %b5, 1.000000e-03
  %x4 = load double, ptr %x1, align 8
  %calltmp = call double @f3(double %multmp9, double %x4)
  %addtmp7 = fadd double %multmp8, %calltmp
  %binop2 = call double @"binary:"(double 0.000000e+00, double %addtmp7)
  ret double %binop2
}

define double @f5(double %x, double %y) {
entry:
  %x1 = alloca double, align 8
  %y1 = alloca double, align 8
  %a = alloca double, align 8
  %b = alloca double, align 8
  %c = alloca double, align 8
  %i = alloca double, align 8
  store double %x, ptr %x1, align 8
  store double %y, ptr %y1, align 8
  %x2 = load double, ptr %x1, align 8
  %multmp = fmul double %x2, 5.500000e+00
  %addtmp = fadd double %multmp, 1.000000e+00
  store double %addtmp, ptr %a, align 8
  %y2 = load double, ptr %y1, align 8
  %subtmp = fsub double %y2, 5.000000e+00
  store double %subtmp, ptr %b, align 8
  store double 0.000000e+00, ptr %c, align 8
  store double 0.000000e+00, ptr %i, align 8
  br label %loop

loop:
  %c1 = load double, ptr %c, align 8
  %a1 = load double, ptr %a, align 8
  %i1 = load double, ptr %i, align 8
  %cmptmp = fcmp ult double %a1, %i1
  %booltmp = uitofp i1 %cmptmp to double
  %ifcond = fcmp one double %booltmp, 0.000000e+00
  br i1 %ifcond, label %then, label %else

then:
  %a2 = load double, ptr %a, align 8
  %multmp1 = fmul double %a2, 2.000000e+00
  %b1 = load double, ptr %b, align 8
  %addtmp1 = fadd double 1.000000e+00, 2.000000e+00
  %multmp2 = fmul double %b1, %addtmp1
  %subtmp1 = fsub double %multmp1, %multmp2
  br label %ifcont

else:
  %b2 = load double, ptr %b, align 8
  %multmp3 = fmul double %b2, 5.000000e-01
  %x3 = load double, ptr %x1, align 8
  %multmp4 = fmul double %x3, 3.000000e+00
  %addtmp2 = fadd double %multmp3, %multmp4
  br label %ifcont

ifcont:
  %iftmp = phi double [ %subtmp1, %then ], [ %addtmp2, %else ]
  %addtmp3 = fadd double %c1, %iftmp
  store double %addtmp3, ptr %c, align 8
  %b3 = load double, ptr %b, align 8
  %c2 = load double, ptr %c, align 8
  %multmp5 = fmul double %c2, 2.500000e-01
  %addtmp4 = fadd double %b3, %multmp5
  store double %addtmp4, ptr %b, align 8
  %binop = call double @"binary:"(double %addtmp3, double %addtmp4)
  %i2 = load double, ptr %i, align 8
  %cmptmp1 = fcmp ult double %i2, 4.000000e+00
  %booltmp1 = uitofp i1 %cmptmp1 to double
  %i3 = load double, ptr %i, align 8
  %nextvar = fadd double %i3, 1.000000e+00
  store double %nextvar, ptr %i, align 8
  %loopcond = fcmp one double %booltmp1, 0.000000e+00
  br i1 %loopcond, label %loop, label %afterloop

afterloop:
  %c3 = load double, ptr %c, align 8
  %binop1 = call double @"binary>"(double %c3, double 1.000000e+02)
  %ifcond1 = fcmp one double %binop1, 0.000000e+00
  br i1 %ifcond1, label %then1, label %else1

then1:
  %c4 = load double, ptr %c, align 8
  %a3 = load double, ptr %a, align 8
  %b4 = load double, ptr %b, align 8
  %multmp6 = fmul double %a3, %b4
  %subtmp2 = fsub double %c4, %multmp6
  br label %ifcont1

else1:
  %c5 = load double, ptr %c, align 8
  %a4 = load double, ptr %a, align 8
  %y3 = load double, ptr %y1, align 8
  %addtmp5 = fadd double %y3, 5.000000e+00
  %multmp7 = fmul double %a4, %addtmp5
  %addtmp6 = fadd double %c5, %multmp7
  %unop = call double @unary-(double %addtmp6)
  br label %ifcont1

ifcont1:
  %iftmp1 = phi double [ %subtmp2, %then1 ], [ %unop, %else1 ]
  %multmp8 = fmul double %iftmp1, 1.000000e-03
  %b5 = load double, ptr %b, align 8
  %multmp9 = fmul double %b5, 1.000000e-03
  %x4 = load double, ptr %x1, align 8
  %calltmp = call double @f4(double %multmp9, double %x4)
  %addtmp7 = fadd double %multmp8, %calltmp
  %binop2 = call double @"binary:"(double 0.000000e+00, double %addtmp7)
  ret double %binop2
}

define double @f6(double %x, double %y) {
entry:
  %x1 = alloca double, align 8
  %y1 = alloca double, align 8
  %a = alloca double, align 8
  %b = alloca double, align 8
  %c = alloca double, align 8
  %i = alloca double, align 8
  store double %x, ptr %x1, align 8
  store double %y, ptr %y1, align 8
  %x2 = load double, ptr %x1, align 8
  %multmp = fmul double %x2, 6.500000e+00
  %addtmp = fadd double %multmp, 1.000000e+00
  store double %addtmp, ptr %a, align 8
  %y2 = load double, ptr %y1, align 8
  %subtmp = fsub double %y2, 6.000000e+00
  store double %subtmp, ptr %b, align 8
  store double 0.000000e+00, ptr %c, align 8
  store double 0.000000e+00, ptr %i, align 8
  br label %loop

loop:
  %c1 = load double, ptr %c, align 8
  %a1 = load double, ptr %a, align 8
  %i1 = load double, ptr %i, align 8
  %cmptmp = fcmp ult double %a1, %i1
  %booltmp = uitofp i1 %cmptmp to double
  %ifcond = fcmp one double %booltmp, 0.000000e+00
  br i1 %ifcond, label %then, label %else

then:
  %a2 = load double, ptr %a, align 8
  %multmp1 = fmul double %a2, 2.000000e+00
  %b1 = load double, ptr %b, align 8
  %addtmp1 = fadd double 1.000000e+00, 2.000000e+00
  %multmp2 = fmul double %b1, %addtmp1
  %subtmp1 = fsub double %multmp1, %multmp2
  br label %ifcont

else:
  %b2 = load double, ptr %b, align 8
  %multmp3 = fmul double %b2, 5.000000e-01
  %x3 = load double, ptr %x1, align 8
  %multmp4 = fmul double %x3, 3.000000e+00
  %addtmp2 = fadd double %multmp3, %multmp4
  br label %ifcont

ifcont:
  %iftmp = phi double [ %subtmp1, %then ], [ %addtmp2, %else ]
  %addtmp3 = fadd double %c1, %iftmp
  store double %addtmp3, ptr %c, align 8
  %b3 = load double, ptr %b, align 8
  %c2 = load double, ptr %c, align 8
  %multmp5 = fmul double %c2, 2.500000e-01
  %addtmp4 = fadd double %b3, %multmp5
  store double %addtmp4, ptr %b, align 8
  %binop = call double @"binary:"(double %addtmp3, double %addtmp4)
  %i2 = load double, ptr %i, align 8
  %cmptmp1 = fcmp ult double %i2, 4.000000e+00
  %booltmp1 = uitofp i1 %cmptmp1 to double
  %i3 = load double, ptr %i, align 8
  %nextvar = fadd double %i3, 1.000000e+00
  store double %nextvar, ptr %i, align 8
  %loopcond = fcmp one double %booltmp1, 0.000000e+00
  br i1 %loopcond, label %loop, label %afterloop

afterloop:
  %c3 = load double, ptr %c, align 8
  %binop1 = call double @"binary>"(double %c3, double 1.000000e+02)
  %ifcond1 = fcmp one double %binop1, 0.000000e+00
  br i1 %ifcond1, label %then1, label %else1

then1:
  %c4 = load double, ptr %c, align 8
  %a3 = load double, ptr %a, align 8
  %b4 = load double, ptr %b, align 8
  %multmp6 = fmul double %a3, %b4
  %subtmp2 = fsub double %c4, %multmp6
  br label %ifcont1

else1:
  %c5 = load double, ptr %c, align 8
  %a4 = load double, ptr %a, align 8
  %y3 = load double, ptr %y1, align 8
  %addtmp5 = fadd double %y3, 6.000000e+00
  %multmp7 = fmul double %a4, %addtmp5
  %addtmp6 = fadd double %c5, %multmp7
  %unop = call double @unary-(double %addtmp6)
  br label %ifcont1

ifcont1:
  %iftmp1 = phi double [ %subtmp2, %then1 ], [ %unop, %else1 ]
  %multmp8 = fmul double %iftmp1, 1.000000e-03
  %b5 = load double, ptr %b, align 8
  %multmp9 = fmul double %b5, 1.000000e-03
  %x4 = load double, ptr %x1, align 8
  %calltmp = call double @f5(double %multmp9, double %x4)
  %addtmp7 = fadd double %multmp8, %calltmp
  %binop2 = call double @"binary:"(double 0.000000e+00, double %addtmp7)
  ret double %binop2
}

define double @f7(double %x, double %y) {
entry:
  %x1 = alloca double, align 8
  %y1 = alloca double, align 8
  %a = alloca double, align 8
  %b = alloca double, align 8
  %c = alloca double, align 8
  %i = alloca double, align 8
  store double %x, ptr %x1, align 8
  store double %y, ptr %y1, align 8
  %x2 = load double, ptr %x1, align 8
  %multmp = fmul double %x2, 7.500000e+00
  %addtmp = fadd double %multmp, 1.000000e+00
  store double %addtmp, ptr %a, align 8
  %y2 = load double, ptr %y1, align 8
  %subtmp = fsub double %y2, 7.000000e+00
  store double %subtmp, ptr %b, align 8
  store double 0.000000e+00, ptr %c, align 8
  store double 0.000000e+00, ptr %i, align 8
  br label %loop

loop:
  %c1 = load double, ptr %c, align 8
  %a1 = load double, ptr %a, align 8
  %i1 = load double, ptr %i, align 8
  %cmptmp = fcmp ult double %a1, %i1
  %booltmp = uitofp i1 %cmptmp to double
  %ifcond = fcmp one double %booltmp, 0.000000e+00
  br i1 %ifcond, label %then, label %else

then:
  %a2 = load double, ptr %a, align 8
  %multmp1 = fmul double %a2, 2.000000e+00
  %b1 = load double, ptr %b, align 8
  %addtmp1 = fadd double 1.000000e+00, 2.000000e+00
  %multmp2 = fmul double %b1, %addtmp1
  %subtmp1 = fsub double %multmp1, %multmp2
  br label %ifcont

else:
  %b2 = load double, ptr %b, align 8
  %multmp3 = fmul double %b2, 5.000000e-01
  %x3 = load double, ptr %x1, align 8
  %multmp4 = fmul double %x3, 3.000000e+00
  %addtmp2 = fadd double %multmp3, %multmp4
  br label %ifcont

ifcont:
  %iftmp = phi double [ %subtmp1, %then ], [ %addtmp2, %else ]
  %addtmp3 = fadd double %c1, %iftmp
  store double %addtmp3, ptr %c, align 8
  %b3 = load double, ptr %b, align 8
  %c2 = load double, ptr %c, align 8
  %multmp5 = fmul double %c2, 2.500000e-01
  %addtmp4 = fadd double %b3, %multmp5
  store double %addtmp4, ptr %b, align 8
  %binop = call double @"binary:"(double %addtmp3, double %addtmp4)
  %i2 = load double, ptr %i, align 8
  %cmptmp1 = fcmp ult double %i2, 4.000000e+00
  %booltmp1 = uitofp i1 %cmptmp1 to double
  %i3 = load double, ptr %i, align 8
  %nextvar = fadd double %i3, 1.000000e+00
  store double %nextvar, ptr %i, align 8
  %loopcond = fcmp one double %booltmp1, 0.000000e+00
  br i1 %loopcond, label %loop, label %afterloop

afterloop:
  %c3 = load double, ptr %c, align 8
  %binop1 = call double @"binary>"(double %c3, double 1.000000e+02)
  %ifcond1 = fcmp one double %binop1, 0.000000e+00
  br i1 %ifcond1, label %then1, label %else1

then1:
  %c4 = load double, ptr %c, align 8
  %a3 = load double, ptr %a, align 8
  %b4 = load double, ptr %b, align 8
  %multmp6 = fmul double %a3, %b4
  %subtmp2 = fsub double %c4, %multmp6
  br label %ifcont1

else1:
  %c5 = load double, ptr %c, align 8
  %a4 = load double, ptr %a, align 8
  %y3 = load double, ptr %y1, align 8
  %addtmp5 = fadd double %y3, 0.000000e+00
  %multmp7 = fmul double %a4, %addtmp5
  %addtmp6 = fadd double %c5, %multmp7
  %unop = call double @unary-(double %addtmp6)
  br label %ifcont1

ifcont1:
  %iftmp1 = phi double [ %subtmp2, %then1 ], [ %unop, %else1 ]
  %multmp8 = fmul double %iftmp1, 1.000000e-03
  %b5 = load double, ptr %b, align 8
  %multmp9 = fmul double %b5, 1.000000e-03
  %x4 = load double, ptr %x1, align 8
  %calltmp = call double @f6(double %multmp9, double %x4)
  %addtmp7 = fadd double %multmp8, %calltmp
  %binop2 = call double @"binary:"(double 0.000000e+00, double %addtmp7)
  ret double %binop2
}

define double @__anon_expr() {
entry:
  %calltmp = call double @f7(double 1.000000e+00, double 2.000000e+00)
  ret double %calltmp
}

define i32 @main() {
entry:
  %v = call double @__anon_expr()
  %0 = call i32 (ptr, ...) @printf(ptr @.fmt.eval, double %v)
  %1 = call i32 @fflush(ptr null)
  ret i32 0
}
