package ir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzIRParse parses arbitrary text as IR. Parsing must not panic or
// hang; text that parses and verifies must print to text that parses and
// verifies again and prints identically.
func FuzzIRParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.ll")
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	// The session-23 and -25 syntax (aggregates, varargs, byval), and inputs that once hung or were slow
	// (seeds: the fuzzer mutates them).
	for _, src := range []string{
		typeDAG(6, true),
		typeDAG(6, false),
		typeChain(8),
		"%P = type <{ i8, i64, i16 }>\n%S = type { %P, [2 x %S2] }\n%S2 = type { ptr, i32 }\n@g = global %S zeroinitializer\n@p = global ptr getelementptr (%S, ptr @g, i64 0, i32 1, i64 1, i32 1)\n@q = global i64 ptrtoint (ptr getelementptr (i8, ptr @g, i64 4) to i64)\n@r = global [2 x i64] [i64 add (i64 ptrtoint (ptr @g to i64), i64 1), i64 sub (i64 0, i64 ptrtoint (ptr @g to i64))]\n",
		"@llvm.global_ctors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @c, ptr null }]\n@llvm.global_dtors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @c, ptr null }]\n@s = global i32 1, section \".data.x\"\ndefine void @c() section \".text.c\" {\n  ret void\n}\n",
		"declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)\ndeclare i32 @llvm.abs.i32(i32, i1)\ndeclare i64 @llvm.smax.i64(i64, i64)\ndefine i32 @f(ptr %p, ptr %q, i32 %x, i64 %y) {\nentry:\n  call void @llvm.memcpy.p0.p0.i64(ptr %p, ptr %q, i64 16, i1 false)\n  %v = load volatile i32, ptr %p\n  store volatile i32 %v, ptr %q\n  %c = call i32 @llvm.abs.i32(i32 %x, i1 false)\n  %m = call i64 @llvm.smax.i64(i64 %y, i64 3)\n  switch i32 %c, label %d [\n    i32 0, label %a\n    i32 -1, label %a\n  ]\na:\n  ret i32 1\nd:\n  ret i32 %c\n}\n",
		"declare void @llvm.trap()\ndeclare i32 @llvm.fshl.i32(i32, i32, i32)\ndeclare i16 @llvm.bswap.i16(i16)\ndeclare i8 @llvm.ctpop.i8(i8)\ndeclare i64 @llvm.cttz.i64(i64, i1)\ndefine i64 @f(i32 %x, i16 %h, i8 %b, i64 %y) {\n  %r = call i32 @llvm.fshl.i32(i32 %x, i32 %x, i32 %x)\n  %s = call i16 @llvm.bswap.i16(i16 %h)\n  %p = call i8 @llvm.ctpop.i8(i8 %b)\n  %z = call i64 @llvm.cttz.i64(i64 %y, i1 false)\n  %c = icmp eq i64 %z, 64\n  br i1 %c, label %t, label %u\nt:\n  call void @llvm.trap()\n  unreachable\nu:\n  ret i64 %z\n}\n",
		"%S = type { i32, { i8, double }, [2 x i16] }\ndeclare { i32, i1 } @llvm.sadd.with.overflow.i32(i32, i32)\ndeclare { i64, i1 } @llvm.umul.with.overflow.i64(i64, i64)\ndefine { i64, double } @f(i1 %c, ptr %p, i32 %x) {\nentry:\n  %o = call { i32, i1 } @llvm.sadd.with.overflow.i32(i32 %x, i32 1)\n  %u = call { i64, i1 } @llvm.umul.with.overflow.i64(i64 3, i64 5)\n  %v = load %S, ptr %p, align 8\n  %w = insertvalue %S %v, i8 1, 1, 0\n  store %S %w, ptr %p\n  %s = select i1 %c, %S %v, %S zeroinitializer\n  %a = extractvalue %S %s, 1\n  %d = extractvalue { i8, double } %a, 1\n  br label %loop\nloop:\n  %acc = phi { i64, double } [ { i64 0, double 1.0 }, %entry ], [ %n, %loop ]\n  %n = insertvalue { i64, double } %acc, double %d, 1\n  %b = extractvalue { i32, i1 } %o, 1\n  br i1 %b, label %loop, label %out\nout:\n  %r = call { i64, double } @f(i1 false, ptr %p, i32 0)\n  ret { i64, double } %r\n}\n",
		"%struct.__va_list_tag = type { i32, i32, ptr, ptr }\n%B = type { i64, i64, i64 }\ndeclare void @llvm.va_start.p0(ptr)\ndeclare void @llvm.va_copy.p0(ptr, ptr)\ndeclare void @llvm.va_end.p0(ptr)\ndefine i32 @v(i32 %n, ...) {\n  %ap = alloca %struct.__va_list_tag, align 16\n  %aq = alloca %struct.__va_list_tag, align 16\n  call void @llvm.va_start.p0(ptr %ap)\n  call void @llvm.va_copy.p0(ptr %aq, ptr %ap)\n  %g = load i32, ptr %aq\n  call void @llvm.va_end.p0(ptr %ap)\n  ret i32 %g\n}\ndefine i64 @b(ptr byval(%B) align 8 %p) {\n  %x = load i64, ptr %p\n  %y = call i32 (i32, ...) @v(i32 1, ptr byval(%B) %p, double 1.0)\n  ret i64 %x\n}\n",
		// Session 25 (llvec): <2 x float> and vector operations.
		"define { <2 x float>, float } @v(<2 x float> %a, float %z, <2 x float> %b) {\n  %s = fadd <2 x float> %a, <float 1.0, float 2.0>\n  %n = fneg <2 x float> %s\n  %e = extractelement <2 x float> %n, i64 1\n  %i = insertelement <2 x float> %b, float %e, i32 0\n  %h = shufflevector <2 x float> %i, <2 x float> %a, <2 x i32> <i32 3, i32 poison>\n  %c = bitcast <2 x float> %h to i64\n  %d = bitcast i64 %c to <2 x float>\n  %w = fpext <2 x float> %d to <2 x double>\n  %r = call <2 x float> @v2(<2 x float> %d)\n  %x = insertvalue { <2 x float>, float } poison, <2 x float> %r, 0\n  %y = insertvalue { <2 x float>, float } %x, float %z, 1\n  ret { <2 x float>, float } %y\n}\ndeclare <2 x float> @v2(<2 x float>)\n",
		// Session 29 (ext): ifuncs, an alias of one, a use before the line.
		"@p = global ptr @i\n@a = weak_odr alias i32 (i32), ptr @i\n@i = weak_odr dso_local ifunc i32 (i32), ptr @r\n@s = internal ifunc double (i32, ...), ptr @r\ndefine internal ptr @r() {\n  ret ptr @g\n}\ndefine i32 @g(i32 %x) {\n  %y = call i32 @i(i32 %x)\n  %z = call double (i32, ...) @s(i32 1, double 2.0)\n  ret i32 %y\n}\n",
		// Session 30 (ext2): i128 atomics, callbr (asm goto), Intel syntax.
		"define i64 @f(ptr %p, i128 %v) {\n  %a = load atomic i128, ptr %p seq_cst, align 16\n  store atomic i128 %a, ptr %p release, align 16\n  %o = atomicrmw umin ptr %p, i128 %v acq_rel, align 16\n  %c = cmpxchg weak ptr %p, i128 %o, i128 %a seq_cst monotonic, align 16\n  %x = extractvalue { i128, i1 } %c, 0\n  %k = extractvalue { i128, i1 } %c, 1\n  %t = trunc i128 %x to i64\n  ret i64 %t\n}\n",
		"define i32 @g(i64 %x) {\n  %r = callbr i32 asm \"mov $1, $0\\0A\\09cmp $$5, $1\\0A\\09je ${2:l}\", \"=r,r,!i,~{cc}\"(i64 %x)\n          to label %a [label %b]\na:\n  ret i32 %r\nb:\n  %n = sub i32 0, %r\n  ret i32 %n\n}\ndefine void @h(ptr %v) {\n  call void asm sideeffect inteldialect \"mov eax, $0\\0A\\09add eax, $$5\\0A\\09mov $0, eax\", \"=*m,~{eax}\"(ptr elementtype(i32) %v)\n  ret void\n}\n",
		// Session 25 (llvec): atomics and thread_local.
		"@t = thread_local(initialexec) global i32 1\n@z = internal thread_local global [2 x i64] zeroinitializer\n@e = external thread_local global i8\ndeclare ptr @llvm.threadlocal.address.p0(ptr)\ndefine i32 @f(ptr %p, float %x) {\n  %a = call ptr @llvm.threadlocal.address.p0(ptr @t)\n  %o = atomicrmw add ptr %a, i32 1 seq_cst, align 4\n  %n = atomicrmw volatile nand ptr %p, i8 3 syncscope(\"singlethread\") acq_rel\n  %f = atomicrmw fsub ptr %p, float %x monotonic\n  %c = cmpxchg weak ptr %a, i32 %o, i32 0 acquire monotonic, align 4\n  %v = extractvalue { i32, i1 } %c, 0\n  %k = extractvalue { i32, i1 } %c, 1\n  fence release\n  store atomic i32 %v, ptr %p seq_cst, align 4\n  %l = load atomic volatile i32, ptr %p unordered, align 4\n  ret i32 %l\n}\n",
	} {
		f.Add([]byte(src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<15 {
			return
		}
		m, err := Parse("fuzz.ll", src)
		if err != nil {
			if strings.Contains(err.Error(), "internal parser error") {
				t.Fatal(err)
			}
			return
		}
		if Verify(m) != nil {
			return
		}
		out := m.String()
		m2, err := ParseString("printed.ll", out)
		if err != nil {
			t.Fatalf("printed module does not parse: %v\n%s", err, out)
		}
		if err := Verify(m2); err != nil {
			t.Fatalf("printed module does not verify: %v\n%s", err, out)
		}
		if out2 := m2.String(); out2 != out {
			t.Fatalf("printing is not stable:\n%s\n---\n%s", out, out2)
		}
	})
}
