; Appending arrays (@llvm.global_ctors, @llvm.global_dtors, @llvm.used)
; and globals in named sections.
@llvm.global_ctors = appending global [2 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @late, ptr null }, { i32, ptr, ptr } { i32 101, ptr @early, ptr null }]
@llvm.global_dtors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @bye, ptr null }]
@llvm.used = appending global [1 x ptr] [ptr @tagged], section "llvm.metadata"
@tagged = global i32 7, section "gorc_tag", align 4
@order = global i32 0, align 4
@.fmt = private constant [10 x i8] c"order=%d\0A\00"
@.bye = private constant [4 x i8] c"bye\00"

declare i32 @printf(ptr, ...)
declare i32 @puts(ptr)

define internal void @early() {
  store i32 1, ptr @order, align 4
  ret void
}

define internal void @late() {
  %o = load i32, ptr @order, align 4
  %n = mul i32 %o, 10
  %m = add i32 %n, 2
  store i32 %m, ptr @order, align 4
  ret void
}

define internal void @bye() {
  %r = call i32 @puts(ptr @.bye)
  ret void
}

define i32 @main() {
  %o = load i32, ptr @order, align 4
  %t = load i32, ptr @tagged, align 4
  %s = add i32 %o, %t
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, i32 %s)
  ret i32 0
}
