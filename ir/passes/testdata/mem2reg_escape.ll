; RUN: mem2reg
; %p escapes to a call and stays in memory; %q is promoted; a load
; before any store reads undef.
declare void @use(ptr)

define double @f(double %x) {
entry:
  %p = alloca double, align 8
  %q = alloca double, align 8
  %u = load double, ptr %q, align 8
  store double %x, ptr %p, align 8
  call void @use(ptr %p)
  store double %x, ptr %q, align 8
  %a = load double, ptr %p, align 8
  %b = load double, ptr %q, align 8
  %s = fadd double %a, %b
  ret double %s
}
