; RUN: O2
; The LLVM tutorial's chapter 4 example: def test(x) (1+2+x)*(x+(1+2));
; becomes one add and one multiply.
define double @test(double %x) {
entry:
  %x1 = alloca double, align 8
  store double %x, ptr %x1, align 8
  %x2 = load double, ptr %x1, align 8
  %addtmp = fadd double 3.000000e+00, %x2
  %x3 = load double, ptr %x1, align 8
  %addtmp1 = fadd double %x3, 3.000000e+00
  %multmp = fmul double %addtmp, %addtmp1
  ret double %multmp
}

define i32 @main() {
entry:
  %v = call double @test(double 2.000000e+00)
  %i = fptosi double %v to i32
  ret i32 %i
}
