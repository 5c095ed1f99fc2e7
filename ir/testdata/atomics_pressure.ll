; Values live across every kind of atomic operation, so that the
; allocator spills operands, addresses and results around them.
@cells = global [16 x i64] zeroinitializer, align 8
@fc = global double 0.0, align 8
@ff = global float 0.0, align 4
@b8 = global [4 x i8] zeroinitializer, align 1
@fmt = private constant [15 x i8] c"%lld %g %g %d\0A\00"
declare i32 @printf(ptr, ...)
define i64 @work(i64 %seed, ptr %base) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %inext, %loop ]
  %acc = phi i64 [ %seed, %entry ], [ %accn, %loop ]
  %v0 = mul i64 %i, 3
  %w0 = add i64 %v0, %acc
  %v1 = mul i64 %i, 10
  %w1 = add i64 %v1, %acc
  %v2 = mul i64 %i, 17
  %w2 = add i64 %v2, %acc
  %v3 = mul i64 %i, 24
  %w3 = add i64 %v3, %acc
  %v4 = mul i64 %i, 31
  %w4 = add i64 %v4, %acc
  %v5 = mul i64 %i, 38
  %w5 = add i64 %v5, %acc
  %v6 = mul i64 %i, 45
  %w6 = add i64 %v6, %acc
  %v7 = mul i64 %i, 52
  %w7 = add i64 %v7, %acc
  %v8 = mul i64 %i, 59
  %w8 = add i64 %v8, %acc
  %v9 = mul i64 %i, 66
  %w9 = add i64 %v9, %acc
  %v10 = mul i64 %i, 73
  %w10 = add i64 %v10, %acc
  %v11 = mul i64 %i, 80
  %w11 = add i64 %v11, %acc
  %v12 = mul i64 %i, 87
  %w12 = add i64 %v12, %acc
  %v13 = mul i64 %i, 94
  %w13 = add i64 %v13, %acc
  %v14 = mul i64 %i, 101
  %w14 = add i64 %v14, %acc
  %v15 = mul i64 %i, 108
  %w15 = add i64 %v15, %acc
  %v16 = mul i64 %i, 115
  %w16 = add i64 %v16, %acc
  %v17 = mul i64 %i, 122
  %w17 = add i64 %v17, %acc
  %p0 = getelementptr [16 x i64], ptr @cells, i64 0, i64 0
  %r0 = atomicrmw xchg ptr %p0, i64 %w0 seq_cst, align 8
  %s0 = add i64 %acc, %r0
  %p1 = getelementptr [16 x i64], ptr @cells, i64 0, i64 1
  %r1 = atomicrmw add ptr %p1, i64 %w1 seq_cst, align 8
  %s1 = add i64 %s0, %r1
  %p2 = getelementptr [16 x i64], ptr @cells, i64 0, i64 2
  %r2 = atomicrmw sub ptr %p2, i64 %w2 seq_cst, align 8
  %s2 = add i64 %s1, %r2
  %p3 = getelementptr [16 x i64], ptr @cells, i64 0, i64 3
  %r3 = atomicrmw and ptr %p3, i64 %w3 seq_cst, align 8
  %s3 = add i64 %s2, %r3
  %p4 = getelementptr [16 x i64], ptr @cells, i64 0, i64 4
  %r4 = atomicrmw nand ptr %p4, i64 %w4 seq_cst, align 8
  %s4 = add i64 %s3, %r4
  %p5 = getelementptr [16 x i64], ptr @cells, i64 0, i64 5
  %r5 = atomicrmw or ptr %p5, i64 %w5 seq_cst, align 8
  %s5 = add i64 %s4, %r5
  %p6 = getelementptr [16 x i64], ptr @cells, i64 0, i64 6
  %r6 = atomicrmw xor ptr %p6, i64 %w6 seq_cst, align 8
  %s6 = add i64 %s5, %r6
  %p7 = getelementptr [16 x i64], ptr @cells, i64 0, i64 7
  %r7 = atomicrmw max ptr %p7, i64 %w7 seq_cst, align 8
  %s7 = add i64 %s6, %r7
  %p8 = getelementptr [16 x i64], ptr @cells, i64 0, i64 8
  %r8 = atomicrmw min ptr %p8, i64 %w8 seq_cst, align 8
  %s8 = add i64 %s7, %r8
  %p9 = getelementptr [16 x i64], ptr @cells, i64 0, i64 9
  %r9 = atomicrmw umax ptr %p9, i64 %w9 seq_cst, align 8
  %s9 = add i64 %s8, %r9
  %p10 = getelementptr [16 x i64], ptr @cells, i64 0, i64 10
  %r10 = atomicrmw umin ptr %p10, i64 %w10 seq_cst, align 8
  %s10 = add i64 %s9, %r10
  %bi = and i64 %i, 3
  %bp = getelementptr [4 x i8], ptr @b8, i64 0, i64 %bi
  %bv = trunc i64 %w3 to i8
  %br = atomicrmw umax ptr %bp, i8 %bv monotonic, align 1
  %bre = zext i8 %br to i64
  %cx = cmpxchg ptr %p3, i64 %r3, i64 %w5 seq_cst seq_cst, align 8
  %cxv = extractvalue { i64, i1 } %cx, 0
  %cxo = extractvalue { i64, i1 } %cx, 1
  %cxz = zext i1 %cxo to i64
  %fv = sitofp i64 %w7 to double
  %fr = atomicrmw fadd ptr @fc, double %fv seq_cst, align 8
  %fi = fptosi double %fr to i64
  %gv = sitofp i64 %i to float
  %gr = atomicrmw fsub ptr @ff, float %gv seq_cst, align 4
  %gi = fptosi float %gr to i64
  store atomic i64 %w9, ptr %base seq_cst, align 8
  %ld = load atomic i64, ptr %base acquire, align 8
  fence seq_cst
  %t0 = xor i64 %s10, %w0
  %t1 = xor i64 %t0, %w1
  %t2 = xor i64 %t1, %w2
  %t3 = xor i64 %t2, %w3
  %t4 = xor i64 %t3, %w4
  %t5 = xor i64 %t4, %w5
  %t6 = xor i64 %t5, %w6
  %t7 = xor i64 %t6, %w7
  %t8 = xor i64 %t7, %w8
  %t9 = xor i64 %t8, %w9
  %t10 = xor i64 %t9, %w10
  %t11 = xor i64 %t10, %w11
  %t12 = xor i64 %t11, %w12
  %t13 = xor i64 %t12, %w13
  %t14 = xor i64 %t13, %w14
  %t15 = xor i64 %t14, %w15
  %t16 = xor i64 %t15, %w16
  %t17 = xor i64 %t16, %w17
  %x1 = add i64 %t17, %bre
  %x2 = add i64 %x1, %cxv
  %x3 = add i64 %x2, %cxz
  %x4 = add i64 %x3, %fi
  %x5 = add i64 %x4, %gi
  %accn = add i64 %x5, %ld
  %inext = add i64 %i, 1
  %done = icmp eq i64 %inext, 200
  br i1 %done, label %out, label %loop
out:
  ret i64 %accn
}
define i32 @main() {
  %slot = alloca i64, align 8
  %r = call i64 @work(i64 5, ptr %slot)
  %d = load double, ptr @fc
  %f = load float, ptr @ff
  %fd = fpext float %f to double
  %b = load i8, ptr @b8
  %be = zext i8 %b to i32
  call i32 (ptr, ...) @printf(ptr @fmt, i64 %r, double %d, double %fd, i32 %be)
  ret i32 0
}
