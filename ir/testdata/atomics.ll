; Atomic instructions C compilers emit and clang's C front end does not:
; atomicrmw fadd/fsub and xchg on float and double, max/min on i8 and i64,
; syncscope, volatile atomics, a weak cmpxchg of a pointer, atomic stores
; and loads of floats at every ordering.
@d = global double 1.5, align 8
@f = global float 2.0, align 4
@b = global i8 -3, align 1
@q = global i64 100, align 8
@p = global ptr null, align 8
@fmt = private constant [44 x i8] c"%g %g %g %g | %g %g | %d %d %lld %lld | %d\0A\00"
@fmt2 = private constant [24 x i8] c"%d %d %lld %g %g %d %d\0A\00"

declare i32 @printf(ptr, ...)

define i32 @main() {
entry:
  %d0 = atomicrmw fadd ptr @d, double 2.25 seq_cst, align 8
  %d1 = atomicrmw fsub ptr @d, double 0.5 monotonic, align 8
  %f0 = atomicrmw fadd ptr @f, float 0.5 acq_rel
  %f1 = atomicrmw volatile fsub ptr @f, float 4.0 syncscope("singlethread") release, align 4
  %dx = atomicrmw xchg ptr @d, double -8.0 seq_cst, align 8
  %fx = atomicrmw xchg ptr @f, float 3.5 acquire, align 4
  %b0 = atomicrmw max ptr @b, i8 5 seq_cst, align 1
  %b1 = atomicrmw umin ptr @b, i8 200 seq_cst, align 1
  %q0 = atomicrmw min ptr @q, i64 -4294967296 seq_cst, align 8
  %q1 = atomicrmw umax ptr @q, i64 7 seq_cst, align 8
  %f0e = fpext float %f0 to double
  %f1e = fpext float %f1 to double
  %fxe = fpext float %fx to double
  %b0e = sext i8 %b0 to i32
  %b1e = zext i8 %b1 to i32
  %pr = cmpxchg weak volatile ptr @p, ptr null, ptr @q syncscope("singlethread") seq_cst acquire, align 8
  %ok = extractvalue { ptr, i1 } %pr, 1
  %oke = zext i1 %ok to i32
  call i32 (ptr, ...) @printf(ptr @fmt, double %d0, double %d1, double %f0e, double %f1e, double %dx, double %fxe, i32 %b0e, i32 %b1e, i64 %q0, i64 %q1, i32 %oke)
  fence syncscope("singlethread") seq_cst
  fence acq_rel
  store atomic double 6.25, ptr @d seq_cst, align 8
  store atomic float 1.25, ptr @f release, align 4
  store atomic i8 9, ptr @b unordered, align 1
  %dl = load atomic double, ptr @d acquire, align 8
  %fl = load atomic volatile float, ptr @f seq_cst, align 4
  %fle = fpext float %fl to double
  %bl = load atomic i8, ptr @b monotonic, align 1
  %ble = sext i8 %bl to i32
  %pl = load atomic ptr, ptr @p unordered, align 8
  %ql = load atomic i64, ptr %pl seq_cst, align 8
  %pr2 = cmpxchg ptr @b, i8 9, i8 -1 monotonic monotonic
  %old = extractvalue { i8, i1 } %pr2, 0
  %olde = sext i8 %old to i32
  %pr3 = cmpxchg ptr @b, i8 9, i8 -1 acquire monotonic
  %ok3 = extractvalue { i8, i1 } %pr3, 1
  %ok3e = zext i1 %ok3 to i32
  call i32 (ptr, ...) @printf(ptr @fmt2, i32 %ble, i32 %olde, i64 %ql, double %dl, double %fle, i32 %ok3e, i32 %oke)
  ret i32 0
}
