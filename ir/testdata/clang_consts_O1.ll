; ModuleID = 'clang_consts.c'
source_filename = "clang_consts.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%struct.anon = type { i8, i16, i64, double }
%struct.anon.0 = type <{ i8, i32 }>
%struct.op = type { ptr, ptr, i32 }

@table = dso_local global [6 x i32] [i32 1, i32 1, i32 2, i32 3, i32 5, i32 8], align 16
@mid = dso_local global ptr getelementptr inbounds (i8, ptr @table, i64 12), align 8
@pmid = dso_local local_unnamed_addr global ptr @mid, align 8
@.str = private unnamed_addr constant [5 x i8] c"zero\00", align 1
@.str.1 = private unnamed_addr constant [4 x i8] c"one\00", align 1
@.str.2 = private unnamed_addr constant [4 x i8] c"two\00", align 1
@.str.3 = private unnamed_addr constant [6 x i8] c"three\00", align 1
@.str.4 = private unnamed_addr constant [5 x i8] c"four\00", align 1
@.str.5 = private unnamed_addr constant [5 x i8] c"five\00", align 1
@names = dso_local local_unnamed_addr global [6 x ptr] [ptr @.str, ptr @.str.1, ptr @.str.2, ptr @.str.3, ptr @.str.4, ptr @.str.5], align 16
@mixed = dso_local local_unnamed_addr global %struct.anon { i8 109, i16 -7, i64 1099511627776, double 2.500000e+00 }, align 8
@packed_one = dso_local local_unnamed_addr global %struct.anon.0 <{ i8 112, i32 16909060 }>, align 1
@addr_as_int = dso_local local_unnamed_addr global i64 ptrtoint (ptr getelementptr inbounds (i8, ptr @table, i64 4) to i64), align 8
@grid = dso_local local_unnamed_addr global [2 x [3 x double]] [[3 x double] [double 1.500000e+00, double 2.500000e+00, double 3.500000e+00], [3 x double] [double 4.500000e+00, double 5.500000e+00, double 0.000000e+00]], align 16
@.str.6 = private unnamed_addr constant [5 x i8] c"many\00", align 1
@ops = internal unnamed_addr constant [4 x %struct.op] [%struct.op { ptr @.str.16, ptr @twice, i32 3 }, %struct.op { ptr @.str.17, ptr @square, i32 5 }, %struct.op { ptr @.str.18, ptr @neg, i32 -1 }, %struct.op zeroinitializer], align 16
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
@switch.table.pick.rel = private unnamed_addr constant [5 x i32] [i32 trunc (i64 sub (i64 ptrtoint (ptr @.str to i64), i64 ptrtoint (ptr @switch.table.pick.rel to i64)) to i32), i32 trunc (i64 sub (i64 ptrtoint (ptr @.str.1 to i64), i64 ptrtoint (ptr @switch.table.pick.rel to i64)) to i32), i32 trunc (i64 sub (i64 ptrtoint (ptr @.str.2 to i64), i64 ptrtoint (ptr @switch.table.pick.rel to i64)) to i32), i32 trunc (i64 sub (i64 ptrtoint (ptr @.str.3 to i64), i64 ptrtoint (ptr @switch.table.pick.rel to i64)) to i32), i32 trunc (i64 sub (i64 ptrtoint (ptr @.str.4 to i64), i64 ptrtoint (ptr @switch.table.pick.rel to i64)) to i32)], align 4

; Function Attrs: mustprogress nofree norecurse nosync nounwind willreturn memory(none) uwtable
define dso_local range(i32 -2147483647, -2147483648) i32 @neg(i32 noundef %0) #0 {
  %2 = sub nsw i32 0, %0
  ret i32 %2
}

; Function Attrs: mustprogress nofree noinline norecurse nosync nounwind willreturn memory(none) uwtable
define dso_local noundef nonnull ptr @pick(i32 noundef %0) local_unnamed_addr #1 {
  %2 = icmp ult i32 %0, 5
  br i1 %2, label %3, label %7

3:                                                ; preds = %1
  %4 = zext nneg i32 %0 to i64
  %5 = shl i64 %4, 2
  %6 = call ptr @llvm.load.relative.i64(ptr @switch.table.pick.rel, i64 %5)
  br label %7

7:                                                ; preds = %1, %3
  %8 = phi ptr [ %6, %3 ], [ @.str.6, %1 ]
  ret ptr %8
}

; Function Attrs: nounwind uwtable
define dso_local range(i32 0, 128) i32 @main() local_unnamed_addr #2 {
  br label %10

1:                                                ; preds = %10
  %2 = load ptr, ptr @mid, align 8, !tbaa !5
  %3 = load i32, ptr %2, align 4, !tbaa !9
  %4 = load ptr, ptr @pmid, align 8, !tbaa !5
  %5 = load ptr, ptr %4, align 8, !tbaa !5
  %6 = load i32, ptr %5, align 4, !tbaa !9
  %7 = getelementptr inbounds i8, ptr %2, i64 8
  %8 = load i32, ptr %7, align 4, !tbaa !9
  %9 = tail call i32 (ptr, ...) @printf(ptr noundef nonnull dereferenceable(1) @.str.8, i32 noundef %3, i32 noundef %6, i32 noundef %8)
  br label %43

10:                                               ; preds = %0, %10
  %11 = phi ptr [ @.str.16, %0 ], [ %23, %10 ]
  %12 = phi i32 [ 0, %0 ], [ %21, %10 ]
  %13 = phi ptr [ @ops, %0 ], [ %22, %10 ]
  %14 = getelementptr inbounds i8, ptr %13, i64 8
  %15 = load ptr, ptr %14, align 8, !tbaa !11
  %16 = tail call i32 %15(i32 noundef 7) #6
  %17 = tail call i32 (ptr, ...) @printf(ptr noundef nonnull dereferenceable(1) @.str.7, ptr noundef nonnull %11, i32 noundef %16)
  %18 = getelementptr inbounds i8, ptr %13, i64 16
  %19 = load i32, ptr %18, align 8, !tbaa !13
  %20 = mul nsw i32 %19, %16
  %21 = add nsw i32 %20, %12
  %22 = getelementptr inbounds i8, ptr %13, i64 24
  %23 = load ptr, ptr %22, align 8, !tbaa !14
  %24 = icmp eq ptr %23, null
  br i1 %24, label %1, label %10, !llvm.loop !15

25:                                               ; preds = %43
  %26 = load i8, ptr @mixed, align 8, !tbaa !18
  %27 = sext i8 %26 to i32
  %28 = load i16, ptr getelementptr inbounds (i8, ptr @mixed, i64 2), align 2, !tbaa !23
  %29 = sext i16 %28 to i32
  %30 = load i64, ptr getelementptr inbounds (i8, ptr @mixed, i64 8), align 8, !tbaa !24
  %31 = load double, ptr getelementptr inbounds (i8, ptr @mixed, i64 16), align 8, !tbaa !25
  %32 = tail call i32 (ptr, ...) @printf(ptr noundef nonnull dereferenceable(1) @.str.12, i32 noundef %27, i32 noundef %29, i64 noundef %30, double noundef %31)
  %33 = load i8, ptr @packed_one, align 1, !tbaa !26
  %34 = sext i8 %33 to i32
  %35 = load i32, ptr getelementptr inbounds (i8, ptr @packed_one, i64 1), align 1, !tbaa !28
  %36 = load i64, ptr @addr_as_int, align 8, !tbaa !29
  %37 = sub i64 %36, ptrtoint (ptr @table to i64)
  %38 = ashr exact i64 %37, 2
  %39 = tail call i32 (ptr, ...) @printf(ptr noundef nonnull dereferenceable(1) @.str.13, i32 noundef %34, i32 noundef %35, i64 noundef %38)
  %40 = load double, ptr getelementptr inbounds (i8, ptr @grid, i64 16), align 16, !tbaa !30
  %41 = load double, ptr getelementptr inbounds (i8, ptr @grid, i64 40), align 8, !tbaa !30
  %42 = tail call i32 (ptr, ...) @printf(ptr noundef nonnull dereferenceable(1) @.str.14, double noundef %40, double noundef %41)
  br label %55

43:                                               ; preds = %1, %43
  %44 = phi i64 [ 0, %1 ], [ %50, %43 ]
  %45 = getelementptr inbounds [6 x ptr], ptr @names, i64 0, i64 %44
  %46 = load ptr, ptr %45, align 8, !tbaa !5
  %47 = icmp eq i64 %44, 5
  %48 = select i1 %47, ptr @.str.11, ptr @.str.10
  %49 = tail call i32 (ptr, ...) @printf(ptr noundef nonnull dereferenceable(1) @.str.9, ptr noundef %46, ptr noundef nonnull %48)
  %50 = add nuw nsw i64 %44, 1
  %51 = icmp eq i64 %50, 6
  br i1 %51, label %25, label %43, !llvm.loop !31

52:                                               ; preds = %55
  %53 = tail call i32 @putchar(i32 10)
  %54 = and i32 %21, 127
  ret i32 %54

55:                                               ; preds = %25, %55
  %56 = phi i32 [ 0, %25 ], [ %59, %55 ]
  %57 = tail call ptr @pick(i32 noundef %56)
  %58 = tail call i32 (ptr, ...) @printf(ptr noundef nonnull dereferenceable(1) @.str.15, ptr noundef nonnull %57)
  %59 = add nuw nsw i32 %56, 1
  %60 = icmp eq i32 %59, 7
  br i1 %60, label %52, label %55, !llvm.loop !32
}

; Function Attrs: nofree nounwind
declare noundef i32 @printf(ptr nocapture noundef readonly, ...) local_unnamed_addr #3

; Function Attrs: mustprogress nofree norecurse nosync nounwind willreturn memory(none) uwtable
define internal i32 @twice(i32 noundef %0) #0 {
  %2 = shl nsw i32 %0, 1
  ret i32 %2
}

; Function Attrs: mustprogress nofree norecurse nosync nounwind willreturn memory(none) uwtable
define internal i32 @square(i32 noundef %0) #0 {
  %2 = mul nsw i32 %0, %0
  ret i32 %2
}

; Function Attrs: nofree nounwind
declare noundef i32 @putchar(i32 noundef) local_unnamed_addr #4

; Function Attrs: nocallback nofree nosync nounwind willreturn memory(argmem: read)
declare ptr @llvm.load.relative.i64(ptr, i64) #5

attributes #0 = { mustprogress nofree norecurse nosync nounwind willreturn memory(none) uwtable "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #1 = { mustprogress nofree noinline norecurse nosync nounwind willreturn memory(none) uwtable "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #2 = { nounwind uwtable "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #3 = { nofree nounwind "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #4 = { nofree nounwind }
attributes #5 = { nocallback nofree nosync nounwind willreturn memory(argmem: read) }
attributes #6 = { nounwind }

!llvm.module.flags = !{!0, !1, !2, !3}
!llvm.ident = !{!4}

!0 = !{i32 1, !"wchar_size", i32 4}
!1 = !{i32 8, !"PIC Level", i32 2}
!2 = !{i32 7, !"PIE Level", i32 2}
!3 = !{i32 7, !"uwtable", i32 2}
!4 = !{!"Debian clang version 19.1.7 (3~deb12u1)"}
!5 = !{!6, !6, i64 0}
!6 = !{!"any pointer", !7, i64 0}
!7 = !{!"omnipotent char", !8, i64 0}
!8 = !{!"Simple C/C++ TBAA"}
!9 = !{!10, !10, i64 0}
!10 = !{!"int", !7, i64 0}
!11 = !{!12, !6, i64 8}
!12 = !{!"op", !6, i64 0, !6, i64 8, !10, i64 16}
!13 = !{!12, !10, i64 16}
!14 = !{!12, !6, i64 0}
!15 = distinct !{!15, !16, !17}
!16 = !{!"llvm.loop.mustprogress"}
!17 = !{!"llvm.loop.unroll.disable"}
!18 = !{!19, !7, i64 0}
!19 = !{!"", !7, i64 0, !20, i64 2, !21, i64 8, !22, i64 16}
!20 = !{!"short", !7, i64 0}
!21 = !{!"long", !7, i64 0}
!22 = !{!"double", !7, i64 0}
!23 = !{!19, !20, i64 2}
!24 = !{!19, !21, i64 8}
!25 = !{!19, !22, i64 16}
!26 = !{!27, !7, i64 0}
!27 = !{!"", !7, i64 0, !10, i64 1}
!28 = !{!27, !10, i64 1}
!29 = !{!21, !21, i64 0}
!30 = !{!22, !22, i64 0}
!31 = distinct !{!31, !16, !17}
!32 = distinct !{!32, !16, !17}
