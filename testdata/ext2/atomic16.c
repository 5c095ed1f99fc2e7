/* 16-byte atomics below 16-byte alignment: __atomic_exchange,
   __atomic_compare_exchange and __atomic_load of a plain struct of two
   longs (8-byte aligned), and load, store and compare-exchange of an
   __int128 typedef'd to 8-byte alignment at offset 8 of a struct (really
   misaligned). clang-19 emits atomicrmw xchg / cmpxchg / load atomic /
   store atomic of i128 with align 8, which gorc (as LLVM) turns into
   libatomic's generic calls: link with -latomic. (gcc calls
   __atomic_load_16 on the misaligned __int128, which faults natively.) */
#include <stdio.h>

struct pair {
	long a, b;
};
typedef __int128 i128a8 __attribute__((aligned(8)));

static struct pair g = {1, 2};
static struct {
	long pad;
	i128a8 v;
} s = {0, 5};

int main(void) {
	struct pair n = {3, 4}, o, e = {3, 4}, d = {7, 8}, l;
	__atomic_exchange(&g, &n, &o, __ATOMIC_SEQ_CST);
	int ok1 = __atomic_compare_exchange(&g, &e, &d, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	int ok2 = __atomic_compare_exchange(&g, &e, &d, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	__atomic_load(&g, &l, __ATOMIC_ACQUIRE);
	i128a8 x = __atomic_load_n(&s.v, __ATOMIC_SEQ_CST);
	__atomic_store_n(&s.v, x + 10, __ATOMIC_SEQ_CST);
	i128a8 ex = 15;
	int ok3 = __atomic_compare_exchange_n(&s.v, &ex, (i128a8)99, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	i128a8 ex2 = 15;
	int ok4 = __atomic_compare_exchange_n(&s.v, &ex2, (i128a8)7, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	printf("old %ld %ld ok %d %d e %ld %ld now %ld %ld s %d %d ok3 %d ok4 %d ex2 %d\n", o.a, o.b, ok1, ok2, e.a, e.b, l.a, l.b, (int)x,
	       (int)s.v, ok3, ok4, (int)ex2);
	return 0;
}
