; ModuleID = 'clang_consts.c'
source_filename = "clang_consts.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%struct.anon = type { i8, i16, i64, double }
%struct.anon.0 = type <{ i8, i32 }>
%struct.op = type { ptr, ptr, i32 }

@table = dso_local global [6 x i32] [i32 1, i32 1, i32 2, i32 3, i32 5, i32 8], align 16
@mid = dso_local global ptr getelementptr (i8, ptr @table, i64 12), align 8
@pmid = dso_local global ptr @mid, align 8
@.str = private unnamed_addr constant [5 x i8] c"zero\00", align 1
@.str.1 = private unnamed_addr constant [4 x i8] c"one\00", align 1
@.str.2 = private unnamed_addr constant [4 x i8] c"two\00", align 1
@.str.3 = private unnamed_addr constant [6 x i8] c"three\00", align 1
@.str.4 = private unnamed_addr constant [5 x i8] c"four\00", align 1
@.str.5 = private unnamed_addr constant [5 x i8] c"five\00", align 1
@names = dso_local global [6 x ptr] [ptr @.str, ptr @.str.1, ptr @.str.2, ptr @.str.3, ptr @.str.4, ptr @.str.5], align 16
@mixed = dso_local global %struct.anon { i8 109, i16 -7, i64 1099511627776, double 2.500000e+00 }, align 8
@packed_one = dso_local global %struct.anon.0 <{ i8 112, i32 16909060 }>, align 1
@addr_as_int = dso_local global i64 ptrtoint (ptr getelementptr (i8, ptr @table, i64 4) to i64), align 8
@grid = dso_local global [2 x [3 x double]] [[3 x double] [double 1.500000e+00, double 2.500000e+00, double 3.500000e+00], [3 x double] [double 4.500000e+00, double 5.500000e+00, double 0.000000e+00]], align 16
@.str.6 = private unnamed_addr constant [5 x i8] c"many\00", align 1
@ops = internal constant [4 x %struct.op] [%struct.op { ptr @.str.16, ptr @twice, i32 3 }, %struct.op { ptr @.str.17, ptr @square, i32 5 }, %struct.op { ptr @.str.18, ptr @neg, i32 -1 }, %struct.op zeroinitializer], align 16
@.str.7 = private unnamed_addr constant [12 x i8] c"%s(7) = %d\0A\00", align 1
@.str.8 = private unnamed_addr constant [10 x i8] c"%d %d %d\0A\00", align 1
@.str.9 = private unnamed_addr constant [5 x i8] c"%s%s\00", align 1
@.str.10 = private unnamed_addr constant [2 x i8] c",\00", align 1
@.str.11 = private unnamed_addr constant [2 x i8] c"\0A\00", align 1
@.str.12 = private unnamed_addr constant [14 x i8] c"%c %d %ld %g\0A\00", align 1
@.str.13 = private unnamed_addr constant [11 x i8] c"%c %x %ld\0A\00", align 1
@.str.14 = private unnamed_addr constant [7 x i8] c"%g %g\0A\00", align 1
@.str.15 = private unnamed_addr constant [4 x i8] c"%s \00", align 1
@.str.16 = private unnamed_addr constant [6 x i8] c"twice\00", align 1
@.str.17 = private unnamed_addr constant [7 x i8] c"square\00", align 1
@.str.18 = private unnamed_addr constant [4 x i8] c"neg\00", align 1

; Function Attrs: noinline nounwind optnone uwtable
define dso_local i32 @neg(i32 noundef %0) #0 {
  %2 = alloca i32, align 4
  store i32 %0, ptr %2, align 4
  %3 = load i32, ptr %2, align 4
  %4 = sub nsw i32 0, %3
  ret i32 %4
}

; Function Attrs: noinline nounwind optnone uwtable
define dso_local ptr @pick(i32 noundef %0) #0 {
  %2 = alloca ptr, align 8
  %3 = alloca i32, align 4
  store i32 %0, ptr %3, align 4
  %4 = load i32, ptr %3, align 4
  switch i32 %4, label %10 [
    i32 0, label %5
    i32 1, label %6
    i32 2, label %7
    i32 3, label %8
    i32 4, label %9
  ]

5:                                                ; preds = %1
  store ptr @.str, ptr %2, align 8
  br label %11

6:                                                ; preds = %1
  store ptr @.str.1, ptr %2, align 8
  br label %11

7:                                                ; preds = %1
  store ptr @.str.2, ptr %2, align 8
  br label %11

8:                                                ; preds = %1
  store ptr @.str.3, ptr %2, align 8
  br label %11

9:                                                ; preds = %1
  store ptr @.str.4, ptr %2, align 8
  br label %11

10:                                               ; preds = %1
  store ptr @.str.6, ptr %2, align 8
  br label %11

11:                                               ; preds = %10, %9, %8, %7, %6, %5
  %12 = load ptr, ptr %2, align 8
  ret ptr %12
}

; Function Attrs: noinline nounwind optnone uwtable
define dso_local i32 @main() #0 {
  %1 = alloca i32, align 4
  %2 = alloca i32, align 4
  %3 = alloca ptr, align 8
  %4 = alloca i32, align 4
  %5 = alloca i32, align 4
  %6 = alloca i32, align 4
  store i32 0, ptr %1, align 4
  store i32 0, ptr %2, align 4
  store ptr @ops, ptr %3, align 8
  br label %7

7:                                                ; preds = %29, %0
  %8 = load ptr, ptr %3, align 8
  %9 = getelementptr inbounds %struct.op, ptr %8, i32 0, i32 0
  %10 = load ptr, ptr %9, align 8
  %11 = icmp ne ptr %10, null
  br i1 %11, label %12, label %32

12:                                               ; preds = %7
  %13 = load ptr, ptr %3, align 8
  %14 = getelementptr inbounds %struct.op, ptr %13, i32 0, i32 1
  %15 = load ptr, ptr %14, align 8
  %16 = call i32 %15(i32 noundef 7)
  store i32 %16, ptr %4, align 4
  %17 = load ptr, ptr %3, align 8
  %18 = getelementptr inbounds %struct.op, ptr %17, i32 0, i32 0
  %19 = load ptr, ptr %18, align 8
  %20 = load i32, ptr %4, align 4
  %21 = call i32 (ptr, ...) @printf(ptr noundef @.str.7, ptr noundef %19, i32 noundef %20)
  %22 = load i32, ptr %4, align 4
  %23 = load ptr, ptr %3, align 8
  %24 = getelementptr inbounds %struct.op, ptr %23, i32 0, i32 2
  %25 = load i32, ptr %24, align 8
  %26 = mul nsw i32 %22, %25
  %27 = load i32, ptr %2, align 4
  %28 = add nsw i32 %27, %26
  store i32 %28, ptr %2, align 4
  br label %29

29:                                               ; preds = %12
  %30 = load ptr, ptr %3, align 8
  %31 = getelementptr inbounds %struct.op, ptr %30, i32 1
  store ptr %31, ptr %3, align 8
  br label %7, !llvm.loop !6

32:                                               ; preds = %7
  %33 = load ptr, ptr @mid, align 8
  %34 = load i32, ptr %33, align 4
  %35 = load ptr, ptr @pmid, align 8
  %36 = load ptr, ptr %35, align 8
  %37 = load i32, ptr %36, align 4
  %38 = load ptr, ptr @mid, align 8
  %39 = getelementptr inbounds i32, ptr %38, i64 2
  %40 = load i32, ptr %39, align 4
  %41 = call i32 (ptr, ...) @printf(ptr noundef @.str.8, i32 noundef %34, i32 noundef %37, i32 noundef %40)
  store i32 0, ptr %5, align 4
  br label %42

42:                                               ; preds = %55, %32
  %43 = load i32, ptr %5, align 4
  %44 = icmp slt i32 %43, 6
  br i1 %44, label %45, label %58

45:                                               ; preds = %42
  %46 = load i32, ptr %5, align 4
  %47 = sext i32 %46 to i64
  %48 = getelementptr inbounds [6 x ptr], ptr @names, i64 0, i64 %47
  %49 = load ptr, ptr %48, align 8
  %50 = load i32, ptr %5, align 4
  %51 = icmp slt i32 %50, 5
  %52 = zext i1 %51 to i64
  %53 = select i1 %51, ptr @.str.10, ptr @.str.11
  %54 = call i32 (ptr, ...) @printf(ptr noundef @.str.9, ptr noundef %49, ptr noundef %53)
  br label %55

55:                                               ; preds = %45
  %56 = load i32, ptr %5, align 4
  %57 = add nsw i32 %56, 1
  store i32 %57, ptr %5, align 4
  br label %42, !llvm.loop !8

58:                                               ; preds = %42
  %59 = load i8, ptr @mixed, align 8
  %60 = sext i8 %59 to i32
  %61 = load i16, ptr getelementptr inbounds (%struct.anon, ptr @mixed, i32 0, i32 1), align 2
  %62 = sext i16 %61 to i32
  %63 = load i64, ptr getelementptr inbounds (%struct.anon, ptr @mixed, i32 0, i32 2), align 8
  %64 = load double, ptr getelementptr inbounds (%struct.anon, ptr @mixed, i32 0, i32 3), align 8
  %65 = call i32 (ptr, ...) @printf(ptr noundef @.str.12, i32 noundef %60, i32 noundef %62, i64 noundef %63, double noundef %64)
  %66 = load i8, ptr @packed_one, align 1
  %67 = sext i8 %66 to i32
  %68 = load i32, ptr getelementptr inbounds (%struct.anon.0, ptr @packed_one, i32 0, i32 1), align 1
  %69 = load i64, ptr @addr_as_int, align 8
  %70 = inttoptr i64 %69 to ptr
  %71 = ptrtoint ptr %70 to i64
  %72 = sub i64 %71, ptrtoint (ptr @table to i64)
  %73 = sdiv exact i64 %72, 4
  %74 = call i32 (ptr, ...) @printf(ptr noundef @.str.13, i32 noundef %67, i32 noundef %68, i64 noundef %73)
  %75 = load double, ptr getelementptr inbounds ([3 x double], ptr @grid, i64 0, i64 2), align 16
  %76 = load double, ptr getelementptr inbounds ([3 x double], ptr getelementptr inbounds ([2 x [3 x double]], ptr @grid, i64 0, i64 1), i64 0, i64 2), align 8
  %77 = call i32 (ptr, ...) @printf(ptr noundef @.str.14, double noundef %75, double noundef %76)
  store i32 0, ptr %6, align 4
  br label %78

78:                                               ; preds = %85, %58
  %79 = load i32, ptr %6, align 4
  %80 = icmp slt i32 %79, 7
  br i1 %80, label %81, label %88

81:                                               ; preds = %78
  %82 = load i32, ptr %6, align 4
  %83 = call ptr @pick(i32 noundef %82)
  %84 = call i32 (ptr, ...) @printf(ptr noundef @.str.15, ptr noundef %83)
  br label %85

85:                                               ; preds = %81
  %86 = load i32, ptr %6, align 4
  %87 = add nsw i32 %86, 1
  store i32 %87, ptr %6, align 4
  br label %78, !llvm.loop !9

88:                                               ; preds = %78
  %89 = call i32 (ptr, ...) @printf(ptr noundef @.str.11)
  %90 = load i32, ptr %2, align 4
  %91 = and i32 %90, 127
  ret i32 %91
}

declare i32 @printf(ptr noundef, ...) #1

; Function Attrs: noinline nounwind optnone uwtable
define internal i32 @twice(i32 noundef %0) #0 {
  %2 = alloca i32, align 4
  store i32 %0, ptr %2, align 4
  %3 = load i32, ptr %2, align 4
  %4 = mul nsw i32 2, %3
  ret i32 %4
}

; Function Attrs: noinline nounwind optnone uwtable
define internal i32 @square(i32 noundef %0) #0 {
  %2 = alloca i32, align 4
  store i32 %0, ptr %2, align 4
  %3 = load i32, ptr %2, align 4
  %4 = load i32, ptr %2, align 4
  %5 = mul nsw i32 %3, %4
  ret i32 %5
}

attributes #0 = { noinline nounwind optnone uwtable "frame-pointer"="all" "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #1 = { "frame-pointer"="all" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }

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
