; <2 x float> as clang-19 uses it for pairs of floats, and the vector
; operations the parser splits into elements: constants, element-wise
; arithmetic and casts, fneg, insertelement, extractelement,
; shufflevector (with a poison mask element), bitcasts to i64 and double
; and back, phi, select, load and store, calls and returns.
@fmt = private constant [29 x i8] c"%g %g | %g %g | %g %g %g %g\0A\00"
@fmt2 = private constant [28 x i8] c"%g %g %g | %lld | %g %g %g\0A\00"

declare i32 @printf(ptr, ...)

define <2 x float> @mk(float %x, float %y) {
  %a = insertelement <2 x float> poison, float %x, i64 0
  %b = insertelement <2 x float> %a, float %y, i32 1
  ret <2 x float> %b
}

define <2 x float> @madd(<2 x float> %a, <2 x float> %b, <2 x float> %c) {
  %m = fmul <2 x float> %a, %b
  %s = fadd fast <2 x float> %m, %c
  %n = fneg <2 x float> %s
  %t = fsub <2 x float> <float 0.0, float 1.0>, %n
  ret <2 x float> %t
}

define { <2 x float>, <2 x float> } @split4(float %k) {
  %lo = call <2 x float> @mk(float %k, float 2.0)
  %hi = fdiv <2 x float> %lo, <float 4.0, float 8.0>
  %sw = shufflevector <2 x float> %hi, <2 x float> %lo, <2 x i32> <i32 3, i32 0>
  %r0 = insertvalue { <2 x float>, <2 x float> } poison, <2 x float> %lo, 0
  %r1 = insertvalue { <2 x float>, <2 x float> } %r0, <2 x float> %sw, 1
  ret { <2 x float>, <2 x float> } %r1
}

define { <2 x float>, float } @sum3(ptr %p, i32 %n) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %acc = phi <2 x float> [ zeroinitializer, %entry ], [ %acc1, %loop ]
  %z = phi float [ 0.0, %entry ], [ %z1, %loop ]
  %q = getelementptr inbounds [3 x float], ptr %p, i32 %i
  %v = load <2 x float>, ptr %q, align 4
  %acc1 = fadd <2 x float> %acc, %v
  %zp = getelementptr inbounds i8, ptr %q, i64 8
  %zv = load float, ptr %zp, align 4
  %z1 = fadd float %z, %zv
  %i1 = add i32 %i, 1
  %c = icmp slt i32 %i1, %n
  br i1 %c, label %loop, label %done
done:
  %r0 = insertvalue { <2 x float>, float } undef, <2 x float> %acc1, 0
  %r1 = insertvalue { <2 x float>, float } %r0, float %z1, 1
  ret { <2 x float>, float } %r1
}

define i32 @main() {
  %buf = alloca [4 x [3 x float]], align 16
  %v = call <2 x float> @mk(float 1.5, float -2.0)
  %w = call <2 x float> @madd(<2 x float> %v, <2 x float> <float 2.0, float 3.0>, <2 x float> %v)
  %pair = call { <2 x float>, <2 x float> } @split4(float 6.0)
  %p0 = extractvalue { <2 x float>, <2 x float> } %pair, 0
  %p1 = extractvalue { <2 x float>, <2 x float> } %pair, 1
  %bits = bitcast <2 x float> %w to i64
  %back = bitcast i64 %bits to <2 x float>
  %asd = bitcast <2 x float> %back to double
  %again = bitcast double %asd to <2 x float>
  %sel = select i1 true, <2 x float> %again, <2 x float> %v
  store <2 x float> %sel, ptr %buf, align 16
  %e2 = getelementptr inbounds float, ptr %buf, i64 2
  store float 0.5, ptr %e2
  %row1 = getelementptr inbounds [3 x float], ptr %buf, i64 1
  store <2 x float> <float 10.0, float 20.0>, ptr %row1, align 4
  %e5 = getelementptr inbounds float, ptr %buf, i64 5
  store float 30.0, ptr %e5
  %s = call { <2 x float>, float } @sum3(ptr %buf, i32 2)
  %sv = extractvalue { <2 x float>, float } %s, 0
  %sz = extractvalue { <2 x float>, float } %s, 1
  %wide = fpext <2 x float> %sv to <2 x double>
  %w0 = extractelement <2 x double> %wide, i32 0
  %w1 = extractelement <2 x double> %wide, i64 1
  %wz = fpext float %sz to double
  %x0 = extractelement <2 x float> %w, i64 0
  %x1 = extractelement <2 x float> %w, i64 1
  %a0 = extractelement <2 x float> %p0, i64 0
  %a1 = extractelement <2 x float> %p0, i64 1
  %b0 = extractelement <2 x float> %p1, i64 0
  %b1 = extractelement <2 x float> %p1, i64 1
  %sh = shufflevector <2 x float> %p1, <2 x float> poison, <2 x i32> <i32 1, i32 poison>
  %h0 = extractelement <2 x float> %sh, i64 0
  %d0 = fpext float %x0 to double
  %d1 = fpext float %x1 to double
  %da0 = fpext float %a0 to double
  %da1 = fpext float %a1 to double
  %db0 = fpext float %b0 to double
  %db1 = fpext float %b1 to double
  %dh0 = fpext float %h0 to double
  call i32 (ptr, ...) @printf(ptr @fmt, double %d0, double %d1, double %da0, double %da1, double %db0, double %db1, double %dh0, double %asd)
  %ints = fptosi <2 x float> %sv to <2 x i32>
  %i0 = extractelement <2 x i32> %ints, i64 0
  %i0e = sext i32 %i0 to i64
  %sum = add i64 %i0e, %bits
  %ie = sitofp i32 %i0 to double
  call i32 (ptr, ...) @printf(ptr @fmt2, double %w0, double %w1, double %wz, i64 %sum, double %ie, double %d0, double %db1)
  ret i32 0
}
