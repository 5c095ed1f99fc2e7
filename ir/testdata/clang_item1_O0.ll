; ModuleID = 'clang_item1.c'
source_filename = "clang_item1.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@.str = private unnamed_addr constant [29 x i8] c"hello world 42, quiet zone 7\00", align 1
@.str.1 = private unnamed_addr constant [16 x i8] c"%d %d %d %d %d\0A\00", align 1
@.str.2 = private unnamed_addr constant [17 x i8] c"%ld %ld %ld %ld\0A\00", align 1
@.str.3 = private unnamed_addr constant [4 x i8] c"%s\0A\00", align 1
@.str.4 = private unnamed_addr constant [7 x i8] c"%.10s\0A\00", align 1
@ticks = internal global i32 0, align 4
@.str.5 = private unnamed_addr constant [4 x i8] c"%d\0A\00", align 1
@.str.6 = private unnamed_addr constant [13 x i8] c"%d %u %d %d\0A\00", align 1
@.str.7 = private unnamed_addr constant [7 x i8] c"%g %g\0A\00", align 1
@.str.8 = private unnamed_addr constant [5 x i8] c"%ld\0A\00", align 1

; Function Attrs: noinline nounwind optnone uwtable
define dso_local i32 @kind(i32 noundef %0) #0 {
  %2 = alloca i32, align 4
  %3 = alloca i32, align 4
  store i32 %0, ptr %3, align 4
  %4 = load i32, ptr %3, align 4
  switch i32 %4, label %9 [
    i32 97, label %5
    i32 101, label %5
    i32 105, label %5
    i32 111, label %5
    i32 117, label %5
    i32 32, label %6
    i32 48, label %7
    i32 49, label %7
    i32 50, label %7
    i32 51, label %7
    i32 52, label %7
    i32 53, label %7
    i32 54, label %7
    i32 55, label %7
    i32 56, label %7
    i32 57, label %7
    i32 -1, label %8
  ]

5:                                                ; preds = %1, %1, %1, %1, %1
  store i32 1, ptr %2, align 4
  br label %10

6:                                                ; preds = %1
  store i32 2, ptr %2, align 4
  br label %10

7:                                                ; preds = %1, %1, %1, %1, %1, %1, %1, %1, %1, %1
  store i32 3, ptr %2, align 4
  br label %10

8:                                                ; preds = %1
  store i32 4, ptr %2, align 4
  br label %10

9:                                                ; preds = %1
  store i32 0, ptr %2, align 4
  br label %10

10:                                               ; preds = %9, %8, %7, %6, %5
  %11 = load i32, ptr %2, align 4
  ret i32 %11
}

; Function Attrs: noinline nounwind optnone uwtable
define dso_local i64 @wide(i64 noundef %0) #0 {
  %2 = alloca i64, align 8
  %3 = alloca i64, align 8
  store i64 %0, ptr %3, align 8
  %4 = load i64, ptr %3, align 8
  switch i64 %4, label %8 [
    i64 10000000000, label %5
    i64 -5, label %6
    i64 7, label %7
  ]

5:                                                ; preds = %1
  store i64 1, ptr %2, align 8
  br label %11

6:                                                ; preds = %1
  store i64 2, ptr %2, align 8
  br label %11

7:                                                ; preds = %1
  store i64 3, ptr %2, align 8
  br label %11

8:                                                ; preds = %1
  %9 = load i64, ptr %3, align 8
  %10 = mul nsw i64 %9, 2
  store i64 %10, ptr %2, align 8
  br label %11

11:                                               ; preds = %8, %7, %6, %5
  %12 = load i64, ptr %2, align 8
  ret i64 %12
}

; Function Attrs: noinline nounwind optnone uwtable
define dso_local i32 @smax(i32 noundef %0, i32 noundef %1) #0 {
  %3 = alloca i32, align 4
  %4 = alloca i32, align 4
  store i32 %0, ptr %3, align 4
  store i32 %1, ptr %4, align 4
  %5 = load i32, ptr %3, align 4
  %6 = load i32, ptr %4, align 4
  %7 = icmp sgt i32 %5, %6
  br i1 %7, label %8, label %10

8:                                                ; preds = %2
  %9 = load i32, ptr %3, align 4
  br label %12

10:                                               ; preds = %2
  %11 = load i32, ptr %4, align 4
  br label %12

12:                                               ; preds = %10, %8
  %13 = phi i32 [ %9, %8 ], [ %11, %10 ]
  ret i32 %13
}

; Function Attrs: noinline nounwind optnone uwtable
define dso_local i32 @umin(i32 noundef %0, i32 noundef %1) #0 {
  %3 = alloca i32, align 4
  %4 = alloca i32, align 4
  store i32 %0, ptr %3, align 4
  store i32 %1, ptr %4, align 4
  %5 = load i32, ptr %3, align 4
  %6 = load i32, ptr %4, align 4
  %7 = icmp ult i32 %5, %6
  br i1 %7, label %8, label %10

8:                                                ; preds = %2
  %9 = load i32, ptr %3, align 4
  br label %12

10:                                               ; preds = %2
  %11 = load i32, ptr %4, align 4
  br label %12

12:                                               ; preds = %10, %8
  %13 = phi i32 [ %9, %8 ], [ %11, %10 ]
  ret i32 %13
}

; Function Attrs: noinline nounwind optnone uwtable
define dso_local i32 @iabs(i32 noundef %0) #0 {
  %2 = alloca i32, align 4
  store i32 %0, ptr %2, align 4
  %3 = load i32, ptr %2, align 4
  %4 = icmp slt i32 %3, 0
  br i1 %4, label %5, label %8

5:                                                ; preds = %1
  %6 = load i32, ptr %2, align 4
  %7 = sub nsw i32 0, %6
  br label %10

8:                                                ; preds = %1
  %9 = load i32, ptr %2, align 4
  br label %10

10:                                               ; preds = %8, %5
  %11 = phi i32 [ %7, %5 ], [ %9, %8 ]
  ret i32 %11
}

; Function Attrs: noinline nounwind optnone uwtable
define dso_local double @fma3(double noundef %0, double noundef %1, double noundef %2) #0 {
  %4 = alloca double, align 8
  %5 = alloca double, align 8
  %6 = alloca double, align 8
  store double %0, ptr %4, align 8
  store double %1, ptr %5, align 8
  store double %2, ptr %6, align 8
  %7 = load double, ptr %4, align 8
  %8 = load double, ptr %5, align 8
  %9 = load double, ptr %6, align 8
  %10 = call double @llvm.fmuladd.f64(double %7, double %8, double %9)
  ret double %10
}

; Function Attrs: nocallback nofree nosync nounwind speculatable willreturn memory(none)
declare double @llvm.fmuladd.f64(double, double, double) #1

; Function Attrs: noinline nounwind optnone uwtable
define dso_local i32 @main() #0 {
  %1 = alloca i32, align 4
  %2 = alloca ptr, align 8
  %3 = alloca [5 x i32], align 16
  %4 = alloca ptr, align 8
  %5 = alloca [64 x i8], align 16
  %6 = alloca [64 x i8], align 16
  %7 = alloca i32, align 4
  %8 = alloca [8 x i64], align 16
  %9 = alloca [8 x i64], align 16
  %10 = alloca i32, align 4
  store i32 0, ptr %1, align 4
  store ptr @.str, ptr %2, align 8
  call void @llvm.memset.p0.i64(ptr align 16 %3, i8 0, i64 20, i1 false)
  %11 = load ptr, ptr %2, align 8
  store ptr %11, ptr %4, align 8
  br label %12

12:                                               ; preds = %25, %0
  %13 = load ptr, ptr %4, align 8
  %14 = load i8, ptr %13, align 1
  %15 = icmp ne i8 %14, 0
  br i1 %15, label %16, label %28

16:                                               ; preds = %12
  %17 = load ptr, ptr %4, align 8
  %18 = load i8, ptr %17, align 1
  %19 = sext i8 %18 to i32
  %20 = call i32 @kind(i32 noundef %19)
  %21 = sext i32 %20 to i64
  %22 = getelementptr inbounds [5 x i32], ptr %3, i64 0, i64 %21
  %23 = load i32, ptr %22, align 4
  %24 = add nsw i32 %23, 1
  store i32 %24, ptr %22, align 4
  br label %25

25:                                               ; preds = %16
  %26 = load ptr, ptr %4, align 8
  %27 = getelementptr inbounds i8, ptr %26, i32 1
  store ptr %27, ptr %4, align 8
  br label %12, !llvm.loop !6

28:                                               ; preds = %12
  %29 = call i32 @kind(i32 noundef -1)
  %30 = sext i32 %29 to i64
  %31 = getelementptr inbounds [5 x i32], ptr %3, i64 0, i64 %30
  %32 = load i32, ptr %31, align 4
  %33 = add nsw i32 %32, 1
  store i32 %33, ptr %31, align 4
  %34 = getelementptr inbounds [5 x i32], ptr %3, i64 0, i64 0
  %35 = load i32, ptr %34, align 16
  %36 = getelementptr inbounds [5 x i32], ptr %3, i64 0, i64 1
  %37 = load i32, ptr %36, align 4
  %38 = getelementptr inbounds [5 x i32], ptr %3, i64 0, i64 2
  %39 = load i32, ptr %38, align 8
  %40 = getelementptr inbounds [5 x i32], ptr %3, i64 0, i64 3
  %41 = load i32, ptr %40, align 4
  %42 = getelementptr inbounds [5 x i32], ptr %3, i64 0, i64 4
  %43 = load i32, ptr %42, align 16
  %44 = call i32 (ptr, ...) @printf(ptr noundef @.str.1, i32 noundef %35, i32 noundef %37, i32 noundef %39, i32 noundef %41, i32 noundef %43)
  %45 = call i64 @wide(i64 noundef 10000000000)
  %46 = call i64 @wide(i64 noundef -5)
  %47 = call i64 @wide(i64 noundef 7)
  %48 = call i64 @wide(i64 noundef 8)
  %49 = call i32 (ptr, ...) @printf(ptr noundef @.str.2, i64 noundef %45, i64 noundef %46, i64 noundef %47, i64 noundef %48)
  %50 = getelementptr inbounds [64 x i8], ptr %5, i64 0, i64 0
  call void @llvm.memset.p0.i64(ptr align 16 %50, i8 120, i64 64, i1 false)
  %51 = getelementptr inbounds [64 x i8], ptr %5, i64 0, i64 63
  store i8 0, ptr %51, align 1
  %52 = getelementptr inbounds [64 x i8], ptr %6, i64 0, i64 0
  %53 = getelementptr inbounds [64 x i8], ptr %5, i64 0, i64 0
  call void @llvm.memcpy.p0.p0.i64(ptr align 16 %52, ptr align 16 %53, i64 64, i1 false)
  %54 = getelementptr inbounds [64 x i8], ptr %6, i64 0, i64 0
  %55 = getelementptr inbounds i8, ptr %54, i64 1
  %56 = getelementptr inbounds [64 x i8], ptr %6, i64 0, i64 0
  call void @llvm.memmove.p0.p0.i64(ptr align 1 %55, ptr align 16 %56, i64 10, i1 false)
  %57 = getelementptr inbounds [64 x i8], ptr %6, i64 0, i64 5
  store i8 121, ptr %57, align 1
  %58 = getelementptr inbounds [64 x i8], ptr %6, i64 0, i64 0
  %59 = getelementptr inbounds i8, ptr %58, i64 50
  %60 = call i32 (ptr, ...) @printf(ptr noundef @.str.3, ptr noundef %59)
  %61 = getelementptr inbounds [64 x i8], ptr %6, i64 0, i64 0
  %62 = call i32 (ptr, ...) @printf(ptr noundef @.str.4, ptr noundef %61)
  store i32 0, ptr %7, align 4
  br label %63

63:                                               ; preds = %70, %28
  %64 = load i32, ptr %7, align 4
  %65 = icmp slt i32 %64, 10
  br i1 %65, label %66, label %73

66:                                               ; preds = %63
  %67 = load volatile i32, ptr @ticks, align 4
  %68 = load i32, ptr %7, align 4
  %69 = add nsw i32 %67, %68
  store volatile i32 %69, ptr @ticks, align 4
  br label %70

70:                                               ; preds = %66
  %71 = load i32, ptr %7, align 4
  %72 = add nsw i32 %71, 1
  store i32 %72, ptr %7, align 4
  br label %63, !llvm.loop !8

73:                                               ; preds = %63
  %74 = load volatile i32, ptr @ticks, align 4
  %75 = call i32 (ptr, ...) @printf(ptr noundef @.str.5, i32 noundef %74)
  %76 = call i32 @smax(i32 noundef 3, i32 noundef -4)
  %77 = call i32 @umin(i32 noundef 5, i32 noundef -294967296)
  %78 = call i32 @iabs(i32 noundef -17)
  %79 = call i32 @iabs(i32 noundef 6)
  %80 = call i32 (ptr, ...) @printf(ptr noundef @.str.6, i32 noundef %76, i32 noundef %77, i32 noundef %78, i32 noundef %79)
  %81 = call double @fma3(double noundef 1.500000e+00, double noundef 2.000000e+00, double noundef 2.500000e-01)
  %82 = call double @llvm.fabs.f64(double -2.500000e+00)
  %83 = call i32 (ptr, ...) @printf(ptr noundef @.str.7, double noundef %81, double noundef %82)
  store i32 0, ptr %10, align 4
  br label %84

84:                                               ; preds = %94, %73
  %85 = load i32, ptr %10, align 4
  %86 = icmp slt i32 %85, 8
  br i1 %86, label %87, label %97

87:                                               ; preds = %84
  %88 = load i32, ptr %10, align 4
  %89 = add nsw i32 %88, 1
  %90 = sext i32 %89 to i64
  %91 = load i32, ptr %10, align 4
  %92 = sext i32 %91 to i64
  %93 = getelementptr inbounds [8 x i64], ptr %8, i64 0, i64 %92
  store i64 %90, ptr %93, align 8
  br label %94

94:                                               ; preds = %87
  %95 = load i32, ptr %10, align 4
  %96 = add nsw i32 %95, 1
  store i32 %96, ptr %10, align 4
  br label %84, !llvm.loop !9

97:                                               ; preds = %84
  %98 = getelementptr inbounds [8 x i64], ptr %9, i64 0, i64 0
  %99 = getelementptr inbounds [8 x i64], ptr %8, i64 0, i64 0
  call void @llvm.memcpy.p0.p0.i64(ptr align 16 %98, ptr align 16 %99, i64 64, i1 false)
  %100 = getelementptr inbounds [8 x i64], ptr %9, i64 0, i64 7
  %101 = load i64, ptr %100, align 8
  %102 = call i32 (ptr, ...) @printf(ptr noundef @.str.8, i64 noundef %101)
  %103 = getelementptr inbounds [5 x i32], ptr %3, i64 0, i64 1
  %104 = load i32, ptr %103, align 4
  ret i32 %104
}

; Function Attrs: nocallback nofree nounwind willreturn memory(argmem: write)
declare void @llvm.memset.p0.i64(ptr nocapture writeonly, i8, i64, i1 immarg) #2

declare i32 @printf(ptr noundef, ...) #3

; Function Attrs: nocallback nofree nounwind willreturn memory(argmem: readwrite)
declare void @llvm.memcpy.p0.p0.i64(ptr noalias nocapture writeonly, ptr noalias nocapture readonly, i64, i1 immarg) #4

; Function Attrs: nocallback nofree nounwind willreturn memory(argmem: readwrite)
declare void @llvm.memmove.p0.p0.i64(ptr nocapture writeonly, ptr nocapture readonly, i64, i1 immarg) #4

; Function Attrs: nocallback nofree nosync nounwind speculatable willreturn memory(none)
declare double @llvm.fabs.f64(double) #1

attributes #0 = { noinline nounwind optnone uwtable "frame-pointer"="all" "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #1 = { nocallback nofree nosync nounwind speculatable willreturn memory(none) }
attributes #2 = { nocallback nofree nounwind willreturn memory(argmem: write) }
attributes #3 = { "frame-pointer"="all" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #4 = { nocallback nofree nounwind willreturn memory(argmem: readwrite) }

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
!8 = distinct !{!8, !7}
!9 = distinct !{!9, !7}
