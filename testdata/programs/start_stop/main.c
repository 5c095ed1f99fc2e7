// start_stop: a registry in a custom section "gorc_reg" filled from two
// objects, walked through the linker-synthesized __start_gorc_reg and
// __stop_gorc_reg symbols.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "reg.h"

extern const struct reg_entry __start_gorc_reg[], __stop_gorc_reg[];

REGISTER(alpha, 3)
REGISTER(beta, 1)

static int cmp(const void *a, const void *b) {
	const struct reg_entry *x = a, *y = b;
	return x->order - y->order;
}

int main(void) {
	size_t n = __stop_gorc_reg - __start_gorc_reg;
	printf("%zu entries\n", n);
	struct reg_entry copy[16];
	memcpy(copy, __start_gorc_reg, n * sizeof copy[0]);
	qsort(copy, n, sizeof copy[0], cmp);
	for (size_t i = 0; i < n; i++)
		printf("%d %s -> %d\n", copy[i].order, copy[i].name, copy[i].fn());
	return 0;
}
