package ir

import (
	"strings"
	"testing"
)

// TestStructLayout checks sizes, alignments and field offsets against the
// x86-64 psABI (the numbers clang-19 gives for the same C structs).
func TestStructLayout(t *testing.T) {
	pt := StructType([]*Type{I32, I32}, false)
	tests := []struct {
		name    string
		typ     *Type
		size    int64
		align   int64
		offsets []int64
	}{
		{"empty", StructType(nil, false), 0, 1, nil},
		{"i8 i32 ptr", StructType([]*Type{I8, I32, Ptr}, false), 16, 8, []int64{0, 4, 8}},
		{"tail padding", StructType([]*Type{F64, I8}, false), 16, 8, []int64{0, 8}},
		{"packed", StructType([]*Type{I8, I64, I16}, true), 11, 1, []int64{0, 1, 9}},
		{"nested", StructType([]*Type{I8, pt, F64, Ptr, ArrayType(3, I16)}, false), 40, 8, []int64{0, 4, 16, 24, 32}},
		{"array of structs", StructType([]*Type{ArrayType(2, StructType([]*Type{I16, I8}, false)), I8}, false), 10, 2, []int64{0, 8}},
		{"packed inside", StructType([]*Type{I8, StructType([]*Type{I8, I64}, true)}, false), 10, 1, []int64{0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s := tt.typ.Size(); s != tt.size {
				t.Errorf("%v: size %d, want %d", tt.typ, s, tt.size)
			}
			if a := tt.typ.Align(); a != tt.align {
				t.Errorf("%v: align %d, want %d", tt.typ, a, tt.align)
			}
			for i, want := range tt.offsets {
				if off := tt.typ.FieldOffset(i); off != want {
					t.Errorf("%v: field %d at %d, want %d", tt.typ, i, off, want)
				}
			}
		})
	}
}

// TestNamedTypesRoundTrip: named types print as their definitions, in
// order, and uses print by name.
func TestNamedTypesRoundTrip(t *testing.T) {
	src := `%struct.B = type { i8, %struct.A }
%struct.A = type <{ i16, ptr }>
%struct.O = type opaque

@g = global %struct.B zeroinitializer, align 8

define ptr @f(ptr %p, i64 %i) {
  %a = alloca { i32, [2 x %struct.A] }, align 8
  %q = getelementptr inbounds %struct.B, ptr %p, i64 %i, i32 1, i32 1
  ret ptr %q
}
`
	m := roundTrip(t, "t.ll", src)
	out := m.String()
	for _, want := range []string{
		"%struct.B = type { i8, %struct.A }\n%struct.A = type <{ i16, ptr }>\n%struct.O = type opaque\n",
		"@g = global %struct.B zeroinitializer, align 8",
		"alloca { i32, [2 x %struct.A] }, align 8",
		"getelementptr inbounds %struct.B, ptr %p, i64 %i, i32 1, i32 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("printed module lacks %q:\n%s", want, out)
		}
	}
	if s := m.Globals[0].ValueType.Size(); s != 11 {
		t.Errorf("%%struct.B size %d, want 11", s)
	}
}

func TestStructParseErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"undefined type", "@g = global %struct.X zeroinitializer\n", "t.ll:1:13: error: use of undefined type '%struct.X'"},
		{"undefined in body", "define void @f() {\n  %a = alloca %T, align 8\n  ret void\n}\n", "t.ll:2:15: error: use of undefined type '%T'"},
		{"recursive", "%A = type { i32, %B }\n%B = type { %A }\n", "t.ll:2:1: error: type '%B' contains itself"},
		{"self", "%A = type { [2 x %A] }\n", "t.ll:1:1: error: type '%A' contains itself"},
		{"redefinition", "%A = type { i32 }\n%A = type { i64 }\n", "t.ll:2:1: error: redefinition of type '%A'"},
		{"struct parameter", "%A = type { i32 }\ndefine i32 @f(%A %v) {\n  ret i32 0\n}\n", "t.ll:2:15: error: values of aggregate type '%A' are not supported"},
		{"struct argument", "declare void @g(i32)\ndefine void @f() {\n  call void @g({ i32 } zeroinitializer)\n  ret void\n}\n", "t.ll:3:24: error: values of aggregate type '{ i32 }' are not supported"},
		{"nested struct return", "define { i64, { i64 } } @f() {\n  ret { i64, { i64 } } zeroinitializer\n}\n", "t.ll:1:8: error: functions returning '{ i64, { i64 } }' are not supported"},
		{"opaque struct value", "%O = type opaque\ndefine void @f(ptr %p) {\n  %v = load %O, ptr %p\n  ret void\n}\n", "t.ll:3:13: error: a value of opaque struct type '%O'"},
		{"vector", "@g = global <4 x i32> zeroinitializer\n", "t.ll:1:13: error: vector types are not supported"},
		{"bad field", "%A = type { void }\n", "t.ll:1:13: error: invalid struct field type void"},
		{"gep non-constant field", "%A = type { i32, i32 }\ndefine ptr @f(ptr %p, i32 %i) {\n  %q = getelementptr %A, ptr %p, i32 0, i32 %i\n  ret ptr %q\n}\n", "getelementptr index into struct type %A is not a constant field number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseString("t.ll", tt.src)
			if err == nil {
				err = Verify(m)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}
