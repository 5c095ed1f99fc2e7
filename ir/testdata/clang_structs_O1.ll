; ModuleID = 'clang_structs.c'
source_filename = "clang_structs.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%struct.node = type { i8, %struct.point, double, ptr, [3 x i16] }
%struct.point = type { i32, i32 }
%struct.wire = type <{ i8, i64, i16 }>

@nodes = dso_local global [4 x %struct.node] zeroinitializer, align 16
@.str = private unnamed_addr constant [9 x i8] c"%ld %ld\0A\00", align 1
@wires = dso_local global [3 x %struct.wire] zeroinitializer, align 16
@.str.1 = private unnamed_addr constant [17 x i8] c"%ld %zu %zu %zu\0A\00", align 1
@origin.1 = internal unnamed_addr global i32 0, align 4
@.str.2 = private unnamed_addr constant [11 x i8] c"%d %d %lx\0A\00", align 1

; Function Attrs: nofree noinline norecurse nosync nounwind memory(read, inaccessiblemem: none) uwtable
define dso_local i64 @sum(ptr noundef readonly %0) local_unnamed_addr #0 {
  %2 = icmp eq ptr %0, null
  br i1 %2, label %29, label %3

3:                                                ; preds = %1, %3
  %4 = phi i64 [ %25, %3 ], [ 0, %1 ]
  %5 = phi ptr [ %27, %3 ], [ %0, %1 ]
  %6 = load i8, ptr %5, align 8, !tbaa !5
  %7 = sext i8 %6 to i32
  %8 = getelementptr inbounds i8, ptr %5, i64 4
  %9 = load i32, ptr %8, align 4, !tbaa !13
  %10 = mul nsw i32 %9, 10
  %11 = add nsw i32 %10, %7
  %12 = getelementptr inbounds i8, ptr %5, i64 8
  %13 = load i32, ptr %12, align 4, !tbaa !14
  %14 = mul nsw i32 %13, 100
  %15 = add nsw i32 %11, %14
  %16 = sext i32 %15 to i64
  %17 = getelementptr inbounds i8, ptr %5, i64 16
  %18 = load double, ptr %17, align 8, !tbaa !15
  %19 = fptosi double %18 to i64
  %20 = getelementptr inbounds i8, ptr %5, i64 36
  %21 = load i16, ptr %20, align 4, !tbaa !16
  %22 = sext i16 %21 to i64
  %23 = add i64 %4, %19
  %24 = add i64 %23, %16
  %25 = add i64 %24, %22
  %26 = getelementptr inbounds i8, ptr %5, i64 24
  %27 = load ptr, ptr %26, align 8, !tbaa !18
  %28 = icmp eq ptr %27, null
  br i1 %28, label %29, label %3, !llvm.loop !19

29:                                               ; preds = %3, %1
  %30 = phi i64 [ 0, %1 ], [ %25, %3 ]
  ret i64 %30
}

; Function Attrs: mustprogress nocallback nofree nosync nounwind willreturn memory(argmem: readwrite)
declare void @llvm.lifetime.start.p0(i64 immarg, ptr nocapture) #1

; Function Attrs: mustprogress nocallback nofree nosync nounwind willreturn memory(argmem: readwrite)
declare void @llvm.lifetime.end.p0(i64 immarg, ptr nocapture) #1

; Function Attrs: mustprogress nofree noinline norecurse nosync nounwind willreturn memory(argmem: write) uwtable
define dso_local void @fill(ptr nocapture noundef writeonly %0, i32 noundef %1) local_unnamed_addr #2 {
  %3 = trunc i32 %1 to i8
  %4 = add i8 %3, 97
  store i8 %4, ptr %0, align 1, !tbaa !22
  %5 = sext i32 %1 to i64
  %6 = mul nsw i64 %5, 1000
  %7 = or disjoint i64 %6, 7
  %8 = getelementptr inbounds i8, ptr %0, i64 1
  store i64 %7, ptr %8, align 1, !tbaa !25
  %9 = trunc i32 %1 to i16
  %10 = add i16 %9, 80
  %11 = getelementptr inbounds i8, ptr %0, i64 9
  store i16 %10, ptr %11, align 1, !tbaa !26
  ret void
}

; Function Attrs: nofree nounwind uwtable
define dso_local range(i32 -99, 100) i32 @main() local_unnamed_addr #3 {
  %1 = alloca %struct.node, align 8
  br label %7

2:                                                ; preds = %7
  call void @llvm.lifetime.start.p0(i64 40, ptr nonnull %1) #6
  call void @llvm.memcpy.p0.p0.i64(ptr noundef nonnull align 8 dereferenceable(40) %1, ptr noundef nonnull align 16 dereferenceable(40) getelementptr inbounds (i8, ptr @nodes, i64 80), i64 40, i1 false), !tbaa.struct !27
  %3 = getelementptr inbounds i8, ptr %1, i64 24
  store ptr getelementptr inbounds (i8, ptr @nodes, i64 120), ptr %3, align 8, !tbaa !18
  %4 = tail call i64 @sum(ptr noundef nonnull @nodes)
  %5 = call i64 @sum(ptr noundef nonnull %1)
  %6 = call i32 (ptr, ...) @printf(ptr noundef nonnull dereferenceable(1) @.str, i64 noundef %4, i64 noundef %5)
  br label %29

7:                                                ; preds = %0, %7
  %8 = phi i64 [ 0, %0 ], [ %11, %7 ]
  %9 = trunc i64 %8 to i8
  %10 = getelementptr inbounds [4 x %struct.node], ptr @nodes, i64 0, i64 %8
  store i8 %9, ptr %10, align 8, !tbaa !5
  %11 = add nuw nsw i64 %8, 1
  %12 = getelementptr inbounds i8, ptr %10, i64 4
  %13 = trunc nuw nsw i64 %11 to i32
  store i32 %13, ptr %12, align 4, !tbaa !13
  %14 = getelementptr inbounds i8, ptr %10, i64 8
  %15 = trunc i64 %8 to i32
  %16 = shl i32 %15, 1
  store i32 %16, ptr %14, align 8, !tbaa !14
  %17 = trunc nuw nsw i64 %8 to i32
  %18 = uitofp nneg i32 %17 to double
  %19 = fmul double %18, 5.000000e-01
  %20 = getelementptr inbounds i8, ptr %10, i64 16
  store double %19, ptr %20, align 8, !tbaa !15
  %21 = trunc i64 %8 to i16
  %22 = mul nuw nsw i16 %21, 3
  %23 = getelementptr inbounds i8, ptr %10, i64 36
  store i16 %22, ptr %23, align 4, !tbaa !16
  %24 = icmp eq i64 %8, 3
  %25 = getelementptr inbounds [4 x %struct.node], ptr @nodes, i64 0, i64 %11
  %26 = select i1 %24, ptr null, ptr %25
  %27 = getelementptr inbounds i8, ptr %10, i64 24
  store ptr %26, ptr %27, align 8, !tbaa !18
  %28 = icmp eq i64 %11, 4
  br i1 %28, label %2, label %7, !llvm.loop !32

29:                                               ; preds = %2, %29
  %30 = phi i64 [ 0, %2 ], [ %33, %29 ]
  %31 = getelementptr inbounds [3 x %struct.wire], ptr @wires, i64 0, i64 %30
  %32 = trunc nuw nsw i64 %30 to i32
  call void @fill(ptr noundef nonnull %31, i32 noundef %32)
  %33 = add nuw nsw i64 %30, 1
  %34 = icmp eq i64 %33, 3
  br i1 %34, label %42, label %29, !llvm.loop !33

35:                                               ; preds = %42
  %36 = call i32 (ptr, ...) @printf(ptr noundef nonnull dereferenceable(1) @.str.1, i64 noundef %55, i64 noundef 11, i64 noundef 40, i64 noundef 33)
  %37 = load i32, ptr @origin.1, align 4, !tbaa !29
  %38 = add nsw i32 %37, 5
  store i32 %38, ptr @origin.1, align 4, !tbaa !29
  %39 = call i32 (ptr, ...) @printf(ptr noundef nonnull dereferenceable(1) @.str.2, i32 noundef 0, i32 noundef %38, i64 noundef 4607182418800017408)
  %40 = srem i64 %55, 100
  %41 = trunc nsw i64 %40 to i32
  call void @llvm.lifetime.end.p0(i64 40, ptr nonnull %1) #6
  ret i32 %41

42:                                               ; preds = %29, %42
  %43 = phi i64 [ %56, %42 ], [ 0, %29 ]
  %44 = phi i64 [ %55, %42 ], [ 0, %29 ]
  %45 = getelementptr inbounds [3 x %struct.wire], ptr @wires, i64 0, i64 %43
  %46 = load i8, ptr %45, align 1, !tbaa !22
  %47 = sext i8 %46 to i64
  %48 = getelementptr inbounds i8, ptr %45, i64 1
  %49 = load i64, ptr %48, align 1, !tbaa !25
  %50 = getelementptr inbounds i8, ptr %45, i64 9
  %51 = load i16, ptr %50, align 1, !tbaa !26
  %52 = sext i16 %51 to i64
  %53 = add i64 %44, %47
  %54 = add i64 %53, %49
  %55 = add i64 %54, %52
  %56 = add nuw nsw i64 %43, 1
  %57 = icmp eq i64 %56, 3
  br i1 %57, label %35, label %42, !llvm.loop !34
}

; Function Attrs: mustprogress nocallback nofree nounwind willreturn memory(argmem: readwrite)
declare void @llvm.memcpy.p0.p0.i64(ptr noalias nocapture writeonly, ptr noalias nocapture readonly, i64, i1 immarg) #4

; Function Attrs: nofree nounwind
declare noundef i32 @printf(ptr nocapture noundef readonly, ...) local_unnamed_addr #5

attributes #0 = { nofree noinline norecurse nosync nounwind memory(read, inaccessiblemem: none) uwtable "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #1 = { mustprogress nocallback nofree nosync nounwind willreturn memory(argmem: readwrite) }
attributes #2 = { mustprogress nofree noinline norecurse nosync nounwind willreturn memory(argmem: write) uwtable "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #3 = { nofree nounwind uwtable "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #4 = { mustprogress nocallback nofree nounwind willreturn memory(argmem: readwrite) }
attributes #5 = { nofree nounwind "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #6 = { nounwind }

!llvm.module.flags = !{!0, !1, !2, !3}
!llvm.ident = !{!4}

!0 = !{i32 1, !"wchar_size", i32 4}
!1 = !{i32 8, !"PIC Level", i32 2}
!2 = !{i32 7, !"PIE Level", i32 2}
!3 = !{i32 7, !"uwtable", i32 2}
!4 = !{!"Debian clang version 19.1.7 (3~deb12u1)"}
!5 = !{!6, !7, i64 0}
!6 = !{!"node", !7, i64 0, !9, i64 4, !11, i64 16, !12, i64 24, !7, i64 32}
!7 = !{!"omnipotent char", !8, i64 0}
!8 = !{!"Simple C/C++ TBAA"}
!9 = !{!"point", !10, i64 0, !10, i64 4}
!10 = !{!"int", !7, i64 0}
!11 = !{!"double", !7, i64 0}
!12 = !{!"any pointer", !7, i64 0}
!13 = !{!6, !10, i64 4}
!14 = !{!6, !10, i64 8}
!15 = !{!6, !11, i64 16}
!16 = !{!17, !17, i64 0}
!17 = !{!"short", !7, i64 0}
!18 = !{!6, !12, i64 24}
!19 = distinct !{!19, !20, !21}
!20 = !{!"llvm.loop.mustprogress"}
!21 = !{!"llvm.loop.unroll.disable"}
!22 = !{!23, !7, i64 0}
!23 = !{!"wire", !7, i64 0, !24, i64 1, !17, i64 9}
!24 = !{!"long", !7, i64 0}
!25 = !{!23, !24, i64 1}
!26 = !{!23, !17, i64 9}
!27 = !{i64 0, i64 1, !28, i64 4, i64 4, !29, i64 8, i64 4, !29, i64 16, i64 8, !30, i64 24, i64 8, !31, i64 32, i64 6, !28}
!28 = !{!7, !7, i64 0}
!29 = !{!10, !10, i64 0}
!30 = !{!11, !11, i64 0}
!31 = !{!12, !12, i64 0}
!32 = distinct !{!32, !20, !21}
!33 = distinct !{!33, !20, !21}
!34 = distinct !{!34, !20, !21}
