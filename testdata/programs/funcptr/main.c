// funcptr: function pointers passed across objects, tables of handlers,
// callbacks invoked from another object.
#include <stdio.h>

typedef int (*op_fn)(int, int);
op_fn lookup_op(char c);
int fold(const int *xs, int n, int init, op_fn f);
void for_each(void (*cb)(int, void *), void *ctx, int n);

static void collect(int i, void *ctx) { *(long *)ctx += (long)i * i; }

int main(void) {
	const char *ops = "+-*/%";
	for (const char *p = ops; *p; p++) {
		op_fn f = lookup_op(*p);
		printf("17 %c 5 = %d\n", *p, f(17, 5));
	}
	int xs[] = {3, 1, 4, 1, 5, 9, 2, 6};
	printf("fold + = %d\n", fold(xs, 8, 0, lookup_op('+')));
	printf("fold * = %d\n", fold(xs, 8, 1, lookup_op('*')));
	long acc = 0;
	for_each(collect, &acc, 10);
	printf("sum squares = %ld\n", acc);
	printf("unknown op is null: %d\n", lookup_op('?') == 0);
	return 0;
}
