; ModuleID = 't.c'
source_filename = "t.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@.str = private unnamed_addr constant [7 x i8] c"%f %f\0A\00", align 1

; Function Attrs: noinline nounwind optnone uwtable
define dso_local double @fib(double noundef %0) #0 {
  %2 = alloca double, align 8
  store double %0, ptr %2, align 8
  %3 = load double, ptr %2, align 8
  %4 = fcmp olt double %3, 3.000000e+00
  br i1 %4, label %5, label %6

5:                                                ; preds = %1
  br label %14

6:                                                ; preds = %1
  %7 = load double, ptr %2, align 8
  %8 = fsub double %7, 1.000000e+00
  %9 = call double @fib(double noundef %8)
  %10 = load double, ptr %2, align 8
  %11 = fsub double %10, 2.000000e+00
  %12 = call double @fib(double noundef %11)
  %13 = fadd double %9, %12
  br label %14

14:                                               ; preds = %6, %5
  %15 = phi double [ 1.000000e+00, %5 ], [ %13, %6 ]
  ret double %15
}

; Function Attrs: noinline nounwind optnone uwtable
define dso_local double @loop(double noundef %0) #0 {
  %2 = alloca double, align 8
  %3 = alloca double, align 8
  %4 = alloca double, align 8
  store double %0, ptr %2, align 8
  store double 0.000000e+00, ptr %3, align 8
  store double 0.000000e+00, ptr %4, align 8
  br label %5

5:                                                ; preds = %15, %1
  %6 = load double, ptr %4, align 8
  %7 = load double, ptr %2, align 8
  %8 = fcmp olt double %6, %7
  br i1 %8, label %9, label %18

9:                                                ; preds = %5
  %10 = load double, ptr %4, align 8
  %11 = call double @sin(double noundef %10) #4
  %12 = load double, ptr %4, align 8
  %13 = load double, ptr %3, align 8
  %14 = call double @llvm.fmuladd.f64(double %11, double %12, double %13)
  store double %14, ptr %3, align 8
  br label %15

15:                                               ; preds = %9
  %16 = load double, ptr %4, align 8
  %17 = fadd double %16, 1.000000e+00
  store double %17, ptr %4, align 8
  br label %5, !llvm.loop !6

18:                                               ; preds = %5
  %19 = load double, ptr %3, align 8
  ret double %19
}

; Function Attrs: nounwind
declare double @sin(double noundef) #1

; Function Attrs: nocallback nofree nosync nounwind speculatable willreturn memory(none)
declare double @llvm.fmuladd.f64(double, double, double) #2

; Function Attrs: noinline nounwind optnone uwtable
define dso_local i32 @main() #0 {
  %1 = alloca i32, align 4
  store i32 0, ptr %1, align 4
  %2 = call double @fib(double noundef 2.000000e+01)
  %3 = call double @loop(double noundef 1.000000e+01)
  %4 = call i32 (ptr, ...) @printf(ptr noundef @.str, double noundef %2, double noundef %3)
  ret i32 0
}

declare i32 @printf(ptr noundef, ...) #3

attributes #0 = { noinline nounwind optnone uwtable "frame-pointer"="all" "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #1 = { nounwind "frame-pointer"="all" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #2 = { nocallback nofree nosync nounwind speculatable willreturn memory(none) }
attributes #3 = { "frame-pointer"="all" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #4 = { nounwind }

!llvm.module.flags = !{!0, !1, !2, !3, !4}
!llvm.ident = !{!5}

!0 = !{i32 1, !"wchar_size", i32 4}
!1 = !{i32 8, !"PIC Level", i32 2}
!2 = !{i32 7, !"PIE Level", i32 2}
!3 = !{i32 7, !"uwtable", i32 2}
!4 = !{i32 7, !"frame-pointer", i32 2}
!5 = !{!"Debian clang version 19.1.7 (3~deb12u1)"}
!6 = distinct !{!6, !7}
!7 = !{!"llvm.loop.mustprogress"}
