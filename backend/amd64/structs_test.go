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
