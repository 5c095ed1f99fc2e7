/* Source of ir/testdata/clang_consts_O*.ll: global initializers of
   arrays and structs of numbers and pointers (to strings, functions and
   into other globals), constant expressions, and at -O1 a relative lookup
   table (llvm.load.relative). */
int printf(const char *, ...);

static int twice(int x) { return 2 * x; }
static int square(int x) { return x * x; }
int neg(int x) { return -x; }

struct op { const char *name; int (*fn)(int); int weight; };
static const struct op ops[] = { {"twice", twice, 3}, {"square", square, 5}, {"neg", neg, -1}, {0, 0, 0} };
int table[6] = {1, 1, 2, 3, 5, 8};
int *mid = &table[3];
int **pmid = &mid;
const char *names[] = {"zero", "one", "two", "three", "four", "five"};
struct { char c; short s; long l; double d; } mixed = {'m', -7, 1L << 40, 2.5};
struct __attribute__((packed)) { char c; int i; } packed_one = {'p', 0x01020304};
long addr_as_int = (long)&table[1];
double grid[2][3] = {{1.5, 2.5, 3.5}, {4.5, 5.5}};

__attribute__((noinline)) const char *pick(int i) {
	switch (i) {
	case 0: return "zero";
	case 1: return "one";
	case 2: return "two";
	case 3: return "three";
	case 4: return "four";
	default: return "many";
	}
}

int main(void) {
	int acc = 0;
	for (const struct op *o = ops; o->name; o++) {
		int r = o->fn(7);
		printf("%s(7) = %d\n", o->name, r);
		acc += r * o->weight;
	}
	printf("%d %d %d\n", *mid, **pmid, mid[2]);
	for (int i = 0; i < 6; i++)
		printf("%s%s", names[i], i < 5 ? "," : "\n");
	printf("%c %d %ld %g\n", mixed.c, mixed.s, mixed.l, mixed.d);
	printf("%c %x %ld\n", packed_one.c, packed_one.i, (long)((int *)addr_as_int - table));
	printf("%g %g\n", grid[0][2], grid[1][2]);
	for (int i = 0; i < 7; i++)
		printf("%s ", pick(i));
	printf("\n");
	return acc & 0x7f;
}
