; Integers of odd widths as clang-19 emits them for bit-fields and small
; structs (i24, i40, i48, i56) and the vectorizers for masks (i4):
; arithmetic with wrapping, signed and unsigned compares, divisions,
; shifts, extensions, truncations, and loads and stores of the exact
; byte count (the byte after each value must stay untouched).
@fmt = private constant [6 x i8] c"%lld\0A\00"
@mem = global [16 x i8] c"\01\02\03\04\05\06\07\08\09\0A\0B\0C\0D\0E\0F\10"

declare i32 @printf(ptr, ...)

define void @p(i64 %x) {
  %c = call i32 (ptr, ...) @printf(ptr @fmt, i64 %x)
  ret void
}

define i24 @mk3(i8 %a) {
  %z = zext i8 %a to i24
  %s = shl i24 %z, 16
  %o = or i24 %s, 258
  ret i24 %o
}

define i32 @main() {
  %v = call i24 @mk3(i8 200)
  %v64 = zext i24 %v to i64
  call void @p(i64 %v64)
  %sv = sext i24 %v to i64
  call void @p(i64 %sv)
  %big = add i24 %v, 8388607
  %bz = zext i24 %big to i64
  call void @p(i64 %bz)
  %slt = icmp slt i24 %v, 0
  %ult = icmp ult i24 %big, %v
  %c1 = zext i1 %slt to i64
  %c2 = zext i1 %ult to i64
  call void @p(i64 %c1)
  call void @p(i64 %c2)
  %d = sdiv i24 %v, 7
  %dz = sext i24 %d to i64
  call void @p(i64 %dz)
  %u = udiv i24 %v, 7
  %uz = zext i24 %u to i64
  call void @p(i64 %uz)
  %r = ashr i24 %v, 4
  %rz = sext i24 %r to i64
  call void @p(i64 %rz)
  %l = lshr i24 %v, 4
  %lz = zext i24 %l to i64
  call void @p(i64 %lz)
  %x40 = load i40, ptr @mem, align 1
  %x40z = zext i40 %x40 to i64
  call void @p(i64 %x40z)
  %m40 = mul i40 %x40, 1000
  store i40 %m40, ptr @mem, align 1
  %w = load i64, ptr @mem, align 1
  call void @p(i64 %w)
  %q = getelementptr i8, ptr @mem, i64 8
  %x48 = load i48, ptr %q, align 2
  %n48 = sub i48 0, %x48
  %t56 = sext i48 %n48 to i56
  store i56 %t56, ptr %q, align 1
  %w2 = load i64, ptr %q, align 1
  call void @p(i64 %w2)
  %t = trunc i64 %w2 to i4
  %t4 = zext i4 %t to i64
  call void @p(i64 %t4)
  %cmp4 = icmp sgt i4 %t, 3
  %cz = zext i1 %cmp4 to i64
  call void @p(i64 %cz)
  %arr = alloca [3 x i24], align 4
  %e1 = getelementptr [3 x i24], ptr %arr, i64 0, i64 1
  store i32 -1, ptr %e1, align 4
  store i24 5, ptr %e1, align 4
  %back = load i32, ptr %e1, align 4
  %bk = zext i32 %back to i64
  call void @p(i64 %bk)
  ret i32 0
}
