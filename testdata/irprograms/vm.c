/* A small stack VM whose values are tagged unions passed and returned by
   value ({ int, double }-like structs), with a variadic program builder. */
#include <stdarg.h>
#include <stdio.h>

enum tag { INT, REAL };
struct value { enum tag t; union { long i; double d; } u; };
struct num { int isreal; double d; }; /* { i32, double } */
enum op { PUSHI, PUSHR, ADD, MUL, SUB, DUP, SWAP, JNZ, DEC, PRINT, HALT };

static struct value vi(long i) { struct value v; v.t = INT; v.u.i = i; return v; }
static struct value vr(double d) { struct value v; v.t = REAL; v.u.d = d; return v; }
static double asd(struct value v) { return v.t == INT ? (double)v.u.i : v.u.d; }
static struct num tonum(struct value v) { return (struct num){v.t == REAL, asd(v)}; }

static struct value arith(int op, struct value a, struct value b) {
	if (a.t == INT && b.t == INT) {
		long x = a.u.i, y = b.u.i;
		return vi(op == ADD ? x + y : op == MUL ? x * y : x - y);
	}
	double x = asd(a), y = asd(b);
	return vr(op == ADD ? x + y : op == MUL ? x * y : x - y);
}

static int prog[256];
static double consts[16];
static int nprog;

static void emit(int n, ...) {
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		prog[nprog++] = va_arg(ap, int);
	va_end(ap);
}

static int emitr(double d) {
	static int nc;
	consts[nc] = d;
	return nc++;
}

static struct num run(void) {
	struct value st[64];
	int sp = 0, steps = 0;
	for (int pc = 0; pc < nprog; steps++) {
		int op = prog[pc++];
		switch (op) {
		case PUSHI: st[sp++] = vi(prog[pc++]); break;
		case PUSHR: st[sp++] = vr(consts[prog[pc++]]); break;
		case ADD: case MUL: case SUB: sp--; st[sp - 1] = arith(op, st[sp - 1], st[sp]); break;
		case DUP: st[sp] = st[sp - 1]; sp++; break;
		case SWAP: { struct value t = st[sp - 1]; st[sp - 1] = st[sp - 2]; st[sp - 2] = t; break; }
		case DEC: st[sp - 1] = arith(SUB, st[sp - 1], vi(1)); break;
		case JNZ: { int target = prog[pc++]; if (asd(st[sp - 1]) != 0) pc = target; break; }
		case PRINT: {
			struct num n = tonum(st[sp - 1]);
			if (n.isreal) printf("real %g\n", n.d); else printf("int %.0f\n", n.d);
			break;
		}
		case HALT: pc = nprog; break;
		}
	}
	printf("steps %d\n", steps);
	return tonum(st[sp - 1]);
}

int main(void) {
	/* acc = 1; n = 10; loop: acc *= n; n--; while n */
	emit(4, PUSHI, 1, PUSHI, 10);
	int loop = nprog;
	emit(9, DUP, SWAP, DUP, PUSHI, 0, ADD, SWAP, DEC, DUP);
	emit(1, PRINT);
	emit(2, JNZ, loop);
	emit(1, PRINT);
	emit(6, PUSHR, emitr(0.5), PUSHR, emitr(2.25), MUL, PRINT);
	emit(5, PUSHI, 7, ADD, PRINT, HALT);
	struct num r = run();
	printf("result %d %g\n", r.isreal, r.d);
	return (int)r.d;
}
