; First-class aggregates, overflow intrinsics, variadic definitions and
; byval, written by hand to use what clang emits rarely (struct select and
; store, nested and array aggregates, packed structs, forward references
; to aggregates, aggregate constants). Output and exit status under lli-19
; and gorc run must agree.
target triple = "x86_64-pc-linux-gnu"

%struct.Pair = type { i64, double }
%struct.Nest = type { i32, { i8, double }, [2 x i16] }
%struct.Packed = type <{ i8, i64, i16 }>
%struct.Big = type { i64, i64, i64 }
%struct.__va_list_tag = type { i32, i32, ptr, ptr }

@.fmt2 = private constant [11 x i8] c"%ld %.3f\0A\00\00"
@.fmtov = private constant [14 x i8] c"%s %lld %d\0A\00\00\00"
@.fmtn = private constant [22 x i8] c"%d %d %.2f %d %d %d\0A\00\00"
@.fmtp = private constant [14 x i8] c"%d %ld %d\0A\00\00\00\00"
@.fmtb = private constant [16 x i8] c"%ld %ld %ld\0A\00\00\00\00"
@.fmtv = private constant [16 x i8] c"%d: %.2f %ld\0A\00\00\00"
@.sadd = private constant [5 x i8] c"sadd\00"
@.uadd = private constant [5 x i8] c"uadd\00"
@.ssub = private constant [5 x i8] c"ssub\00"
@.usub = private constant [5 x i8] c"usub\00"
@.smul = private constant [5 x i8] c"smul\00"
@.umul = private constant [5 x i8] c"umul\00"

declare i32 @printf(ptr, ...)
declare { i8, i1 } @llvm.sadd.with.overflow.i8(i8, i8)
declare { i16, i1 } @llvm.uadd.with.overflow.i16(i16, i16)
declare { i32, i1 } @llvm.ssub.with.overflow.i32(i32, i32)
declare { i64, i1 } @llvm.usub.with.overflow.i64(i64, i64)
declare { i64, i1 } @llvm.smul.with.overflow.i64(i64, i64)
declare { i64, i1 } @llvm.umul.with.overflow.i64(i64, i64)
declare { i32, i1 } @llvm.smul.with.overflow.i32(i32, i32)
declare { i32, i1 } @llvm.umul.with.overflow.i32(i32, i32)
declare void @llvm.va_start.p0(ptr)
declare void @llvm.va_copy.p0(ptr, ptr)
declare void @llvm.va_end.p0(ptr)

define { i64, double } @mkpair(i64 %a, double %b) {
  %1 = insertvalue { i64, double } poison, i64 %a, 0
  %2 = insertvalue { i64, double } %1, double %b, 1
  ret { i64, double } %2
}

define { double, i64 } @swap(ptr %f, i64 %a) {
  %p = call { i64, double } %f(i64 %a, double 2.5)
  %x = extractvalue { i64, double } %p, 0
  %y = extractvalue { i64, double } %p, 1
  %r0 = insertvalue { double, i64 } undef, double %y, 0
  %r1 = insertvalue { double, i64 } %r0, i64 %x, 1
  ret { double, i64 } %r1
}

define { i64, double } @choose(i1 %c, i64 %n) {
entry:
  %a = call { i64, double } @mkpair(i64 %n, double 1.0)
  %b = insertvalue { i64, double } %a, i64 7, 0
  %s = select i1 %c, { i64, double } %a, { i64, double } %b
  ret { i64, double } %s
}

; A loop carrying a struct through a phi whose incoming value is defined
; after its use (a forward reference to an aggregate).
define { i64, double } @loop(i64 %n) {
entry:
  br label %head

head:
  %acc = phi { i64, double } [ { i64 0, double 0.0 }, %entry ], [ %next, %body ]
  %i = phi i64 [ 0, %entry ], [ %i1, %body ]
  %done = icmp sge i64 %i, %n
  br i1 %done, label %exit, label %pre

body:
  %k = extractvalue { i64, double } %next0, 0
  %next = insertvalue { i64, double } %next0, double %f1, 1
  %i1 = add i64 %i, 1
  br label %head

exit:
  ret { i64, double } %acc

pre:
  %next0 = insertvalue { i64, double } %acc, i64 %i, 0
  %f0 = extractvalue { i64, double } %acc, 1
  %fi = sitofp i64 %i to double
  %f1 = fadd double %f0, %fi
  br label %body
}

define void @nested(ptr %out) {
  %p = alloca %struct.Nest, align 8
  store %struct.Nest { i32 -5, { i8, double } { i8 9, double 1.25 }, [2 x i16] [i16 300, i16 -2] }, ptr %p, align 8
  %v = load %struct.Nest, ptr %p, align 8
  %a = extractvalue %struct.Nest %v, 0
  %inner = extractvalue %struct.Nest %v, 1
  %b = extractvalue { i8, double } %inner, 0
  %c = extractvalue %struct.Nest %v, 1, 1
  %d = extractvalue %struct.Nest %v, 2, 0
  %e = extractvalue %struct.Nest %v, 2, 1
  %w = insertvalue %struct.Nest %v, [2 x i16] [i16 1, i16 2], 2
  store %struct.Nest %w, ptr %out, align 8
  %g = getelementptr inbounds %struct.Nest, ptr %out, i32 0, i32 2, i32 1
  %h = load i16, ptr %g, align 2
  %bi = sext i8 %b to i32
  %di = sext i16 %d to i32
  %ei = sext i16 %e to i32
  %hi = sext i16 %h to i32
  %z = load %struct.Nest, ptr %out
  %zz = extractvalue %struct.Nest zeroinitializer, 0
  %call = call i32 (ptr, ...) @printf(ptr @.fmtn, i32 %a, i32 %bi, double %c, i32 %di, i32 %ei, i32 %hi)
  ret void
}

define void @packed() {
  %p = alloca %struct.Packed, align 1
  store %struct.Packed <{ i8 3, i64 1234567890123, i16 -9 }>, ptr %p, align 1
  %v = load volatile %struct.Packed, ptr %p, align 1
  %a = extractvalue %struct.Packed %v, 0
  %b = extractvalue %struct.Packed %v, 1
  %c = extractvalue %struct.Packed %v, 2
  %ai = zext i8 %a to i32
  %ci = sext i16 %c to i32
  %call = call i32 (ptr, ...) @printf(ptr @.fmtp, i32 %ai, i64 %b, i32 %ci)
  ret void
}

define void @show(ptr %name, i64 %v, i1 %o) {
  %oi = zext i1 %o to i32
  %call = call i32 (ptr, ...) @printf(ptr @.fmtov, ptr %name, i64 %v, i32 %oi)
  ret void
}

define void @overflows() {
  %1 = call { i8, i1 } @llvm.sadd.with.overflow.i8(i8 127, i8 1)
  %2 = extractvalue { i8, i1 } %1, 0
  %3 = extractvalue { i8, i1 } %1, 1
  %4 = sext i8 %2 to i64
  call void @show(ptr @.sadd, i64 %4, i1 %3)
  %5 = call { i16, i1 } @llvm.uadd.with.overflow.i16(i16 65535, i16 2)
  %6 = extractvalue { i16, i1 } %5, 0
  %7 = extractvalue { i16, i1 } %5, 1
  %8 = zext i16 %6 to i64
  call void @show(ptr @.uadd, i64 %8, i1 %7)
  %9 = call { i32, i1 } @llvm.ssub.with.overflow.i32(i32 -2147483648, i32 1)
  %10 = extractvalue { i32, i1 } %9, 0
  %11 = extractvalue { i32, i1 } %9, 1
  %12 = sext i32 %10 to i64
  call void @show(ptr @.ssub, i64 %12, i1 %11)
  %13 = call { i64, i1 } @llvm.usub.with.overflow.i64(i64 3, i64 4)
  %14 = extractvalue { i64, i1 } %13, 0
  %15 = extractvalue { i64, i1 } %13, 1
  call void @show(ptr @.usub, i64 %14, i1 %15)
  %16 = call { i64, i1 } @llvm.smul.with.overflow.i64(i64 -1, i64 -9223372036854775808)
  %17 = extractvalue { i64, i1 } %16, 0
  %18 = extractvalue { i64, i1 } %16, 1
  call void @show(ptr @.smul, i64 %17, i1 %18)
  %19 = call { i64, i1 } @llvm.smul.with.overflow.i64(i64 -3037000499, i64 3037000499)
  %20 = extractvalue { i64, i1 } %19, 0
  %21 = extractvalue { i64, i1 } %19, 1
  call void @show(ptr @.smul, i64 %20, i1 %21)
  %22 = call { i64, i1 } @llvm.umul.with.overflow.i64(i64 4294967296, i64 4294967295)
  %23 = extractvalue { i64, i1 } %22, 0
  %24 = extractvalue { i64, i1 } %22, 1
  call void @show(ptr @.umul, i64 %23, i1 %24)
  %25 = call { i64, i1 } @llvm.umul.with.overflow.i64(i64 4294967296, i64 4294967296)
  %26 = extractvalue { i64, i1 } %25, 0
  %27 = extractvalue { i64, i1 } %25, 1
  call void @show(ptr @.umul, i64 %26, i1 %27)
  %28 = call { i32, i1 } @llvm.smul.with.overflow.i32(i32 65536, i32 -32768)
  %29 = extractvalue { i32, i1 } %28, 0
  %30 = extractvalue { i32, i1 } %28, 1
  %31 = sext i32 %29 to i64
  call void @show(ptr @.smul, i64 %31, i1 %30)
  %32 = call { i32, i1 } @llvm.umul.with.overflow.i32(i32 65536, i32 65536)
  %33 = extractvalue { i32, i1 } %32, 0
  %34 = extractvalue { i32, i1 } %32, 1
  %35 = zext i32 %33 to i64
  call void @show(ptr @.umul, i64 %35, i1 %34)
  ret void
}

; Variadic: n pairs of (i32, double), read with clang's x86-64 va_arg
; sequence from a va_copy, then a byval struct after them.
define double @vsum(i32 %n, ...) {
entry:
  %ap = alloca %struct.__va_list_tag, align 16
  %aq = alloca %struct.__va_list_tag, align 16
  call void @llvm.va_start.p0(ptr %ap)
  call void @llvm.va_copy.p0(ptr %aq, ptr %ap)
  call void @llvm.va_end.p0(ptr %ap)
  br label %head

head:
  %i = phi i32 [ 0, %entry ], [ %i1, %got_d ]
  %s = phi double [ 0.0, %entry ], [ %s1, %got_d ]
  %more = icmp slt i32 %i, %n
  br i1 %more, label %int, label %done

int:
  %gpo_p = getelementptr inbounds %struct.__va_list_tag, ptr %aq, i32 0, i32 0
  %gpo = load i32, ptr %gpo_p, align 16
  %inreg = icmp ule i32 %gpo, 40
  br i1 %inreg, label %int_reg, label %int_mem

int_reg:
  %rsa_p = getelementptr inbounds %struct.__va_list_tag, ptr %aq, i32 0, i32 3
  %rsa = load ptr, ptr %rsa_p, align 16
  %ia = getelementptr i8, ptr %rsa, i32 %gpo
  %gpo1 = add i32 %gpo, 8
  store i32 %gpo1, ptr %gpo_p, align 16
  br label %got_i

int_mem:
  %ov_p = getelementptr inbounds %struct.__va_list_tag, ptr %aq, i32 0, i32 2
  %ov = load ptr, ptr %ov_p, align 8
  %ov1 = getelementptr i8, ptr %ov, i32 8
  store ptr %ov1, ptr %ov_p, align 8
  br label %got_i

got_i:
  %iaddr = phi ptr [ %ia, %int_reg ], [ %ov, %int_mem ]
  %iv = load i32, ptr %iaddr, align 4
  %fpo_p = getelementptr inbounds %struct.__va_list_tag, ptr %aq, i32 0, i32 1
  %fpo = load i32, ptr %fpo_p, align 4
  %finreg = icmp ule i32 %fpo, 160
  br i1 %finreg, label %fp_reg, label %fp_mem

fp_reg:
  %rsa_p2 = getelementptr inbounds %struct.__va_list_tag, ptr %aq, i32 0, i32 3
  %rsa2 = load ptr, ptr %rsa_p2, align 16
  %fa = getelementptr i8, ptr %rsa2, i32 %fpo
  %fpo1 = add i32 %fpo, 16
  store i32 %fpo1, ptr %fpo_p, align 4
  br label %got_d

fp_mem:
  %ov_p2 = getelementptr inbounds %struct.__va_list_tag, ptr %aq, i32 0, i32 2
  %ovf = load ptr, ptr %ov_p2, align 8
  %ovf1 = getelementptr i8, ptr %ovf, i32 8
  store ptr %ovf1, ptr %ov_p2, align 8
  br label %got_d

got_d:
  %faddr = phi ptr [ %fa, %fp_reg ], [ %ovf, %fp_mem ]
  %dv = load double, ptr %faddr, align 8
  %ivd = sitofp i32 %iv to double
  %prod = fmul double %ivd, %dv
  %s1 = fadd double %s, %prod
  %i1 = add i32 %i, 1
  br label %head

done:
  call void @llvm.va_end.p0(ptr %aq)
  ret double %s
}

define i64 @bigsum(ptr byval(%struct.Big) align 8 %b, i64 %k) {
  %v = load %struct.Big, ptr %b, align 8
  %x = extractvalue %struct.Big %v, 0
  %y = extractvalue %struct.Big %v, 1
  %z = extractvalue %struct.Big %v, 2
  %call = call i32 (ptr, ...) @printf(ptr @.fmtb, i64 %x, i64 %y, i64 %z)
  %s = add i64 %x, %y
  %t = add i64 %s, %z
  %u = mul i64 %t, %k
  store %struct.Big zeroinitializer, ptr %b, align 8
  ret i64 %u
}

define i32 @main() {
  %p = call { double, i64 } @swap(ptr @mkpair, i64 41)
  %p0 = extractvalue { double, i64 } %p, 0
  %p1 = extractvalue { double, i64 } %p, 1
  %c1 = call i32 (ptr, ...) @printf(ptr @.fmt2, i64 %p1, double %p0)
  %q = call { i64, double } @choose(i1 true, i64 5)
  %q0 = extractvalue { i64, double } %q, 0
  %q1 = extractvalue { i64, double } %q, 1
  %c2 = call i32 (ptr, ...) @printf(ptr @.fmt2, i64 %q0, double %q1)
  %r = call { i64, double } @choose(i1 false, i64 5)
  %r0 = extractvalue { i64, double } %r, 0
  %r1 = extractvalue { i64, double } %r, 1
  %c3 = call i32 (ptr, ...) @printf(ptr @.fmt2, i64 %r0, double %r1)
  %l = call { i64, double } @loop(i64 10)
  %l0 = extractvalue { i64, double } %l, 0
  %l1 = extractvalue { i64, double } %l, 1
  %c4 = call i32 (ptr, ...) @printf(ptr @.fmt2, i64 %l0, double %l1)
  %out = alloca %struct.Nest, align 8
  call void @nested(ptr %out)
  call void @packed()
  call void @overflows()
  %v = call double (i32, ...) @vsum(i32 9, i32 1, double 0.5, i32 2, double 1.5, i32 3, double 2.5, i32 4, double 3.5, i32 5, double 4.5, i32 6, double 5.5, i32 7, double 6.5, i32 8, double 7.5, i32 9, double 8.5)
  %c5 = call i32 (ptr, ...) @printf(ptr @.fmtv, i32 9, double %v, i64 0)
  %big = alloca %struct.Big, align 8
  store %struct.Big { i64 1, i64 20, i64 300 }, ptr %big, align 8
  %bs = call i64 @bigsum(ptr byval(%struct.Big) align 8 %big, i64 2)
  %bv = load %struct.Big, ptr %big
  %b2 = extractvalue %struct.Big %bv, 2
  %c6 = call i32 (ptr, ...) @printf(ptr @.fmtv, i32 0, double 0.0, i64 %bs)
  %c7 = call i32 (ptr, ...) @printf(ptr @.fmtv, i32 1, double 1.0, i64 %b2)
  %rc = trunc i64 %q0 to i32
  ret i32 %rc
}
