; RUN: reassociate,instcombine
define i64 @f(i64 %x, i64 %y) {
entry:
  %a = add i64 %x, 1
  %b = add i64 %a, %y
  %c = add i64 %b, 2
  %d = mul i64 3, %x
  %e = mul i64 %d, 5
  %g = mul i64 %e, %y
  %r = add i64 %c, %g
  ret i64 %r
}

define i32 @main() {
entry:
  %v = call i64 @f(i64 4, i64 7)
  %t = trunc i64 %v to i32
  ret i32 %t
}
