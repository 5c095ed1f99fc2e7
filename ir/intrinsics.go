package ir

import (
	"sort"
	"strings"
)

// The llvm.* intrinsics that clang emits for C programs are not functions
// any library defines: the parser lowers each call of one as it reads it
// (lowerIntrinsic), so that the optimizer, the backend and the printer
// see only ordinary instructions and calls of libc and libm functions:
//
//   - llvm.lifetime.start/end, llvm.assume, llvm.dbg.*,
//     llvm.experimental.noalias.scope.decl: dropped (hints only);
//   - llvm.memcpy/memmove/memset: calls of libc's memcpy/memmove/memset
//     (the trailing i1 isvolatile operand dropped; memset's i8 value
//     widened to the int the C function takes);
//   - llvm.smax/smin/umax/umin.iN, llvm.abs.iN: icmp and select;
//   - llvm.fmuladd.f32/f64: fmul then fadd (unfused, which LLVM allows);
//   - llvm.fshl/fshr.iN (rotations), llvm.bswap.iN, llvm.ctpop.iN,
//     llvm.ctlz.iN and llvm.cttz.iN (N of 8 to 64; 16 to 64 for bswap):
//     shifts, masks and a SWAR population count (ctlz and cttz of 0 give
//     N, whether or not the call says it is poison);
//   - llvm.trap, llvm.ubsantrap: a call of abort (SIGABRT, not SIGILL);
//     llvm.debugtrap: a call of raise(SIGTRAP);
//   - llvm.prefetch, llvm.clear_cache, llvm.var.annotation,
//     llvm.codeview.annotation, llvm.invariant.end: dropped;
//     llvm.invariant.start: its pointer operand; llvm.expect,
//     llvm.annotation, llvm.ptr.annotation, llvm.launder/strip.invariant.
//     group, llvm.ssa.copy: their first operand; llvm.objectsize: unknown
//     (-1, or 0 for the minimum); llvm.is.constant: false;
//     llvm.bitreverse.iN: masks and shifts then a byte swap;
//   - llvm.returnaddress/frameaddress(0): kept, read by the backend;
//   - llvm.fabs, floor, ceil, trunc, round, rint, nearbyint, sqrt, sin,
//     cos, exp, exp2, log, log2, log10, pow, copysign, minnum, maxnum,
//     fma (.f64, and .f32 as the libm function ending in "f"): calls of
//     the libm function of that name.
//
// A call of any other intrinsic is rejected naming it.

// libmIntrinsics maps an intrinsic's base name (after "llvm.", before the
// type suffix) to the libm function it is a call of.
var libmIntrinsics = map[string]string{
	"fabs": "fabs", "floor": "floor", "ceil": "ceil", "trunc": "trunc", "round": "round",
	"rint": "rint", "nearbyint": "nearbyint", "sqrt": "sqrt", "sin": "sin", "cos": "cos",
	"exp": "exp", "exp2": "exp2", "log": "log", "log2": "log2", "log10": "log10",
	"pow": "pow", "copysign": "copysign", "minnum": "fmin", "maxnum": "fmax", "fma": "fma",
}

// droppedIntrinsics are the intrinsic prefixes whose calls are removed.
var droppedIntrinsics = []string{
	"llvm.lifetime.start.", "llvm.lifetime.end.", "llvm.assume", "llvm.dbg.",
	"llvm.experimental.noalias.scope.decl", "llvm.sideeffect", "llvm.donothing", "llvm.va_end",
	"llvm.prefetch.", "llvm.clear_cache", "llvm.var.annotation.", "llvm.codeview.annotation",
	"llvm.instrprof.", "llvm.pseudoprobe", "llvm.invariant.end.",
}

// isDroppedIntrinsic reports whether calls of name are dropped.
func isDroppedIntrinsic(name string) bool {
	for _, d := range droppedIntrinsics {
		if strings.HasPrefix(name, d) {
			return true
		}
	}
	return false
}

// calleeName returns the name of a direct call's callee, or "".
func calleeName(in *Instr) string {
	switch c := in.Ops[0].(type) {
	case *Function:
		return c.Name
	case *fwdRef:
		if c.global {
			return c.name
		}
	}
	return ""
}

// libcFor returns the libc or libm function (name and type) that a call
// of intrinsic name of function type ft becomes, or "" if it becomes no
// call.
func libcFor(name string, ft *Type) (string, *Type) {
	base, _, _ := strings.Cut(strings.TrimPrefix(name, "llvm."), ".")
	switch base {
	case "memcpy", "memmove":
		if len(ft.Params) == 4 {
			return base, FuncType(Ptr, []*Type{Ptr, Ptr, I64}, false)
		}
	case "memset":
		if len(ft.Params) == 4 {
			return base, FuncType(Ptr, []*Type{Ptr, I32, I64}, false)
		}
	case "debugtrap": // raise(SIGTRAP), as int3 would
		if ft.Ret.IsVoid() && len(ft.Params) == 0 {
			return "raise", FuncType(I32, []*Type{I32}, false)
		}
	case "trap", "ubsantrap":
		if ft.Ret.IsVoid() && len(ft.Params) <= 1 {
			return "abort", FuncType(Void, nil, false)
		}
	}
	if fn, ok := libmIntrinsics[base]; ok && ft.Ret.IsFloat() && !ft.Variadic {
		for _, t := range ft.Params {
			if !t.Equal(ft.Ret) {
				return "", nil
			}
		}
		if ft.Ret.Bits == 32 {
			fn += "f"
		} else if ft.Ret.Bits == 80 {
			fn += "l" // long double: fabsl, sqrtl, ...
		}
		return fn, ft
	}
	return "", nil
}

// lowerIntrinsic lowers in, a call just parsed, if it calls an llvm.*
// intrinsic: it returns the instructions to put before in and whether in
// itself is dropped. in keeps its identity (its result's uses), becoming
// the instruction computing the intrinsic's value.
func (p *parser) lowerIntrinsic(in *Instr, at token) (pre []*Instr, drop bool) {
	name := calleeName(in)
	if !strings.HasPrefix(name, "llvm.") {
		return nil, false
	}
	if IsEHTypeIDFor(name) {
		// The selector value of a type in this function's LSDA: the
		// backend numbers the types (docs/IR.md, exceptions).
		if len(in.Ops) != 2 || !in.Ops[1].Type().IsPtr() || !in.Typ.Equal(I32) {
			p.failAt(at, "'@%s' takes a ptr and returns i32", name)
		}
		return nil, false
	}
	for _, d := range droppedIntrinsics {
		if strings.HasPrefix(name, d) {
			if in.HasResult() {
				p.failAt(at, "intrinsic '@%s' returning a value is not supported", name)
			}
			return nil, true
		}
	}
	if pre, ok := p.lowerSaturating(in, name); ok {
		return pre, false
	}
	if name == UMulHighName && in.FnType.Equal(umulHighSig) {
		return nil, false // the backend's (wideint.go), as printed
	}
	if err := oddIntrinsic(name); err != nil && !strings.Contains("smax smin umax umin abs", strings.Split(name, ".")[1]) {
		p.failAt(at, "%v", err)
	}
	args := in.Ops[1:]
	ft := in.FnType
	argsOK := func(n int, t *Type) bool {
		if len(args) != n || !ft.Ret.Equal(t) {
			return false
		}
		for _, a := range args {
			if !a.Type().Equal(t) {
				return false
			}
		}
		return true
	}
	newInstr := func(op Op, typ *Type, ops ...Value) *Instr {
		x := p.arena.alloc()
		*x = Instr{Op: op, Typ: typ}
		x.Ops = append(x.opsBuf[:0:len(x.opsBuf)], ops...)
		pre = append(pre, x)
		return x
	}
	base, _, _ := strings.Cut(strings.TrimPrefix(name, "llvm."), ".")
	switch base {
	case "is": // llvm.is.fpclass.*: the classes C's isnan, isinf and isfinite test (fp80.go)
		// llvm.is.constant.*(x) (libstdc++'s __builtin_constant_p at
		// -O0): false, as LLVM folds it when x is not a constant after
		// optimization. (A bitcast of false the call's uses keep.)
		if strings.HasPrefix(name, "llvm.is.constant.") && len(args) == 1 && ft.Ret.Equal(I1) {
			*in = Instr{Op: OpBitcast, Typ: I1, Name: in.Name}
			in.setOps1(p.constInt(I1, 0))
			return pre, false
		}
		if len(args) == 2 && args[0].Type().IsFloat() && !isVector(args[0].Type()) && ft.Ret.Equal(I1) {
			if c, ok := args[1].(*ConstInt); ok && p.lowerIsFPClass(in, args[0], c.V, newInstr) {
				return pre, false
			}
		}
	case "ptrmask": // va_arg of a long double aligns the overflow area with it
		if len(args) == 2 && args[0].Type().IsPtr() && args[1].Type().Equal(I64) && ft.Ret.IsPtr() {
			a := newInstr(OpAnd, I64, newInstr(OpPtrToInt, I64, args[0]), args[1])
			*in = Instr{Op: OpIntToPtr, Typ: Ptr, Name: in.Name}
			in.Ops = append(in.opsBuf[:0:len(in.opsBuf)], a)
			return pre, false
		}
	case "smax", "smin", "umax", "umin":
		t := ft.Ret
		if t.IsInt() && argsOK(2, t) {
			pred := map[string]Pred{"smax": ICmpSGT, "smin": ICmpSLT, "umax": ICmpUGT, "umin": ICmpULT}[base]
			c := newInstr(OpICmp, I1, args[0], args[1])
			c.Pred = pred
			x, y := args[0], args[1]
			*in = Instr{Op: OpSelect, Typ: t, Name: in.Name}
			in.opsBuf = [3]Value{c, x, y}
			in.Ops = in.opsBuf[:3:3]
			return pre, false
		}
	case "abs":
		t := ft.Ret
		if t.IsInt() && len(args) == 2 && args[0].Type().Equal(t) && args[1].Type().Equal(I1) {
			x := args[0]
			c := newInstr(OpICmp, I1, x, p.constInt(t, 0))
			c.Pred = ICmpSLT
			neg := newInstr(OpSub, t, p.constInt(t, 0), x)
			*in = Instr{Op: OpSelect, Typ: t, Name: in.Name}
			in.opsBuf = [3]Value{c, neg, x}
			in.Ops = in.opsBuf[:3:3]
			return pre, false
		}
	case "load":
		// llvm.load.relative.i64(p, off) = p + sext(load i32 (p + off)),
		// what clang's relative lookup tables are read with.
		if strings.HasPrefix(name, "llvm.load.relative.") && len(args) == 2 && args[0].Type().IsPtr() && args[1].Type().Equal(I64) && ft.Ret.IsPtr() {
			at := newInstr(OpGEP, Ptr, args[0], args[1])
			at.ElemType = I8
			ld := newInstr(OpLoad, I32, at)
			ld.Align = 4
			ext := newInstr(OpSExt, I64, ld)
			base := args[0]
			*in = Instr{Op: OpGEP, Typ: Ptr, Name: in.Name, ElemType: I8}
			in.setOps2(base, ext)
			return pre, false
		}
	case "fshl", "fshr":
		// Funnel shifts (rotations when both operands are the same), with
		// the shift taken modulo the width: fshl(a, b, c) is the high half
		// of (a:b) << c%N, computed as (a << s) | ((b >> 1) >> (N-1-s))
		// so that no shift is by N (s = 0 gives a); fshr mirrors it.
		t := ft.Ret
		if t.IsInt() && t.Bits >= 8 && argsOK(3, t) {
			a, b := args[0], args[1]
			w := int64(t.Bits)
			sh := newInstr(OpAnd, t, args[2], p.constInt(t, w-1))
			rest := newInstr(OpSub, t, p.constInt(t, w-1), sh)
			var hi, lo *Instr
			if base == "fshl" {
				hi = newInstr(OpShl, t, a, sh)
				b1 := newInstr(OpLShr, t, b, p.constInt(t, 1))
				lo = newInstr(OpLShr, t, b1, rest)
			} else {
				lo = newInstr(OpLShr, t, b, sh)
				a1 := newInstr(OpShl, t, a, p.constInt(t, 1))
				hi = newInstr(OpShl, t, a1, rest)
			}
			*in = Instr{Op: OpOr, Typ: t, Name: in.Name}
			in.setOps2(hi, lo)
			return pre, false
		}
	case "bswap":
		t := ft.Ret
		if t.IsInt() && t.Bits >= 16 && t.Bits%8 == 0 && argsOK(1, t) {
			p.bswapInto(in, t, args[0], newInstr)
			return pre, false
		}
	case "ctpop", "ctlz", "cttz":
		t := ft.Ret
		n := len(args)
		if t.IsInt() && t.Bits >= 8 && ((base == "ctpop" && n == 1) || (base != "ctpop" && n == 2 && args[1].Type().Equal(I1))) &&
			args[0].Type().Equal(t) {
			// ctlz(x) = ctpop(^smear(x)), cttz(x) = ctpop(^x & (x-1)): both
			// N for x = 0, whatever the is-zero-poison flag says.
			x := args[0]
			switch base {
			case "ctlz":
				y := x
				for sh := int64(1); sh < int64(t.Bits); sh *= 2 {
					y = newInstr(OpOr, t, y, newInstr(OpLShr, t, y, p.constInt(t, sh)))
				}
				x = newInstr(OpXor, t, y, p.constInt(t, -1))
			case "cttz":
				m := newInstr(OpSub, t, x, p.constInt(t, 1))
				x = newInstr(OpAnd, t, newInstr(OpXor, t, x, p.constInt(t, -1)), m)
			}
			// Population count, SWAR: pairs, nibbles, bytes, then the sum
			// of the bytes in the top byte (a multiply by 0x0101…).
			rep := func(b uint64) Value { // byte b in every byte of t
				v := uint64(0)
				for i := 0; i < t.Bits/8; i++ {
					v = v<<8 | b
				}
				return p.constInt(t, int64(v))
			}
			h := newInstr(OpAnd, t, newInstr(OpLShr, t, x, p.constInt(t, 1)), rep(0x55))
			x = newInstr(OpSub, t, x, h)
			lo2 := newInstr(OpAnd, t, x, rep(0x33))
			hi2 := newInstr(OpAnd, t, newInstr(OpLShr, t, x, p.constInt(t, 2)), rep(0x33))
			x = newInstr(OpAdd, t, lo2, hi2)
			x = newInstr(OpAnd, t, newInstr(OpAdd, t, x, newInstr(OpLShr, t, x, p.constInt(t, 4))), rep(0x0f))
			if t.Bits == 8 {
				*in = Instr{Op: OpAnd, Typ: t, Name: in.Name}
				in.setOps2(x, p.constInt(t, 0xff))
				return pre, false
			}
			x = newInstr(OpMul, t, x, rep(0x01))
			*in = Instr{Op: OpLShr, Typ: t, Name: in.Name}
			in.setOps2(x, p.constInt(t, int64(t.Bits-8)))
			return pre, false
		}
	case "va_start":
		// Kept: the backend fills the va_list from the register save
		// area of the variadic function's prologue.
		if len(args) == 1 && args[0].Type().IsPtr() && ft.Ret.IsVoid() {
			if !p.f.Sig.Variadic {
				p.failAt(at, "'@%s' in '@%s', which is not variadic", name, p.f.Name)
			}
			return nil, false
		}
	case "threadlocal":
		// llvm.threadlocal.address.p0(ptr @g): the backend makes every
		// use of a thread_local global the running thread's copy, so
		// the call is its operand (as a no-op cast the call's uses keep).
		if strings.HasPrefix(name, "llvm.threadlocal.address.") && len(args) == 1 && args[0].Type().IsPtr() && ft.Ret.IsPtr() {
			if g, ok := args[0].(*Global); !ok || !g.ThreadLocal {
				if r, ok := args[0].(*fwdRef); !ok || !r.global {
					p.failAt(at, "'@%s' of something other than a thread_local global", name)
				}
			}
			x := args[0]
			*in = Instr{Op: OpBitcast, Typ: Ptr, Name: in.Name}
			in.setOps1(x)
			return pre, false
		}
	case "stacksave", "stackrestore", "gorc":
		// Kept for the backend (variable-length arrays: dynalloca.go).
		if name == "llvm.stacksave" || strings.HasPrefix(name, "llvm.stacksave.") {
			if len(args) == 0 && ft.Ret.IsPtr() {
				return nil, false
			}
		} else if name == "llvm.stackrestore" || strings.HasPrefix(name, "llvm.stackrestore.") {
			if len(args) == 1 && args[0].Type().IsPtr() && ft.Ret.IsVoid() {
				return nil, false
			}
		} else if name == DynAllocaName && len(args) == 2 && ft.Ret.IsPtr() && args[0].Type().Equal(I64) && args[1].Type().Equal(I64) {
			return nil, false
		}
	case "returnaddress", "frameaddress":
		// Kept: the backend reads the return address above the frame
		// (level 0 only).
		if c, ok := args[0].(*ConstInt); len(args) == 1 && ft.Ret.IsPtr() && ok && c.V == 0 {
			return nil, false
		}
		p.failAt(at, "'@%s' of a level other than 0 is not supported", name)
	case "va_copy":
		// The x86-64 va_list is 24 bytes: copied as three i64.
		if len(args) == 2 && args[0].Type().IsPtr() && args[1].Type().IsPtr() && ft.Ret.IsVoid() {
			dst, src := args[0], args[1]
			at := func(ptr Value, off int64) Value {
				if off == 0 {
					return ptr
				}
				g := newInstr(OpGEP, Ptr, ptr, p.constInt(I64, off))
				g.ElemType = I8
				return g
			}
			for k := int64(0); k < 3; k++ {
				l := newInstr(OpLoad, I64, at(src, 8*k))
				d := at(dst, 8*k)
				if k < 2 {
					newInstr(OpStore, Void, l, d)
				} else {
					*in = Instr{Op: OpStore, Typ: Void}
					in.setOps2(l, d)
				}
			}
			return pre, false
		}
	case "expect", "annotation", "launder", "strip", "ptr", "ssa":
		// Hints whose result is their first operand (hintIntrinsic):
		// llvm.expect[.with.probability].iN, llvm.annotation.iN,
		// llvm.ptr.annotation, llvm.launder/strip.invariant.group,
		// llvm.ssa.copy: a no-op cast.
		if hintIntrinsic(name) && len(args) >= 1 && args[0].Type().Equal(ft.Ret) && (ft.Ret.IsInt() || ft.Ret.IsPtr()) {
			x := args[0]
			*in = Instr{Op: OpBitcast, Typ: ft.Ret, Name: in.Name}
			in.setOps1(x)
			return pre, false
		}
	case "invariant":
		// llvm.invariant.start.p0(size, ptr): a hint that the memory no
		// longer changes (clang -O2 emits it after a thread_local's
		// guarded initialization); its result only feeds
		// llvm.invariant.end, which is dropped: the pointer itself.
		if strings.HasPrefix(name, "llvm.invariant.start.") && len(args) == 2 && args[1].Type().IsPtr() && ft.Ret.IsPtr() {
			x := args[1]
			*in = Instr{Op: OpBitcast, Typ: ft.Ret, Name: in.Name}
			in.setOps1(x)
			return pre, false
		}
	case "objectsize":
		// llvm.objectsize(ptr, min, nullunknown, dynamic): "unknown",
		// which is -1 when the maximum is asked for and 0 for the minimum
		// (the _FORTIFY_SOURCE checks then always pass, as for an object
		// of unknown size).
		if ft.Ret.IsInt() && len(args) >= 2 && args[0].Type().IsPtr() {
			if c, ok := args[1].(*ConstInt); ok {
				v := int64(-1)
				if c.V&1 != 0 {
					v = 0
				}
				*in = Instr{Op: OpAdd, Typ: ft.Ret, Name: in.Name}
				in.setOps2(p.constInt(ft.Ret, v), p.constInt(ft.Ret, 0))
				return pre, false
			}
		}
	case "bitreverse":
		t := ft.Ret
		if t.IsInt() && t.Bits >= 8 && t.Bits <= 64 && t.Bits%8 == 0 && argsOK(1, t) {
			// Swap adjacent bits, pairs and nibbles, then the bytes.
			rep := func(b uint64) Value {
				v := uint64(0)
				for i := 0; i < t.Bits/8; i++ {
					v = v<<8 | b
				}
				return p.constInt(t, int64(v))
			}
			var x Value = args[0]
			for i, m := range []uint64{0x55, 0x33, 0x0f} {
				sh := p.constInt(t, int64(1)<<i)
				hi := newInstr(OpAnd, t, newInstr(OpLShr, t, x, sh), rep(m))
				lo := newInstr(OpShl, t, newInstr(OpAnd, t, x, rep(m)), sh)
				if i == 2 && t.Bits == 8 {
					*in = Instr{Op: OpOr, Typ: t, Name: in.Name}
					in.setOps2(hi, lo)
					return pre, false
				}
				x = newInstr(OpOr, t, hi, lo)
			}
			p.bswapInto(in, t, x, newInstr)
			return pre, false
		}
	case "fmuladd":
		t := ft.Ret
		if t.IsFloat() && argsOK(3, t) {
			a, b, c := args[0], args[1], args[2]
			m := newInstr(OpFMul, t, a, b)
			m.Flags = in.Flags & FlagFast
			fl := in.Flags & FlagFast
			*in = Instr{Op: OpFAdd, Typ: t, Name: in.Name, Flags: fl}
			in.setOps2(m, c)
			return pre, false
		}
	}
	if fn, sig := libcFor(name, ft); fn != "" {
		if base == "memset" || base == "memcpy" || base == "memmove" {
			if in.HasResult() || !args[len(args)-1].Type().Equal(I1) || !args[0].Type().IsPtr() || !args[2].Type().Equal(I64) {
				p.failAt(at, "call of '@%s' with unexpected operand types", name)
			}
			if base == "memset" {
				if !args[1].Type().Equal(I8) {
					p.failAt(at, "call of '@%s' with unexpected operand types", name)
				}
				args[1] = newInstr(OpZExt, I32, args[1])
			} else if !args[1].Type().IsPtr() {
				p.failAt(at, "call of '@%s' with unexpected operand types", name)
			}
			in.Ops = in.Ops[:len(in.Ops)-1]
			in.Typ = Ptr // the result (the destination) is unused
		}
		if fn == "abort" {
			in.Ops = in.Ops[:1] // (ubsantrap's check kind)
		}
		if fn == "raise" {
			in.Ops = append(in.Ops[:1], p.constInt(I32, 5)) // SIGTRAP
			in.Typ = I32
		}
		in.FnType = sig
		in.Ops[0] = p.libcRef(fn, sig)
		return pre, false
	}
	if p.x86Asm(in, name) {
		return pre, false
	}
	p.failAt(at, "unsupported intrinsic '@%s' (see docs/IR.md for the intrinsics gorc lowers)", name)
	return nil, false
}

// libcRef returns the value naming function fn of type sig: the module's
// function of that name if it has one (a lazy body is parsed after the
// module's declarations, ensureLibc made it), else a forward reference
// that ensureLibc's declaration resolves at the module's end.
func (p *parser) libcRef(fn string, sig *Type) Value {
	if v := p.m.Lookup(fn); v != nil {
		return v
	}
	if p.libcNeeded == nil {
		p.libcNeeded = make(map[string]*Type)
	}
	p.libcNeeded[fn] = sig
	if p.gfwd == nil {
		p.gfwd = make(map[string]*fwdRef)
	}
	if r, ok := p.gfwd[fn]; ok {
		return r
	}
	r := &fwdRef{name: fn, typ: Ptr, tok: p.prev, global: true}
	p.gfwd[fn] = r
	return r
}

// ensureLibc declares, at the module's end, the libc and libm functions
// that calls of intrinsics became: those the bodies parsed so far named
// and those the module's intrinsic declarations will need when a lazy
// body is parsed.
func (p *parser) ensureLibc() {
	for _, f := range p.m.Funcs {
		if f.IsDeclaration() && strings.HasPrefix(f.Name, "llvm.") {
			fn, sig := libcFor(f.Name, f.Sig)
			if fn == "" {
				// A declaration of another type than its calls: the
				// calls decide (and a body parsed lazily, after this,
				// needs the function declared now, as the eager parse
				// declares it for the calls).
				base, _, _ := strings.Cut(strings.TrimPrefix(f.Name, "llvm."), ".")
				switch base {
				case "memcpy", "memmove":
					fn, sig = base, FuncType(Ptr, []*Type{Ptr, Ptr, I64}, false)
				case "memset":
					fn, sig = base, FuncType(Ptr, []*Type{Ptr, I32, I64}, false)
				}
			}
			if fn != "" {
				if p.libcNeeded == nil {
					p.libcNeeded = make(map[string]*Type)
				}
				if _, ok := p.libcNeeded[fn]; !ok {
					p.libcNeeded[fn] = sig
				}
			}
		}
	}
	if p.wideLib {
		if p.libcNeeded == nil {
			p.libcNeeded = make(map[string]*Type)
		}
		for fn, sig := range wideLibgcc() {
			if _, ok := p.libcNeeded[fn]; !ok {
				p.libcNeeded[fn] = sig
			}
		}
		if p.wideAtomicLib {
			for fn, sig := range wideAtomicLibs() {
				if _, ok := p.libcNeeded[fn]; !ok {
					p.libcNeeded[fn] = sig
				}
			}
		}
	}
	if p.lazy && p.m.Lookup(DynAllocaName) == nil && mayDynAlloca(p.lx.src) {
		// A body parsed lazily may need it (dynalloca.go).
		if p.libcNeeded == nil {
			p.libcNeeded = make(map[string]*Type)
		}
		p.libcNeeded[DynAllocaName] = FuncType(Ptr, []*Type{I64, I64}, false)
	}
	names := make([]string, 0, len(p.libcNeeded))
	for fn := range p.libcNeeded {
		names = append(names, fn)
	}
	// A fixed order: the module's functions print the same every time.
	sort.Strings(names)
	for _, fn := range names {
		if p.m.Lookup(fn) == nil {
			if _, err := p.m.NewFunction(fn, p.libcNeeded[fn], nil); err != nil {
				p.fail("%v", err)
			}
		}
	}
}

// IsEHTypeIDFor reports whether name is llvm.eh.typeid.for (the selector
// value of a catch clause's type in the calling function).
func IsEHTypeIDFor(name string) bool {
	return name == "llvm.eh.typeid.for" || name == "llvm.eh.typeid.for.p0"
}

// bswapInto makes in the byte swap of x (of type t, 16 bits or more),
// with the instructions computing it made by newInstr: byte k moves to
// byte N/8-1-k.
func (p *parser) bswapInto(in *Instr, t *Type, x Value, newInstr func(op Op, typ *Type, ops ...Value) *Instr) {
	var acc Value
	n := int64(t.Bits / 8)
	for k := int64(0); k < n; k++ {
		var byt Value = x
		if k > 0 {
			byt = newInstr(OpLShr, t, x, p.constInt(t, 8*k))
		}
		if k < n-1 {
			byt = newInstr(OpAnd, t, byt, p.constInt(t, 0xff))
		}
		if d := 8 * (n - 1 - k); d > 0 {
			byt = newInstr(OpShl, t, byt, p.constInt(t, d))
		}
		if acc == nil {
			acc = byt
		} else if k < n-1 {
			acc = newInstr(OpOr, t, acc, byt)
		} else {
			*in = Instr{Op: OpOr, Typ: t, Name: in.Name}
			in.setOps2(acc, byt)
		}
	}
}

// hintIntrinsic reports whether intrinsic name returns its first operand
// unchanged (a hint to the optimizer).
func hintIntrinsic(name string) bool {
	for _, pfx := range []string{"llvm.expect.", "llvm.annotation.", "llvm.ptr.annotation.",
		"llvm.launder.invariant.group.", "llvm.strip.invariant.group.", "llvm.ssa.copy."} {
		if strings.HasPrefix(name, pfx) {
			return true
		}
	}
	return false
}
