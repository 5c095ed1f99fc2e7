package ir

import (
	"strings"
	"testing"
)

// ehModule is what clang++ -O2 emits for a try/catch with a cleanup, in
// small: invokes with and without results (one returning a struct), a
// landing pad with phis and catch clauses, llvm.eh.typeid.for and resume.
const ehModule = `
@_ZTIi = external constant ptr
@_ZTId = external constant ptr

declare void @may_throw(i32)
declare i32 @get(i32)
declare { i64, i64 } @pair(i32)
declare i32 @__gxx_personality_v0(...)
declare ptr @__cxa_begin_catch(ptr)
declare void @__cxa_end_catch()
declare i32 @llvm.eh.typeid.for.p0(ptr)
declare void @llvm.experimental.noalias.scope.decl(metadata)

define i32 @f(i32 %x) personality ptr @__gxx_personality_v0 {
entry:
  call void @llvm.experimental.noalias.scope.decl(metadata !3)
  invoke void @may_throw(i32 %x)
          to label %cont unwind label %lpad

cont:
  %v = invoke i32 @get(i32 %x)
          to label %cont2 unwind label %lpad

cont2:
  %p = invoke { i64, i64 } @pair(i32 %v)
          to label %done unwind label %lpad

done:
  %a = extractvalue { i64, i64 } %p, 1
  %t = trunc i64 %a to i32
  ret i32 %t

lpad:
  %k = phi i32 [ 1, %entry ], [ 2, %cont ], [ 3, %cont2 ]
  %lp = landingpad { ptr, i32 }
          cleanup
          catch ptr @_ZTIi
          filter [2 x ptr] [ptr @_ZTIi, ptr @_ZTId]
          filter [0 x ptr] zeroinitializer
          catch ptr null
  %exn = extractvalue { ptr, i32 } %lp, 0
  %sel = extractvalue { ptr, i32 } %lp, 1
  %id = call i32 @llvm.eh.typeid.for.p0(ptr @_ZTIi)
  %is = icmp eq i32 %sel, %id
  br i1 %is, label %catch, label %unwind

catch:
  %c = call ptr @__cxa_begin_catch(ptr %exn)
  call void @__cxa_end_catch()
  ret i32 %k

unwind:
  %r = insertvalue { ptr, i32 } poison, ptr %exn, 0
  %r2 = insertvalue { ptr, i32 } %r, i32 %sel, 1
  resume { ptr, i32 } %r2
}
`

func TestParseEH(t *testing.T) {
	m, err := ParseString("eh.ll", ehModule)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(m); err != nil {
		t.Fatal(err)
	}
	f := m.Func("f")
	if f.Personality != "__gxx_personality_v0" || !f.HasEH() {
		t.Fatalf("personality %q, HasEH %v", f.Personality, f.HasEH())
	}
	var invokes, pads, resumes int
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			switch in.Op {
			case OpInvoke:
				invokes++
				if len(in.Blocks) != 2 || landingPadOfBlock(in.Blocks[1]) == nil {
					t.Errorf("invoke %v: destinations %v", in, in.Blocks)
				}
			case OpLandingPad:
				pads++
				if in.Pred != 1 || len(in.Ops) != 4 || !IsFilterClause(in.Ops[1]) || len(FilterTypes(in.Ops[1])) != 2 || !IsFilterClause(in.Ops[2]) {
					t.Errorf("landingpad: cleanup %d, clauses %d", in.Pred, len(in.Ops))
				}
			case OpResume:
				resumes++
			}
		}
	}
	if invokes != 3 || pads != 1 || resumes != 1 {
		t.Fatalf("%d invokes, %d landingpads, %d resumes", invokes, pads, resumes)
	}
	// The struct-returning invoke's fields are read at the start of its
	// normal destination, its only successor.
	if done := f.Blocks[3]; done.Name != "done" || done.Instrs[0].Op != OpExtractValue || done.Instrs[0].Ops[0].(*Instr).Op != OpInvoke {
		t.Errorf("no extractvalue of the invoke returning a struct in %%done:\n%v", f)
	}
	// Printed, it reads back the same.
	s := m.String()
	for _, want := range []string{"personality ptr @__gxx_personality_v0", "invoke void @may_throw(i32 %x) to label %cont unwind label %lpad", "landingpad { ptr, i32 } cleanup catch ptr @_ZTIi filter [2 x ptr] [ptr @_ZTIi, ptr @_ZTId] filter [0 x ptr] zeroinitializer catch ptr null", "resume { ptr, i32 }"} {
		if !strings.Contains(s, want) {
			t.Errorf("printed module lacks %q:\n%s", want, s)
		}
	}
	m2, err := ParseString("eh2.ll", s)
	if err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	if err := Verify(m2); err != nil {
		t.Fatal(err)
	}
	if s2 := m2.String(); s2 != s {
		t.Errorf("printing is not stable:\n%s\n---\n%s", s, s2)
	}
}

func landingPadOfBlock(b *Block) *Instr {
	if hasLandingPad(b) {
		return b.Instrs[len(b.Phis())]
	}
	return nil
}

func TestParseEHErrors(t *testing.T) {
	head := "declare void @g()\ndeclare i32 @__gxx_personality_v0(...)\n@ti = external constant ptr\n"
	tests := []struct{ name, src, want string }{
		{"filter type", "define void @f() personality ptr @__gxx_personality_v0 {\n  invoke void @g() to label %a unwind label %b\na:\n  ret void\nb:\n  %l = landingpad { ptr, i32 } filter i32 0\n  resume { ptr, i32 } %l\n}\n",
			"9:39: error: filter clause of type 'i32' (an array of ptr is expected)"},
		{"filter of nulls", "define void @f() {\n  %l = landingpad { ptr, i32 } filter [1 x ptr] zeroinitializer\n  ret void\n}\n",
			"5:39: error: filter clause of 1 null type-infos"},
		{"pad type", "define void @f() {\n  %l = landingpad { ptr, i64 } cleanup\n  ret void\n}\n",
			"5:19: error: landingpad of type '{ ptr, i64 }' is not supported"},
		{"no clause", "define void @f() {\n  %l = landingpad { ptr, i32 }\n  ret void\n}\n",
			"5:8: error: landingpad needs a cleanup or a clause"},
		{"catch int", "define void @f() {\n  %l = landingpad { ptr, i32 } catch i32 1\n  ret void\n}\n",
			"5:38: error: catch clause of type 'i32'"},
		{"no unwind", "define void @f() {\n  invoke void @g() to label %a\na:\n  ret void\n}\n",
			"6:1: error: expected 'unwind'"},
		{"resume type", "define void @f() {\n  resume i32 0\n}\n",
			"5:10: error: resume of type 'i32' is not supported"},
		{"metadata arg", "define void @f() {\n  call void @g(metadata !1)\n  ret void\n}\n",
			"error: metadata arguments are supported only for the intrinsics gorc drops, not '@g'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseString("t.ll", head+tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	// An unwind destination without a landingpad: the verifier's.
	m, err := ParseString("t.ll", head+"define void @f() {\n  invoke void @g() to label %a unwind label %a\na:\n  ret void\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(m); err == nil || !strings.Contains(err.Error(), "does not begin with a landingpad") {
		t.Fatalf("verify: %v", err)
	}
	// A landing pad reached by a branch.
	m, err = ParseString("t.ll", head+"define void @f(i1 %c) personality ptr @__gxx_personality_v0 {\n  br i1 %c, label %a, label %b\na:\n  invoke void @g() to label %b unwind label %lp\nb:\n  br label %lp\nlp:\n  %l = landingpad { ptr, i32 } cleanup\n  resume { ptr, i32 } %l\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(m); err == nil || !strings.Contains(err.Error(), "other than by an invoke's unwind edge") {
		t.Fatalf("verify: %v", err)
	}
}
