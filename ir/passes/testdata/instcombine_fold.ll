; RUN: instcombine
define double @f() {
entry:
  %a = fadd double 1.000000e+00, 2.000000e+00
  %b = fmul double %a, 4.000000e+00
  %c = fsub double %b, 5.000000e-01
  %d = fdiv double %c, 2.000000e+00
  %e = frem double 7.000000e+00, 4.000000e+00
  %g = fadd double %d, %e
  %cmp = fcmp ult double %g, 1.000000e+01
  %n = fcmp uno double %g, 0x7FF8000000000000
  %both = and i1 %cmp, %n
  %z = uitofp i1 %both to double
  %h = fadd double %g, %z
  ret double %h
}

define i32 @g() {
entry:
  %a = add i32 2147483647, 1
  %b = sdiv i32 %a, -2
  %c = shl i32 1, 4
  %d = lshr i32 -16, 28
  %e = ashr i32 -16, 2
  %s1 = add i32 %b, %c
  %s2 = add i32 %s1, %d
  %s3 = add i32 %s2, %e
  %t = trunc i32 %s3 to i8
  %x = sext i8 %t to i32
  %nofold = shl i32 %x, 40
  %m = icmp slt i32 %x, 0
  %z = zext i1 %m to i32
  %r = add i32 %z, %x
  ret i32 %r
}

define i32 @main() {
entry:
  %v = call double @f()
  %i = fptosi double %v to i32
  %w = call i32 @g()
  %r = add i32 %i, %w
  ret i32 %r
}
