; ModuleID = 't.c'
source_filename = "t.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@.str = private unnamed_addr constant [7 x i8] c"%f %f\0A\00", align 1

; Function Attrs: nofree nosync nounwind memory(none) uwtable
define dso_local double @fib(double noundef %0) local_unnamed_addr #0 {
  %2 = fcmp olt double %0, 3.000000e+00
  br i1 %2, label %3, label %5

3:                                                ; preds = %1, %5
  %4 = phi double [ %10, %5 ], [ 1.000000e+00, %1 ]
  ret double %4

5:                                                ; preds = %1
  %6 = fadd double %0, -1.000000e+00
  %7 = tail call double @fib(double noundef %6)
  %8 = fadd double %0, -2.000000e+00
  %9 = tail call double @fib(double noundef %8)
  %10 = fadd double %7, %9
  br label %3
}

; Function Attrs: nofree nounwind memory(write) uwtable
define dso_local double @loop(double noundef %0) local_unnamed_addr #1 {
  %2 = fcmp ogt double %0, 0.000000e+00
  br i1 %2, label %5, label %3

3:                                                ; preds = %5, %1
  %4 = phi double [ 0.000000e+00, %1 ], [ %9, %5 ]
  ret double %4

5:                                                ; preds = %1, %5
  %6 = phi double [ %10, %5 ], [ 0.000000e+00, %1 ]
  %7 = phi double [ %9, %5 ], [ 0.000000e+00, %1 ]
  %8 = tail call double @sin(double noundef %6) #6
  %9 = tail call double @llvm.fmuladd.f64(double %8, double %6, double %7)
  %10 = fadd double %6, 1.000000e+00
  %11 = fcmp olt double %10, %0
  br i1 %11, label %5, label %3, !llvm.loop !5
}

; Function Attrs: mustprogress nofree nounwind willreturn memory(write)
declare double @sin(double noundef) local_unnamed_addr #2

; Function Attrs: mustprogress nocallback nofree nosync nounwind speculatable willreturn memory(none)
declare double @llvm.fmuladd.f64(double, double, double) #3

; Function Attrs: nofree nounwind uwtable
define dso_local noundef i32 @main() local_unnamed_addr #4 {
  %1 = tail call double @fib(double noundef 2.000000e+01)
  br label %2

2:                                                ; preds = %2, %0
  %3 = phi i32 [ 0, %0 ], [ %8, %2 ]
  %4 = phi double [ 0.000000e+00, %0 ], [ %7, %2 ]
  %5 = uitofp nneg i32 %3 to double
  %6 = tail call double @sin(double noundef %5) #6
  %7 = tail call double @llvm.fmuladd.f64(double %6, double %5, double %4)
  %8 = add nuw nsw i32 %3, 1
  %9 = icmp eq i32 %8, 10
  br i1 %9, label %10, label %2, !llvm.loop !5

10:                                               ; preds = %2
  %11 = tail call i32 (ptr, ...) @printf(ptr noundef nonnull dereferenceable(1) @.str, double noundef %1, double noundef %7)
  ret i32 0
}

; Function Attrs: nofree nounwind
declare noundef i32 @printf(ptr nocapture noundef readonly, ...) local_unnamed_addr #5

attributes #0 = { nofree nosync nounwind memory(none) uwtable "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #1 = { nofree nounwind memory(write) uwtable "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #2 = { mustprogress nofree nounwind willreturn memory(write) "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #3 = { mustprogress nocallback nofree nosync nounwind speculatable willreturn memory(none) }
attributes #4 = { nofree nounwind uwtable "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #5 = { nofree nounwind "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #6 = { nounwind }

!llvm.module.flags = !{!0, !1, !2, !3}
!llvm.ident = !{!4}

!0 = !{i32 1, !"wchar_size", i32 4}
!1 = !{i32 8, !"PIC Level", i32 2}
!2 = !{i32 7, !"PIE Level", i32 2}
!3 = !{i32 7, !"uwtable", i32 2}
!4 = !{!"Debian clang version 19.1.7 (3~deb12u1)"}
!5 = distinct !{!5, !6, !7}
!6 = !{!"llvm.loop.mustprogress"}
!7 = !{!"llvm.loop.unroll.disable"}
