/* 128-bit atomics as real code writes them: __atomic_* builtins on
   unsigned __int128 (four threads contending, carries between the
   halves), every fetch operation, and an ABA-tagged pointer in a
   16-byte struct. clang-19 emits load/store atomic, atomicrmw
   and cmpxchg of i128 in IR (with or without -mcx16); gcc and clang
   objects call libatomic's __atomic_*_16 (link with -latomic). */
#include <pthread.h>
#include <stdio.h>

typedef unsigned __int128 u128;
typedef __int128 s128;

static u128 ctr __attribute__((aligned(16)));
static s128 sv __attribute__((aligned(16)));

struct tagged {
	void *p;
	unsigned long tag;
};
static struct tagged head __attribute__((aligned(16)));

static void show(const char *n, u128 x) {
	printf("%s %llx %llx\n", n, (unsigned long long)(x >> 64), (unsigned long long)x);
}

static void *work(void *arg) {
	(void)arg;
	for (int i = 0; i < 20000; i++) {
		__atomic_fetch_add(&ctr, ((u128)1 << 64) | 0x8000000000000000ull, __ATOMIC_SEQ_CST);
		u128 e = __atomic_load_n(&ctr, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(&ctr, &e, e + 1, 1, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			;
		struct tagged o, n;
		__atomic_load(&head, &o, __ATOMIC_ACQUIRE);
		do {
			n.p = &o;
			n.tag = o.tag + 1;
		} while (!__atomic_compare_exchange(&head, &o, &n, 1, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	}
	return 0;
}

int main(void) {
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], 0, work, 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], 0);
	show("threads", ctr);
	struct tagged h;
	__atomic_load(&head, &h, __ATOMIC_SEQ_CST);
	printf("tag %lu\n", h.tag);
	__atomic_store_n(&ctr, ((u128)5 << 64) | 7, __ATOMIC_RELEASE);
	show("sub", __atomic_fetch_sub(&ctr, 8, __ATOMIC_SEQ_CST));
	show("and", __atomic_fetch_and(&ctr, ~(u128)0 << 4, __ATOMIC_SEQ_CST));
	show("or", __atomic_fetch_or(&ctr, (u128)3 << 100, __ATOMIC_SEQ_CST));
	show("xor", __atomic_fetch_xor(&ctr, 0xff, __ATOMIC_SEQ_CST));
	show("nand", __atomic_fetch_nand(&ctr, 0xf0f0, __ATOMIC_SEQ_CST));
	show("add_fetch", __atomic_add_fetch(&ctr, (u128)1 << 63, __ATOMIC_SEQ_CST));
	show("load", __atomic_load_n(&ctr, __ATOMIC_SEQ_CST));
	__atomic_store_n(&sv, -5, __ATOMIC_SEQ_CST);
#ifdef __clang__
	__atomic_fetch_max(&sv, (s128)3, __ATOMIC_SEQ_CST);
	show("smax", sv);
	__atomic_fetch_min(&sv, -((s128)1 << 70), __ATOMIC_SEQ_CST);
	show("smin", sv);
	__atomic_fetch_max(&sv, (s128)-1, __ATOMIC_SEQ_CST);
	show("smax2", sv);
	__atomic_fetch_max(&ctr, (u128)1 << 127, __ATOMIC_SEQ_CST);
	show("umax", ctr);
	__atomic_fetch_min(&ctr, (u128)9, __ATOMIC_SEQ_CST);
	show("umin", ctr);
	__atomic_fetch_max(&ctr, (u128)2, __ATOMIC_SEQ_CST);
	show("umax2", ctr);
	__atomic_fetch_min(&ctr, ((u128)1 << 64) + 3, __ATOMIC_SEQ_CST);
	show("umin2", ctr);
#endif
	u128 e = 8;
	printf("cas-fail %d ", __atomic_compare_exchange_n(&ctr, &e, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
	show("expected", e);
	show("xchg", __atomic_exchange_n(&ctr, 1, __ATOMIC_SEQ_CST));
	show("final", ctr);
	return 0;
}
