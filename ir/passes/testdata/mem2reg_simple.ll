; RUN: mem2reg
define double @f(double %x) {
entry:
  %x.addr = alloca double, align 8
  store double %x, ptr %x.addr, align 8
  %a = load double, ptr %x.addr, align 8
  %b = fmul double %a, %a
  store double %b, ptr %x.addr, align 8
  %c = load double, ptr %x.addr, align 8
  ret double %c
}

define i32 @main() {
entry:
  %r = call double @f(double 3.000000e+00)
  %i = fptosi double %r to i32
  ret i32 %i
}
