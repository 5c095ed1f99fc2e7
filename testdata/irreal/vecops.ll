; The vector code clang-19's vectorizers emit at -O2/-O3, reduced:
; compares, selects on vector conditions, reductions, element-wise
; intrinsics, bitcasts between shapes, masked loads and stores.
@fmt = private constant [4 x i8] c"%d\0A\00"
@fmtl = private constant [6 x i8] c"%lld\0A\00"
@fmtg = private constant [4 x i8] c"%g\0A\00"
@buf = global [8 x i32] [i32 5, i32 -3, i32 9, i32 0, i32 12, i32 -7, i32 1, i32 4]

declare i32 @printf(ptr, ...)
declare i32 @llvm.vector.reduce.add.v4i32(<4 x i32>)
declare i32 @llvm.vector.reduce.smax.v4i32(<4 x i32>)
declare i32 @llvm.vector.reduce.umin.v4i32(<4 x i32>)
declare i1 @llvm.vector.reduce.or.v4i1(<4 x i1>)
declare double @llvm.vector.reduce.fadd.v2f64(double, <2 x double>)
declare double @llvm.vector.reduce.fmax.v2f64(<2 x double>)
declare <4 x i32> @llvm.abs.v4i32(<4 x i32>, i1)
declare <4 x i32> @llvm.smin.v4i32(<4 x i32>, <4 x i32>)
declare <2 x double> @llvm.fmuladd.v2f64(<2 x double>, <2 x double>, <2 x double>)
declare <2 x double> @llvm.sqrt.v2f64(<2 x double>)
declare <4 x i32> @llvm.ctpop.v4i32(<4 x i32>)
declare <4 x i32> @llvm.masked.load.v4i32.p0(ptr, i32, <4 x i1>, <4 x i32>)
declare void @llvm.masked.store.v4i32.p0(<4 x i32>, ptr, i32, <4 x i1>)

define void @pi(i32 %x) {
  %c = call i32 (ptr, ...) @printf(ptr @fmt, i32 %x)
  ret void
}

define void @pd(double %x) {
  %c = call i32 (ptr, ...) @printf(ptr @fmtg, double %x)
  ret void
}

define i32 @main() {
entry:
  %a = load <4 x i32>, ptr @buf, align 16
  %p4 = getelementptr inbounds i32, ptr @buf, i64 4
  %b = load <4 x i32>, ptr %p4, align 4
  %gt = icmp sgt <4 x i32> %a, %b
  %mx = select <4 x i1> %gt, <4 x i32> %a, <4 x i32> %b
  %s = call i32 @llvm.vector.reduce.add.v4i32(<4 x i32> %mx)
  call void @pi(i32 %s)
  %m = call i32 @llvm.vector.reduce.smax.v4i32(<4 x i32> %a)
  call void @pi(i32 %m)
  %u = call i32 @llvm.vector.reduce.umin.v4i32(<4 x i32> %b)
  call void @pi(i32 %u)
  %z = icmp eq <4 x i32> %a, zeroinitializer
  %any = call i1 @llvm.vector.reduce.or.v4i1(<4 x i1> %z)
  %anyi = zext i1 %any to i32
  call void @pi(i32 %anyi)
  %bits = bitcast <4 x i1> %gt to i4
  %bitsi = zext i4 %bits to i32
  call void @pi(i32 %bitsi)
  %ab = call <4 x i32> @llvm.abs.v4i32(<4 x i32> %b, i1 true)
  %mn = call <4 x i32> @llvm.smin.v4i32(<4 x i32> %ab, <4 x i32> <i32 6, i32 6, i32 6, i32 6>)
  %pc = call <4 x i32> @llvm.ctpop.v4i32(<4 x i32> %mn)
  %w = bitcast <4 x i32> %pc to <2 x i64>
  %w1 = extractelement <2 x i64> %w, i64 1
  %c1 = call i32 (ptr, ...) @printf(ptr @fmtl, i64 %w1)
  %bytes = bitcast <4 x i32> %a to <16 x i8>
  %b5 = extractelement <16 x i8> %bytes, i64 4
  %b5i = sext i8 %b5 to i32
  call void @pi(i32 %b5i)
  %back = bitcast <16 x i8> %bytes to <2 x i64>
  %lo = extractelement <2 x i64> %back, i64 0
  %c2 = call i32 (ptr, ...) @printf(ptr @fmtl, i64 %lo)
  %f = sitofp <4 x i32> %a to <4 x double>
  %f01 = shufflevector <4 x double> %f, <4 x double> poison, <2 x i32> <i32 0, i32 2>
  %fm = call <2 x double> @llvm.fmuladd.v2f64(<2 x double> %f01, <2 x double> <double 0.5, double 2.0>, <2 x double> <double 1.0, double 1.0>)
  %sq = call <2 x double> @llvm.sqrt.v2f64(<2 x double> %fm)
  %fs = call double @llvm.vector.reduce.fadd.v2f64(double -0.0, <2 x double> %sq)
  call void @pd(double %fs)
  %fx = call double @llvm.vector.reduce.fmax.v2f64(<2 x double> %fm)
  call void @pd(double %fx)
  %olt = fcmp olt <2 x double> %fm, <double 3.0, double 3.0>
  %osel = select <2 x i1> %olt, <2 x double> %fm, <2 x double> zeroinitializer
  %o0 = extractelement <2 x double> %osel, i64 0
  %o1 = extractelement <2 x double> %osel, i64 1
  call void @pd(double %o0)
  call void @pd(double %o1)
  %mask = icmp sgt <4 x i32> %b, zeroinitializer
  %ml = call <4 x i32> @llvm.masked.load.v4i32.p0(ptr @buf, i32 4, <4 x i1> %mask, <4 x i32> <i32 100, i32 100, i32 100, i32 100>)
  %mls = call i32 @llvm.vector.reduce.add.v4i32(<4 x i32> %ml)
  call void @pi(i32 %mls)
  call void @llvm.masked.store.v4i32.p0(<4 x i32> <i32 1, i32 2, i32 3, i32 4>, ptr %p4, i32 4, <4 x i1> %mask)
  %after = load <4 x i32>, ptr %p4, align 4
  %as = call i32 @llvm.vector.reduce.add.v4i32(<4 x i32> %after)
  call void @pi(i32 %as)
  ret i32 0
}
