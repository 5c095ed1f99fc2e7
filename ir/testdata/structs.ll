; Struct types: named, nested, packed; getelementptr over them (offsets printed).
%struct.S = type { i8, i32, ptr, <{ i8, i64 }>, [3 x i16], double }
%struct.T = type { %struct.S, i8 }
declare i32 @printf(ptr, ...)
@.fmt = private constant [21 x i8] c"%ld %ld %ld %ld %ld\0A\00"
@g = global %struct.T zeroinitializer, align 8

define i32 @main() {
  %a = alloca %struct.T, align 8
  %p1 = getelementptr inbounds %struct.T, ptr %a, i32 0, i32 0, i32 1
  %p2 = getelementptr inbounds %struct.T, ptr %a, i32 0, i32 0, i32 3, i32 1
  %p3 = getelementptr inbounds %struct.T, ptr %a, i64 1
  %p4 = getelementptr inbounds %struct.T, ptr %a, i32 0, i32 1
  %p5 = getelementptr inbounds %struct.S, ptr @g, i32 0, i32 5
  %i1 = ptrtoint ptr %p1 to i64
  %i2 = ptrtoint ptr %p2 to i64
  %i3 = ptrtoint ptr %p3 to i64
  %i4 = ptrtoint ptr %p4 to i64
  %i5 = ptrtoint ptr %p5 to i64
  %i0 = ptrtoint ptr %a to i64
  %gi = ptrtoint ptr @g to i64
  %d1 = sub i64 %i1, %i0
  %d2 = sub i64 %i2, %i0
  %d3 = sub i64 %i3, %i0
  %d4 = sub i64 %i4, %i0
  %d5 = sub i64 %i5, %gi
  store i64 7, ptr %p2, align 1
  %v = load i64, ptr %p2, align 1
  %s = add i64 %d5, %v
  call i32 (ptr, ...) @printf(ptr @.fmt, i64 %d1, i64 %d2, i64 %d3, i64 %d4, i64 %s)
  ret i32 0
}
