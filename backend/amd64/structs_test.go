package amd64

import "testing"

// TestStructGEP compiles getelementptr over named, nested and packed
// struct types (constant and variable indices) and checks the addresses
// against gcc's layout of the same C structs.
func TestStructGEP(t *testing.T) {
	m := parse(t, `
%struct.point = type { i32, i32 }
%struct.node = type { i8, %struct.point, double, ptr, [3 x i16] }
%struct.wire = type <{ i8, i64, i16 }>

@nodes = global [4 x %struct.node] zeroinitializer, align 16

define ptr @node_y(ptr %base, i64 %i) {
  %p = getelementptr inbounds %struct.node, ptr %base, i64 %i, i32 1, i32 1
  ret ptr %p
}

define ptr @node_s(i64 %i, i64 %k) {
  %p = getelementptr inbounds [4 x %struct.node], ptr @nodes, i64 0, i64 %i, i32 4, i64 %k
  ret ptr %p
}

define ptr @node_w2() {
  %p = getelementptr inbounds [4 x %struct.node], ptr @nodes, i64 0, i64 2, i32 2
  ret ptr %p
}

define ptr @wire_port(ptr %w, i64 %i) {
  %p = getelementptr inbounds %struct.wire, ptr %w, i64 %i, i32 2
  ret ptr %p
}

define i64 @wire_value(ptr %w) {
  %p = getelementptr inbounds %struct.wire, ptr %w, i32 0, i32 1
  %v = load i64, ptr %p, align 1
  ret i64 %v
}
`)
	out := runC(t, m, `#include <stddef.h>
struct point { int x, y; };
struct node { char tag; struct point p; double w; void *next; short s[3]; };
struct __attribute__((packed)) wire { char kind; long value; short port; };
extern struct node nodes[4];
void *node_y(struct node *, long); void *node_s(long, long); void *node_w2(void); void *wire_port(struct wire *, long); long wire_value(struct wire *);
int main(void) {
	struct node n[3]; struct wire w[2] = {{1, 77, 2}, {3, 99, 4}};
	pi(node_y(n, 2) == &n[2].p.y);
	pi(node_s(3, 1) == &nodes[3].s[1]);
	pi(node_w2() == &nodes[2].w);
	pi(wire_port(w, 1) == &w[1].port);
	pi(wire_value(&w[1]));
	pi(sizeof(struct node));
	return 0;
}
`)
	expectLines(t, out, []string{"1", "1", "1", "1", "99", "40"})
}

// TestGlobalInitializers emits globals initialized with arrays and
// structs of numbers and pointers (to strings, functions, into globals at
// an offset) and a relative table, and reads them from C.
func TestGlobalInitializers(t *testing.T) {
	m := parse(t, `
%struct.op = type { ptr, ptr, i32 }

@.s1 = private constant [4 x i8] c"abc\00"
@.s2 = private constant [3 x i8] c"de\00"
@table = global [6 x i32] [i32 1, i32 1, i32 2, i32 3, i32 5, i32 8], align 16
@mid = global ptr getelementptr inbounds ([6 x i32], ptr @table, i64 0, i64 3), align 8
@as_int = global i64 ptrtoint (ptr getelementptr inbounds (i8, ptr @table, i64 4) to i64), align 8
@ops = global [2 x %struct.op] [%struct.op { ptr @.s1, ptr @inc, i32 3 }, %struct.op { ptr @.s2, ptr null, i32 -1 }], align 16
@mixed = global { i8, i16, i64, double } { i8 109, i16 -7, i64 1099511627776, double 2.500000e+00 }, align 8
@packed = global <{ i8, i32 }> <{ i8 112, i32 16909060 }>, align 1
@rel = private constant [2 x i32] [i32 trunc (i64 sub (i64 ptrtoint (ptr @.s1 to i64), i64 ptrtoint (ptr @rel to i64)) to i32), i32 trunc (i64 sub (i64 ptrtoint (ptr @.s2 to i64), i64 ptrtoint (ptr @rel to i64)) to i32)], align 4
@late = global ptr @after, align 8
@after = global i32 99, align 4

define i32 @inc(i32 %x) {
  %r = add i32 %x, 1
  ret i32 %r
}

define ptr @relpick(i64 %i) {
  %o = shl i64 %i, 2
  %p = call ptr @llvm.load.relative.i64(ptr @rel, i64 %o)
  ret ptr %p
}

declare ptr @llvm.load.relative.i64(ptr, i64)
`)
	out := runC(t, m, `#include <stddef.h>
struct op { const char *name; int (*fn)(int); int weight; };
extern int table[6]; extern int *mid; extern long as_int; extern struct op ops[2];
extern struct { char c; short s; long l; double d; } mixed;
extern struct __attribute__((packed)) { char c; int i; } packed;
extern int *late; const char *relpick(long);
int main(void) {
	pi(*mid); pi(mid == &table[3]); pi(as_int == (long)&table[1]);
	printf("%s %d %d %s %d\n", ops[0].name, ops[0].fn(41), ops[0].weight, ops[1].name, ops[1].fn == NULL);
	printf("%c %d %ld %g\n", mixed.c, mixed.s, mixed.l, mixed.d);
	printf("%c %x\n", packed.c, packed.i);
	printf("%s %s\n", relpick(0), relpick(1));
	pi(*late);
	return 0;
}
`)
	expectLines(t, out, []string{"3", "1", "1", "abc 42 3 de 1", "m -7 1099511627776 2.5", "p 1020304", "abc de", "99"})
}
