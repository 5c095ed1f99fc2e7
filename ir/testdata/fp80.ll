; x86_fp80 (long double): constants in every spelling, globals and
; aggregates of them, every operation, the intrinsics clang emits on long
; double, calls (fixed, variadic, returned in ST0) and phis; main prints
; the results with printf's %Lg and %La, so lli-19 and gorc run compare.
%struct.T = type { i32, x86_fp80, [2 x x86_fp80] }

@g = global x86_fp80 0xK3FFF8000000000000000, align 16
@arr = global [4 x x86_fp80] [x86_fp80 0xK3FFFC000000000000000, x86_fp80 0xKC000A000000000000000, x86_fp80 0xK3FFBCCCCCCCCCCCCD000, x86_fp80 zeroinitializer], align 16
@st = global %struct.T { i32 3, x86_fp80 0xK4000C90FDAA22168C235, [2 x x86_fp80] [x86_fp80 0xK7FFF8000000000000000, x86_fp80 0xKFFFFC000000000000000] }, align 16
@z = global [2 x x86_fp80] zeroinitializer, align 16
@fmt = private constant [30 x i8] c"%d: %.21Lg %La %.17g %lld %d\0A\00"
@fmt2 = private constant [12 x i8] c"sum %.21Lg\0A\00"

declare i32 @printf(ptr, ...)
declare x86_fp80 @llvm.fabs.f80(x86_fp80)
declare x86_fp80 @llvm.sqrt.f80(x86_fp80)
declare x86_fp80 @llvm.floor.f80(x86_fp80)
declare x86_fp80 @llvm.copysign.f80(x86_fp80, x86_fp80)
declare x86_fp80 @llvm.fmuladd.f80(x86_fp80, x86_fp80, x86_fp80)
declare i1 @llvm.is.fpclass.f80(x86_fp80, i32)
declare ptr @llvm.ptrmask.p0.i64(ptr, i64)

define internal x86_fp80 @half(x86_fp80 %x) {
  %h = fmul x86_fp80 %x, 0xK3FFE8000000000000000
  ret x86_fp80 %h
}

define internal void @show(i32 %k, x86_fp80 %x) {
  %d = fptrunc x86_fp80 %x to double
  %big = fcmp olt x86_fp80 %x, 0xK403DFFFFFFFFFFFFFFFF
  %small = fcmp ogt x86_fp80 %x, 0xKC03DFFFFFFFFFFFFFFFF
  %ok = and i1 %big, %small
  %safe = select i1 %ok, x86_fp80 %x, x86_fp80 0xK00000000000000000000
  %i = fptosi x86_fp80 %safe to i64
  %nan = call i1 @llvm.is.fpclass.f80(x86_fp80 %x, i32 3)
  %n = zext i1 %nan to i32
  call i32 (ptr, ...) @printf(ptr @fmt, i32 %k, x86_fp80 %x, x86_fp80 %x, double %d, i64 %i, i32 %n)
  ret void
}

; Nine x86_fp80 phis rotating (more than the x87 stack's eight: their
; copies go through general registers), and a swap.
define internal x86_fp80 @rot9(i32 %n) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %p0 = phi x86_fp80 [ 0xK3FFF8000000000000000, %entry ], [ %p1, %loop ]
  %p1 = phi x86_fp80 [ 0xK3FFF8800000000000000, %entry ], [ %p2, %loop ]
  %p2 = phi x86_fp80 [ 0xK3FFF9000000000000000, %entry ], [ %p3, %loop ]
  %p3 = phi x86_fp80 [ 0xK3FFF9800000000000000, %entry ], [ %p4, %loop ]
  %p4 = phi x86_fp80 [ 0xK4000A000000000000000, %entry ], [ %p5, %loop ]
  %p5 = phi x86_fp80 [ 0xK4000A800000000000000, %entry ], [ %p6, %loop ]
  %p6 = phi x86_fp80 [ 0xK4000B000000000000000, %entry ], [ %p7, %loop ]
  %p7 = phi x86_fp80 [ 0xK4000B800000000000000, %entry ], [ %p8, %loop ]
  %p8 = phi x86_fp80 [ 0xK4001C000000000000000, %entry ], [ %q, %loop ]
  %q = fadd x86_fp80 %p0, %p4
  %i1 = add i32 %i, 1
  %done = icmp eq i32 %i1, %n
  br i1 %done, label %out, label %loop
out:
  %r = fdiv x86_fp80 %p8, %p3
  %r2 = fsub x86_fp80 %r, %p1
  ret x86_fp80 %r2
}

define i32 @main() {
entry:
  %a = load x86_fp80, ptr @g, align 16
  %p1 = getelementptr inbounds [4 x x86_fp80], ptr @arr, i64 0, i64 1
  %b = load x86_fp80, ptr %p1, align 16
  %p2 = getelementptr inbounds [4 x x86_fp80], ptr @arr, i64 0, i64 2
  %c = load x86_fp80, ptr %p2, align 16
  %s1 = fadd x86_fp80 %a, %b
  call void @show(i32 1, x86_fp80 %s1)
  %s2 = fsub x86_fp80 %c, %b
  call void @show(i32 2, x86_fp80 %s2)
  %s3 = fmul x86_fp80 %c, %c
  call void @show(i32 3, x86_fp80 %s3)
  %s4 = fdiv x86_fp80 %a, 0xK4000C000000000000000
  call void @show(i32 4, x86_fp80 %s4)
  %s5 = frem x86_fp80 %b, %c
  call void @show(i32 5, x86_fp80 %s5)
  %s6 = fneg x86_fp80 %s4
  call void @show(i32 6, x86_fp80 %s6)
  %s7 = call x86_fp80 @half(x86_fp80 %s6)
  call void @show(i32 7, x86_fp80 %s7)
  %s8 = call x86_fp80 @llvm.sqrt.f80(x86_fp80 0xK4000C000000000000000)
  call void @show(i32 8, x86_fp80 %s8)
  %s9 = call x86_fp80 @llvm.fabs.f80(x86_fp80 %b)
  %s10 = call x86_fp80 @llvm.floor.f80(x86_fp80 %b)
  %s11 = call x86_fp80 @llvm.copysign.f80(x86_fp80 %s9, x86_fp80 %s10)
  call void @show(i32 11, x86_fp80 %s11)
  %s12 = call x86_fp80 @llvm.fmuladd.f80(x86_fp80 %a, x86_fp80 %b, x86_fp80 %c)
  call void @show(i32 12, x86_fp80 %s12)
  %pst = getelementptr inbounds %struct.T, ptr @st, i32 0, i32 2, i64 1
  %ninf = load x86_fp80, ptr %pst, align 16
  %s13 = fadd x86_fp80 %ninf, 0xK7FFF8000000000000000
  call void @show(i32 13, x86_fp80 %s13)
  %d = fpext double 0x3FB999999999999A to x86_fp80
  %s14 = fsub x86_fp80 %d, %c
  call void @show(i32 14, x86_fp80 %s14)
  %u = uitofp i64 -1 to x86_fp80
  call void @show(i32 15, x86_fp80 %u)
  %q = fptoui x86_fp80 %u to i64
  %qs = sitofp i64 %q to x86_fp80
  call void @show(i32 16, x86_fp80 %qs)
  %pz = getelementptr inbounds [2 x x86_fp80], ptr @z, i64 0, i64 1
  store x86_fp80 %s3, ptr %pz, align 16
  %back = load x86_fp80, ptr %pz, align 16
  %f = fptrunc x86_fp80 %back to float
  %fe = fpext float %f to x86_fp80
  call void @show(i32 17, x86_fp80 %fe)
  %al = call ptr @llvm.ptrmask.p0.i64(ptr %pz, i64 -16)
  %v = load x86_fp80, ptr %al, align 16
  call void @show(i32 18, x86_fp80 %v)
  br label %loop

loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %acc = phi x86_fp80 [ 0xK00000000000000000000, %entry ], [ %acc1, %loop ]
  %x = phi x86_fp80 [ %a, %entry ], [ %y, %loop ]
  %y = phi x86_fp80 [ %b, %entry ], [ %x, %loop ]
  %i1 = add i32 %i, 1
  %fi = sitofp i32 %i1 to x86_fp80
  %t = fdiv x86_fp80 %x, %fi
  %acc1 = fadd x86_fp80 %acc, %t
  %done = icmp eq i32 %i1, 20
  br i1 %done, label %out, label %loop

out:
  call i32 (ptr, ...) @printf(ptr @fmt2, x86_fp80 %acc1)
  %r9 = call x86_fp80 @rot9(i32 25)
  call void @show(i32 19, x86_fp80 %r9)
  %cmp = fcmp ueq x86_fp80 %x, %y
  %r = zext i1 %cmp to i32
  ret i32 %r
}
