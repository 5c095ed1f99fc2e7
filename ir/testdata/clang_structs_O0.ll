; ModuleID = 'clang_structs.c'
source_filename = "clang_structs.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%struct.node = type { i8, %struct.point, double, ptr, [3 x i16] }
%struct.point = type { i32, i32 }
%struct.wire = type <{ i8, i64, i16 }>
%union.num = type { i64 }

@nodes = dso_local global [4 x %struct.node] zeroinitializer, align 16
@.str = private unnamed_addr constant [9 x i8] c"%ld %ld\0A\00", align 1
@wires = dso_local global [3 x %struct.wire] zeroinitializer, align 16
@.str.1 = private unnamed_addr constant [17 x i8] c"%ld %zu %zu %zu\0A\00", align 1
@origin = internal global %struct.point zeroinitializer, align 4
@.str.2 = private unnamed_addr constant [11 x i8] c"%d %d %lx\0A\00", align 1

; Function Attrs: noinline nounwind optnone uwtable
define dso_local i64 @sum(ptr noundef %0) #0 {
  %2 = alloca ptr, align 8
  %3 = alloca i64, align 8
  store ptr %0, ptr %2, align 8
  store i64 0, ptr %3, align 8
  br label %4

4:                                                ; preds = %38, %1
  %5 = load ptr, ptr %2, align 8
  %6 = icmp ne ptr %5, null
  br i1 %6, label %7, label %42

7:                                                ; preds = %4
  %8 = load ptr, ptr %2, align 8
  %9 = getelementptr inbounds %struct.node, ptr %8, i32 0, i32 0
  %10 = load i8, ptr %9, align 8
  %11 = sext i8 %10 to i32
  %12 = load ptr, ptr %2, align 8
  %13 = getelementptr inbounds %struct.node, ptr %12, i32 0, i32 1
  %14 = getelementptr inbounds %struct.point, ptr %13, i32 0, i32 0
  %15 = load i32, ptr %14, align 4
  %16 = mul nsw i32 %15, 10
  %17 = add nsw i32 %11, %16
  %18 = load ptr, ptr %2, align 8
  %19 = getelementptr inbounds %struct.node, ptr %18, i32 0, i32 1
  %20 = getelementptr inbounds %struct.point, ptr %19, i32 0, i32 1
  %21 = load i32, ptr %20, align 4
  %22 = mul nsw i32 %21, 100
  %23 = add nsw i32 %17, %22
  %24 = sext i32 %23 to i64
  %25 = load ptr, ptr %2, align 8
  %26 = getelementptr inbounds %struct.node, ptr %25, i32 0, i32 2
  %27 = load double, ptr %26, align 8
  %28 = fptosi double %27 to i64
  %29 = add nsw i64 %24, %28
  %30 = load ptr, ptr %2, align 8
  %31 = getelementptr inbounds %struct.node, ptr %30, i32 0, i32 4
  %32 = getelementptr inbounds [3 x i16], ptr %31, i64 0, i64 2
  %33 = load i16, ptr %32, align 4
  %34 = sext i16 %33 to i64
  %35 = add nsw i64 %29, %34
  %36 = load i64, ptr %3, align 8
  %37 = add nsw i64 %36, %35
  store i64 %37, ptr %3, align 8
  br label %38

38:                                               ; preds = %7
  %39 = load ptr, ptr %2, align 8
  %40 = getelementptr inbounds %struct.node, ptr %39, i32 0, i32 3
  %41 = load ptr, ptr %40, align 8
  store ptr %41, ptr %2, align 8
  br label %4, !llvm.loop !6

42:                                               ; preds = %4
  %43 = load i64, ptr %3, align 8
  ret i64 %43
}

; Function Attrs: noinline nounwind optnone uwtable
define dso_local void @fill(ptr noundef %0, i32 noundef %1) #0 {
  %3 = alloca ptr, align 8
  %4 = alloca i32, align 4
  store ptr %0, ptr %3, align 8
  store i32 %1, ptr %4, align 4
  %5 = load i32, ptr %4, align 4
  %6 = add nsw i32 97, %5
  %7 = trunc i32 %6 to i8
  %8 = load ptr, ptr %3, align 8
  %9 = getelementptr inbounds %struct.wire, ptr %8, i32 0, i32 0
  store i8 %7, ptr %9, align 1
  %10 = load i32, ptr %4, align 4
  %11 = sext i32 %10 to i64
  %12 = mul nsw i64 1000, %11
  %13 = add nsw i64 %12, 7
  %14 = load ptr, ptr %3, align 8
  %15 = getelementptr inbounds %struct.wire, ptr %14, i32 0, i32 1
  store i64 %13, ptr %15, align 1
  %16 = load i32, ptr %4, align 4
  %17 = add nsw i32 80, %16
  %18 = trunc i32 %17 to i16
  %19 = load ptr, ptr %3, align 8
  %20 = getelementptr inbounds %struct.wire, ptr %19, i32 0, i32 2
  store i16 %18, ptr %20, align 1
  ret void
}

; Function Attrs: noinline nounwind optnone uwtable
define dso_local i32 @main() #0 {
  %1 = alloca i32, align 4
  %2 = alloca i32, align 4
  %3 = alloca %struct.node, align 8
  %4 = alloca i32, align 4
  %5 = alloca i64, align 8
  %6 = alloca i32, align 4
  %7 = alloca %struct.point, align 4
  %8 = alloca %union.num, align 8
  store i32 0, ptr %1, align 4
  store i32 0, ptr %2, align 4
  br label %9

9:                                                ; preds = %62, %0
  %10 = load i32, ptr %2, align 4
  %11 = icmp slt i32 %10, 4
  br i1 %11, label %12, label %65

12:                                               ; preds = %9
  %13 = load i32, ptr %2, align 4
  %14 = trunc i32 %13 to i8
  %15 = load i32, ptr %2, align 4
  %16 = sext i32 %15 to i64
  %17 = getelementptr inbounds [4 x %struct.node], ptr @nodes, i64 0, i64 %16
  %18 = getelementptr inbounds %struct.node, ptr %17, i32 0, i32 0
  store i8 %14, ptr %18, align 8
  %19 = load i32, ptr %2, align 4
  %20 = add nsw i32 %19, 1
  %21 = load i32, ptr %2, align 4
  %22 = sext i32 %21 to i64
  %23 = getelementptr inbounds [4 x %struct.node], ptr @nodes, i64 0, i64 %22
  %24 = getelementptr inbounds %struct.node, ptr %23, i32 0, i32 1
  %25 = getelementptr inbounds %struct.point, ptr %24, i32 0, i32 0
  store i32 %20, ptr %25, align 4
  %26 = load i32, ptr %2, align 4
  %27 = mul nsw i32 2, %26
  %28 = load i32, ptr %2, align 4
  %29 = sext i32 %28 to i64
  %30 = getelementptr inbounds [4 x %struct.node], ptr @nodes, i64 0, i64 %29
  %31 = getelementptr inbounds %struct.node, ptr %30, i32 0, i32 1
  %32 = getelementptr inbounds %struct.point, ptr %31, i32 0, i32 1
  store i32 %27, ptr %32, align 4
  %33 = load i32, ptr %2, align 4
  %34 = sitofp i32 %33 to double
  %35 = fmul double 5.000000e-01, %34
  %36 = load i32, ptr %2, align 4
  %37 = sext i32 %36 to i64
  %38 = getelementptr inbounds [4 x %struct.node], ptr @nodes, i64 0, i64 %37
  %39 = getelementptr inbounds %struct.node, ptr %38, i32 0, i32 2
  store double %35, ptr %39, align 8
  %40 = load i32, ptr %2, align 4
  %41 = mul nsw i32 %40, 3
  %42 = trunc i32 %41 to i16
  %43 = load i32, ptr %2, align 4
  %44 = sext i32 %43 to i64
  %45 = getelementptr inbounds [4 x %struct.node], ptr @nodes, i64 0, i64 %44
  %46 = getelementptr inbounds %struct.node, ptr %45, i32 0, i32 4
  %47 = getelementptr inbounds [3 x i16], ptr %46, i64 0, i64 2
  store i16 %42, ptr %47, align 4
  %48 = load i32, ptr %2, align 4
  %49 = icmp slt i32 %48, 3
  br i1 %49, label %50, label %55

50:                                               ; preds = %12
  %51 = load i32, ptr %2, align 4
  %52 = add nsw i32 %51, 1
  %53 = sext i32 %52 to i64
  %54 = getelementptr inbounds [4 x %struct.node], ptr @nodes, i64 0, i64 %53
  br label %56

55:                                               ; preds = %12
  br label %56

56:                                               ; preds = %55, %50
  %57 = phi ptr [ %54, %50 ], [ null, %55 ]
  %58 = load i32, ptr %2, align 4
  %59 = sext i32 %58 to i64
  %60 = getelementptr inbounds [4 x %struct.node], ptr @nodes, i64 0, i64 %59
  %61 = getelementptr inbounds %struct.node, ptr %60, i32 0, i32 3
  store ptr %57, ptr %61, align 8
  br label %62

62:                                               ; preds = %56
  %63 = load i32, ptr %2, align 4
  %64 = add nsw i32 %63, 1
  store i32 %64, ptr %2, align 4
  br label %9, !llvm.loop !8

65:                                               ; preds = %9
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %3, ptr align 16 getelementptr inbounds ([4 x %struct.node], ptr @nodes, i64 0, i64 2), i64 40, i1 false)
  %66 = getelementptr inbounds %struct.node, ptr %3, i32 0, i32 3
  store ptr getelementptr inbounds ([4 x %struct.node], ptr @nodes, i64 0, i64 3), ptr %66, align 8
  %67 = call i64 @sum(ptr noundef @nodes)
  %68 = call i64 @sum(ptr noundef %3)
  %69 = call i32 (ptr, ...) @printf(ptr noundef @.str, i64 noundef %67, i64 noundef %68)
  store i32 0, ptr %4, align 4
  br label %70

70:                                               ; preds = %78, %65
  %71 = load i32, ptr %4, align 4
  %72 = icmp slt i32 %71, 3
  br i1 %72, label %73, label %81

73:                                               ; preds = %70
  %74 = load i32, ptr %4, align 4
  %75 = sext i32 %74 to i64
  %76 = getelementptr inbounds [3 x %struct.wire], ptr @wires, i64 0, i64 %75
  %77 = load i32, ptr %4, align 4
  call void @fill(ptr noundef %76, i32 noundef %77)
  br label %78

78:                                               ; preds = %73
  %79 = load i32, ptr %4, align 4
  %80 = add nsw i32 %79, 1
  store i32 %80, ptr %4, align 4
  br label %70, !llvm.loop !9

81:                                               ; preds = %70
  store i64 0, ptr %5, align 8
  store i32 0, ptr %6, align 4
  br label %82

82:                                               ; preds = %107, %81
  %83 = load i32, ptr %6, align 4
  %84 = icmp slt i32 %83, 3
  br i1 %84, label %85, label %110

85:                                               ; preds = %82
  %86 = load i32, ptr %6, align 4
  %87 = sext i32 %86 to i64
  %88 = getelementptr inbounds [3 x %struct.wire], ptr @wires, i64 0, i64 %87
  %89 = getelementptr inbounds %struct.wire, ptr %88, i32 0, i32 0
  %90 = load i8, ptr %89, align 1
  %91 = sext i8 %90 to i64
  %92 = load i32, ptr %6, align 4
  %93 = sext i32 %92 to i64
  %94 = getelementptr inbounds [3 x %struct.wire], ptr @wires, i64 0, i64 %93
  %95 = getelementptr inbounds %struct.wire, ptr %94, i32 0, i32 1
  %96 = load i64, ptr %95, align 1
  %97 = add nsw i64 %91, %96
  %98 = load i32, ptr %6, align 4
  %99 = sext i32 %98 to i64
  %100 = getelementptr inbounds [3 x %struct.wire], ptr @wires, i64 0, i64 %99
  %101 = getelementptr inbounds %struct.wire, ptr %100, i32 0, i32 2
  %102 = load i16, ptr %101, align 1
  %103 = sext i16 %102 to i64
  %104 = add nsw i64 %97, %103
  %105 = load i64, ptr %5, align 8
  %106 = add nsw i64 %105, %104
  store i64 %106, ptr %5, align 8
  br label %107

107:                                              ; preds = %85
  %108 = load i32, ptr %6, align 4
  %109 = add nsw i32 %108, 1
  store i32 %109, ptr %6, align 4
  br label %82, !llvm.loop !10

110:                                              ; preds = %82
  %111 = load i64, ptr %5, align 8
  %112 = call i32 (ptr, ...) @printf(ptr noundef @.str.1, i64 noundef %111, i64 noundef 11, i64 noundef 40, i64 noundef 33)
  call void @llvm.memcpy.p0.p0.i64(ptr align 4 %7, ptr align 4 @origin, i64 8, i1 false)
  %113 = getelementptr inbounds %struct.point, ptr %7, i32 0, i32 1
  %114 = load i32, ptr %113, align 4
  %115 = add nsw i32 %114, 5
  store i32 %115, ptr %113, align 4
  call void @llvm.memcpy.p0.p0.i64(ptr align 4 @origin, ptr align 4 %7, i64 8, i1 false)
  store double 1.000000e+00, ptr %8, align 8
  %116 = load i32, ptr @origin, align 4
  %117 = load i32, ptr getelementptr inbounds (%struct.point, ptr @origin, i32 0, i32 1), align 4
  %118 = load i64, ptr %8, align 8
  %119 = call i32 (ptr, ...) @printf(ptr noundef @.str.2, i32 noundef %116, i32 noundef %117, i64 noundef %118)
  %120 = load i64, ptr %5, align 8
  %121 = srem i64 %120, 100
  %122 = trunc i64 %121 to i32
  ret i32 %122
}

; Function Attrs: nocallback nofree nounwind willreturn memory(argmem: readwrite)
declare void @llvm.memcpy.p0.p0.i64(ptr noalias nocapture writeonly, ptr noalias nocapture readonly, i64, i1 immarg) #1

declare i32 @printf(ptr noundef, ...) #2

attributes #0 = { noinline nounwind optnone uwtable "frame-pointer"="all" "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #1 = { nocallback nofree nounwind willreturn memory(argmem: readwrite) }
attributes #2 = { "frame-pointer"="all" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }

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
!10 = distinct !{!10, !7}
