; freeze as clang-19 -O2 emits it (an identity copy): on integers,
; pointers, floats, an undef operand, an aggregate and a vector, and a
; freeze of a value defined later (a loop's phi).
@fmt = private constant [30 x i8] c"%d %d %g %d %d %d %lld %d %d\0A\00"

declare i32 @printf(ptr, ...)

define i32 @pick(i32 %a, i1 %c) {
entry:
  %f = freeze i32 %a
  %g = freeze i1 %c
  %s = select i1 %g, i32 %f, i32 7
  ret i32 %s
}

define i32 @main() {
entry:
  %x = call i32 @pick(i32 41, i1 true)
  %y = call i32 @pick(i32 41, i1 false)
  %d = freeze double 2.5
  %u0 = freeze i32 undef
  %u = and i32 %u0, 0
  %agg = insertvalue { i32, i64 } poison, i32 5, 0
  %fa = freeze { i32, i64 } %agg
  %a0 = extractvalue { i32, i64 } %fa, 0
  %v = insertelement <2 x i32> poison, i32 9, i64 1
  %fv = freeze <2 x i32> %v
  %v1 = extractelement <2 x i32> %fv, i64 1
  br label %loop

loop:
  %i = phi i32 [ 0, %entry ], [ %next, %loop ]
  %acc = phi i64 [ 0, %entry ], [ %acc2, %loop ]
  %fi = freeze i32 %i
  %w = sext i32 %fi to i64
  %acc2 = add i64 %acc, %w
  %next = add i32 %fi, 1
  %done = icmp eq i32 %next, 10
  br i1 %done, label %exit, label %loop

exit:
  %p = freeze ptr @fmt
  br label %def

use:
  %fl = freeze i32 %later
  %call = call i32 (ptr, ...) @printf(ptr %p, i32 %x, i32 %y, double %d, i32 %u, i32 %a0, i32 %v1, i64 %acc2, i32 %later, i32 %fl)
  ret i32 0

def:
  %later = add i32 %x, 1
  br label %use
}
