/* Source of ir/testdata/clang_structs_O*.ll: named, nested and packed
   struct types in allocas and globals, getelementptr over them, struct
   copies (memcpy). */
int printf(const char *, ...);

struct point { int x, y; };
struct node { char tag; struct point p; double w; struct node *next; short s[3]; };
struct __attribute__((packed)) wire { char kind; long value; short port; };
union num { long i; double d; };

struct node nodes[4];
struct wire wires[3];
static struct point origin;

__attribute__((noinline)) long sum(struct node *n) {
	long s = 0;
	for (; n; n = n->next)
		s += n->tag + n->p.x * 10 + n->p.y * 100 + (long)n->w + n->s[2];
	return s;
}

__attribute__((noinline)) void fill(struct wire *w, int i) {
	w->kind = 'a' + i;
	w->value = 1000L * i + 7;
	w->port = (short)(80 + i);
}

int main(void) {
	for (int i = 0; i < 4; i++) {
		nodes[i].tag = (char)i;
		nodes[i].p.x = i + 1;
		nodes[i].p.y = 2 * i;
		nodes[i].w = 0.5 * i;
		nodes[i].s[2] = (short)(i * 3);
		nodes[i].next = i < 3 ? &nodes[i + 1] : 0;
	}
	struct node local = nodes[2];
	local.next = &nodes[3];
	printf("%ld %ld\n", sum(nodes), sum(&local));
	for (int i = 0; i < 3; i++)
		fill(&wires[i], i);
	long t = 0;
	for (int i = 0; i < 3; i++)
		t += wires[i].kind + wires[i].value + wires[i].port;
	printf("%ld %zu %zu %zu\n", t, sizeof(struct wire), sizeof(struct node), sizeof wires);
	struct point q = origin;
	q.y += 5;
	origin = q;
	union num u;
	u.d = 1.0;
	printf("%d %d %lx\n", origin.x, origin.y, u.i);
	return (int)(t % 100);
}
