; RUN: mem2reg,instcombine,reassociate,gvn,instcombine,simplifycfg,dce
; x86_fp80 is never constant-folded (float64 would round), but the
; IEEE-exact identities and the memory passes apply to it as to double.
@fmt = private constant [14 x i8] c"%.21Lg %.21Lg\00"
declare i32 @printf(ptr, ...)

define x86_fp80 @f(x86_fp80 %x) {
entry:
  %p = alloca x86_fp80, align 16
  store x86_fp80 %x, ptr %p, align 16
  %a = load x86_fp80, ptr %p, align 16
  %c = fadd x86_fp80 0xK3FFF8000000000000000, 0xK3FC38000000000000000
  %big = uitofp i64 -1 to x86_fp80
  %n = fneg x86_fp80 %a
  %nn = fneg x86_fp80 %n
  %s = fadd x86_fp80 %nn, %c
  %t = fadd x86_fp80 %s, %big
  %same = fadd x86_fp80 %s, %big
  %u = fsub x86_fp80 %t, %same
  %w = fpext double 1.5 to x86_fp80
  %r = fadd x86_fp80 %u, %w
  ret x86_fp80 %r
}

define i32 @main() {
  %r = call x86_fp80 @f(x86_fp80 0xK3FFFC000000000000000)
  %c = fadd x86_fp80 0xK3FFF8000000000000000, 0xK3FC38000000000000000
  call i32 (ptr, ...) @printf(ptr @fmt, x86_fp80 %r, x86_fp80 %c)
  ret i32 0
}
