; Generated from lazy_smallstack.c: clang-19 -O1 -fno-stack-protector -S -emit-llvm
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%union.pthread_attr_t = type { i64, [48 x i8] }

@.str = private unnamed_addr constant [20 x i8] c"pthread_create: %d\0A\00", align 1
@.str.1 = private unnamed_addr constant [29 x i8] c"sum %ld, attr stack size %s\0A\00", align 1
@.str.2 = private unnamed_addr constant [10 x i8] c"unchanged\00", align 1
@.str.3 = private unnamed_addr constant [8 x i8] c"changed\00", align 1

; Function Attrs: mustprogress nofree noinline norecurse nosync nounwind willreturn memory(none) uwtable
define dso_local range(i64 -9223372036854775807, -9223372036854775808) i64 @work(i64 noundef %0) local_unnamed_addr #0 {
  %2 = mul nsw i64 %0, 3
  %3 = add nsw i64 %2, 1
  ret i64 %3
}

; Function Attrs: nounwind uwtable
define dso_local range(i32 0, 4) i32 @main(i32 noundef %0, ptr nocapture noundef readonly %1) local_unnamed_addr #1 {
  %3 = alloca %union.pthread_attr_t, align 8
  %4 = alloca [4 x i64], align 16
  %5 = alloca ptr, align 8
  %6 = alloca i64, align 8
  %7 = icmp sgt i32 %0, 1
  br i1 %7, label %8, label %12

8:                                                ; preds = %2
  %9 = getelementptr inbounds i8, ptr %1, i64 8
  %10 = load ptr, ptr %9, align 8, !tbaa !5
  %11 = tail call i64 @strtoul(ptr nocapture noundef %10, ptr noundef null, i32 noundef 0) #8
  br label %12

12:                                               ; preds = %2, %8
  %13 = phi i64 [ %11, %8 ], [ 65536, %2 ]
  call void @llvm.lifetime.start.p0(i64 56, ptr nonnull %3) #8
  %14 = call i32 @pthread_attr_init(ptr noundef nonnull %3) #8
  %15 = call i32 @pthread_attr_setstacksize(ptr noundef nonnull %3, i64 noundef %13) #8
  %16 = icmp eq i32 %15, 0
  br i1 %16, label %17, label %55

17:                                               ; preds = %12
  call void @llvm.lifetime.start.p0(i64 32, ptr nonnull %4) #8
  br label %22

18:                                               ; preds = %32
  %19 = add nuw nsw i64 %25, 1
  %20 = icmp ugt i64 %25, 2
  %21 = icmp eq i64 %19, 4
  br i1 %21, label %34, label %22, !llvm.loop !9

22:                                               ; preds = %17, %18
  %23 = phi i1 [ false, %17 ], [ %20, %18 ]
  %24 = phi i32 [ 0, %17 ], [ %33, %18 ]
  %25 = phi i64 [ 0, %17 ], [ %19, %18 ]
  %26 = getelementptr inbounds [4 x i64], ptr %4, i64 0, i64 %25
  %27 = inttoptr i64 %25 to ptr
  %28 = call i32 @pthread_create(ptr noundef nonnull %26, ptr noundef nonnull %3, ptr noundef nonnull @body, ptr noundef %27) #8
  %29 = icmp eq i32 %28, 0
  br i1 %29, label %32, label %30

30:                                               ; preds = %22
  %31 = call i32 (ptr, ...) @printf(ptr noundef nonnull dereferenceable(1) @.str, i32 noundef %28)
  br label %32

32:                                               ; preds = %22, %30
  %33 = phi i32 [ 3, %30 ], [ %24, %22 ]
  br i1 %29, label %18, label %34

34:                                               ; preds = %18, %32
  %35 = phi i1 [ %20, %18 ], [ %23, %32 ]
  br i1 %35, label %42, label %53

36:                                               ; preds = %42
  call void @llvm.lifetime.start.p0(i64 8, ptr nonnull %6) #8
  store i64 0, ptr %6, align 8, !tbaa !12
  %37 = call i32 @pthread_attr_getstacksize(ptr noundef nonnull %3, ptr noundef nonnull %6) #8
  %38 = load i64, ptr %6, align 8, !tbaa !12
  %39 = icmp eq i64 %38, %13
  %40 = select i1 %39, ptr @.str.2, ptr @.str.3
  %41 = call i32 (ptr, ...) @printf(ptr noundef nonnull dereferenceable(1) @.str.1, i64 noundef %50, ptr noundef nonnull %40)
  call void @llvm.lifetime.end.p0(i64 8, ptr nonnull %6) #8
  br label %53

42:                                               ; preds = %34, %42
  %43 = phi i64 [ %51, %42 ], [ 0, %34 ]
  %44 = phi i64 [ %50, %42 ], [ 0, %34 ]
  call void @llvm.lifetime.start.p0(i64 8, ptr nonnull %5) #8
  %45 = getelementptr inbounds [4 x i64], ptr %4, i64 0, i64 %43
  %46 = load i64, ptr %45, align 8, !tbaa !12
  %47 = call i32 @pthread_join(i64 noundef %46, ptr noundef nonnull %5) #8
  %48 = load ptr, ptr %5, align 8, !tbaa !5
  %49 = ptrtoint ptr %48 to i64
  %50 = add nsw i64 %44, %49
  call void @llvm.lifetime.end.p0(i64 8, ptr nonnull %5) #8
  %51 = add nuw nsw i64 %43, 1
  %52 = icmp eq i64 %51, 4
  br i1 %52, label %36, label %42, !llvm.loop !14

53:                                               ; preds = %34, %36
  %54 = phi i32 [ 0, %36 ], [ %33, %34 ]
  call void @llvm.lifetime.end.p0(i64 32, ptr nonnull %4) #8
  br label %55

55:                                               ; preds = %12, %53
  %56 = phi i32 [ %54, %53 ], [ 2, %12 ]
  call void @llvm.lifetime.end.p0(i64 56, ptr nonnull %3) #8
  ret i32 %56
}

; Function Attrs: mustprogress nocallback nofree nosync nounwind willreturn memory(argmem: readwrite)
declare void @llvm.lifetime.start.p0(i64 immarg, ptr nocapture) #2

; Function Attrs: mustprogress nofree nounwind willreturn
declare i64 @strtoul(ptr noundef readonly, ptr nocapture noundef, i32 noundef) local_unnamed_addr #3

; Function Attrs: nounwind
declare i32 @pthread_attr_init(ptr noundef) local_unnamed_addr #4

; Function Attrs: nounwind
declare i32 @pthread_attr_setstacksize(ptr noundef, i64 noundef) local_unnamed_addr #4

; Function Attrs: nounwind
declare i32 @pthread_create(ptr noundef, ptr noundef, ptr noundef, ptr noundef) local_unnamed_addr #4

; Function Attrs: mustprogress nofree norecurse nosync nounwind willreturn memory(none) uwtable
define internal ptr @body(ptr noundef %0) #5 {
  %2 = ptrtoint ptr %0 to i64
  %3 = tail call i64 @work(i64 noundef %2)
  %4 = inttoptr i64 %3 to ptr
  ret ptr %4
}

; Function Attrs: nofree nounwind
declare noundef i32 @printf(ptr nocapture noundef readonly, ...) local_unnamed_addr #6

; Function Attrs: mustprogress nocallback nofree nosync nounwind willreturn memory(argmem: readwrite)
declare void @llvm.lifetime.end.p0(i64 immarg, ptr nocapture) #2

declare i32 @pthread_join(i64 noundef, ptr noundef) local_unnamed_addr #7

; Function Attrs: nounwind
declare i32 @pthread_attr_getstacksize(ptr noundef, ptr noundef) local_unnamed_addr #4

attributes #0 = { mustprogress nofree noinline norecurse nosync nounwind willreturn memory(none) uwtable "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #1 = { nounwind uwtable "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #2 = { mustprogress nocallback nofree nosync nounwind willreturn memory(argmem: readwrite) }
attributes #3 = { mustprogress nofree nounwind willreturn "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #4 = { nounwind "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #5 = { mustprogress nofree norecurse nosync nounwind willreturn memory(none) uwtable "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #6 = { nofree nounwind "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #7 = { "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #8 = { nounwind }

!llvm.module.flags = !{!0, !1, !2, !3}

!0 = !{i32 1, !"wchar_size", i32 4}
!1 = !{i32 8, !"PIC Level", i32 2}
!2 = !{i32 7, !"PIE Level", i32 2}
!3 = !{i32 7, !"uwtable", i32 2}
!5 = !{!6, !6, i64 0}
!6 = !{!"any pointer", !7, i64 0}
!7 = !{!"omnipotent char", !8, i64 0}
!8 = !{!"Simple C/C++ TBAA"}
!9 = distinct !{!9, !10, !11}
!10 = !{!"llvm.loop.mustprogress"}
!11 = !{!"llvm.loop.unroll.disable"}
!12 = !{!13, !13, i64 0}
!13 = !{!"long", !7, i64 0}
!14 = distinct !{!14, !10, !11}
