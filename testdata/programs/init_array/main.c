// init_array: function pointers placed directly in .init_array, .fini_array
// and the legacy .ctors/.dtors sections (which a real linker folds into
// .init_array/.fini_array in reverse order).
#include <stdio.h>

static int trace[16], ntrace;
static void rec(int v) { trace[ntrace++] = v; }

static void i1(void) { rec(1); printf("init_array 1\n"); }
static void i2(void) { rec(2); printf("init_array 2\n"); }
static void i5(void) { rec(5); printf("init_array.00500 (priority)\n"); }
static void k1(void) { rec(11); printf("ctors entry 1\n"); }
static void k2(void) { rec(12); printf("ctors entry 2\n"); }
static void f1(void) { printf("fini_array 1\n"); }
static void f2(void) { printf("fini_array 2\n"); }
static void t1(void) { printf("dtors entry 1\n"); }
static void t2(void) { printf("dtors entry 2\n"); }

__attribute__((section(".init_array"), used, aligned(8))) static void (*ia[])(void) = {i1, i2};
__attribute__((section(".init_array.00500"), used, aligned(8))) static void (*ia5)(void) = i5;
__attribute__((section(".ctors"), used, aligned(8))) static void (*ct[])(void) = {k1, k2};
__attribute__((section(".fini_array"), used, aligned(8))) static void (*fa[])(void) = {f1, f2};
__attribute__((section(".dtors"), used, aligned(8))) static void (*dt[])(void) = {t1, t2};

int main(void) {
	printf("main: %d initializers ran:", ntrace);
	for (int i = 0; i < ntrace; i++)
		printf(" %d", trace[i]);
	printf("\n");
	return 0;
}
