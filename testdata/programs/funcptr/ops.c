typedef int (*op_fn)(int, int);
static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }
static int quo(int a, int b) { return a / b; }
static int rem(int a, int b) { return a % b; }

static const struct {
	char c;
	op_fn f;
} table[] = {{'+', add}, {'-', sub}, {'*', mul}, {'/', quo}, {'%', rem}};

op_fn lookup_op(char c) {
	for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].c == c)
			return table[i].f;
	return 0;
}

int fold(const int *xs, int n, int init, op_fn f) {
	for (int i = 0; i < n; i++)
		init = f(init, xs[i]);
	return init;
}

void for_each(void (*cb)(int, void *), void *ctx, int n) {
	for (int i = 0; i < n; i++)
		cb(i, ctx);
}
