/* Atomics as C programs spell them: <stdatomic.h>, the __atomic_* and
 * __sync_* builtins on every width, every ordering, compare-and-swap loops,
 * a spin lock and eight threads incrementing shared counters. clang-19
 * emits atomicrmw, cmpxchg, load/store atomic and fence for them. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#define THREADS 8
#define ITERS 20000

static _Atomic long counter;
static long locked_count;
static int spin;
static atomic_flag flag = ATOMIC_FLAG_INIT;
static long flag_count;
static unsigned cas_count;
static _Atomic unsigned char small;
static _Atomic double dsum;
static _Atomic(long) maxseen;

static void lock(int *l) {
	while (__sync_lock_test_and_set(l, 1))
		while (__atomic_load_n(l, __ATOMIC_RELAXED))
			;
}

static void unlock(int *l) { __sync_lock_release(l); }

static void *worker(void *arg) {
	long id = (long)(intptr_t)arg;
	for (int i = 0; i < ITERS; i++) {
		atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed);
		lock(&spin);
		locked_count++;
		unlock(&spin);
		while (atomic_flag_test_and_set_explicit(&flag, memory_order_acquire))
			;
		flag_count += 2;
		atomic_flag_clear_explicit(&flag, memory_order_release);
		unsigned old = __atomic_load_n(&cas_count, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(&cas_count, &old, old + 3, 1, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			;
		atomic_fetch_add(&small, 1);
		long v = id * ITERS + i, cur = atomic_load(&maxseen);
		while (cur < v && !atomic_compare_exchange_weak(&maxseen, &cur, v))
			;
	}
	for (int i = 0; i < 100; i++) {
		double cur = atomic_load(&dsum);
		while (!atomic_compare_exchange_weak(&dsum, &cur, cur + 0.5))
			;
	}
	return arg;
}

static void widths(void) {
	unsigned char c = 5;
	short s = 7;
	int x = 100;
	long long l = -3;
	unsigned ux = 10;
	printf("sub %d\n", __atomic_fetch_sub(&x, 3, __ATOMIC_RELAXED));
	printf("and %d\n", __atomic_fetch_and(&x, 0x55, __ATOMIC_ACQUIRE));
	printf("or %d\n", __atomic_fetch_or(&x, 0x300, __ATOMIC_RELEASE));
	printf("xor %d\n", __atomic_fetch_xor(&x, 0xff, __ATOMIC_ACQ_REL));
	printf("nand %d\n", __atomic_fetch_nand(&x, 0x0f0, __ATOMIC_SEQ_CST));
	printf("max %d %d\n", __atomic_fetch_max(&x, 1000, __ATOMIC_SEQ_CST), x);
	printf("min %d %d\n", __atomic_fetch_min(&x, -5, __ATOMIC_SEQ_CST), x);
	printf("umax %u %u\n", __atomic_fetch_max(&ux, 0xfffffff0u, __ATOMIC_SEQ_CST), ux);
	printf("umin %u %u\n", __atomic_fetch_min(&ux, 3u, __ATOMIC_SEQ_CST), ux);
	printf("add8 %d\n", __atomic_add_fetch(&c, 250, __ATOMIC_SEQ_CST));
	printf("nand8 %d\n", __atomic_nand_fetch(&c, 0x3c, __ATOMIC_SEQ_CST));
	printf("max8 %d\n", __atomic_fetch_max(&c, 200, __ATOMIC_SEQ_CST));
	printf("xchg16 %d %d\n", __atomic_exchange_n(&s, -9, __ATOMIC_SEQ_CST), s);
	printf("min16 %d %d\n", __atomic_fetch_min(&s, -300, __ATOMIC_SEQ_CST), s);
	printf("or16 %d %d\n", __atomic_fetch_or(&s, 0x7001, __ATOMIC_RELAXED), s);
	printf("add64 %lld\n", __atomic_fetch_add(&l, 10000000000LL, __ATOMIC_SEQ_CST));
	printf("sub64 %lld %lld\n", __atomic_sub_fetch(&l, 3, __ATOMIC_SEQ_CST), l);
	printf("umin64 %llu\n", (unsigned long long)__atomic_fetch_min((unsigned long long *)&l, 5ULL, __ATOMIC_SEQ_CST));
	int expected = 7;
	int ok = __atomic_compare_exchange_n(&x, &expected, 42, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	printf("cas %d %d %d\n", ok, expected, x);
	expected = x;
	ok = __atomic_compare_exchange_n(&x, &expected, 43, 1, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
	printf("cas %d %d %d\n", ok, expected, x);
	printf("vcas %d\n", __sync_val_compare_and_swap(&x, 43, 44));
	printf("bcas %d\n", __sync_bool_compare_and_swap(&l, 7, 8));
	printf("bcas8 %d %d\n", __sync_bool_compare_and_swap(&c, c, 99), c);
	printf("fadd16 %d\n", __sync_fetch_and_add(&s, 2));
	printf("subf %d\n", __sync_sub_and_fetch(&x, 4));
	__sync_synchronize();
	atomic_thread_fence(memory_order_acquire);
	atomic_thread_fence(memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	atomic_signal_fence(memory_order_seq_cst);
	_Atomic int a8 = 0;
	atomic_store_explicit(&a8, 3, memory_order_release);
	atomic_store(&a8, atomic_load_explicit(&a8, memory_order_acquire) + 1);
	atomic_store_explicit(&a8, atomic_load_explicit(&a8, memory_order_relaxed) * 5, memory_order_relaxed);
	printf("store %d\n", atomic_load_explicit(&a8, memory_order_seq_cst));
	int *pp = 0, *pq = &x;
	int *old = __atomic_exchange_n(&pp, pq, __ATOMIC_SEQ_CST);
	int *exp = pq;
	printf("ptr %d %d %d\n", old == 0, *pp, __atomic_compare_exchange_n(&pp, &exp, (int *)0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	_Atomic double d = 1.5;
	d += 2.25;
	d *= 2;
	_Atomic float f = 0.25f;
	f += 1.0f;
	f -= 3.0f;
	printf("float %g %g\n", (double)d, (double)f);
	float fx = 2.5f, fn = 7.5f, fo, fr;
	__atomic_exchange(&fx, &fn, &fo, __ATOMIC_SEQ_CST);
	fn = fx + 1;
	__atomic_store(&fx, &fn, __ATOMIC_SEQ_CST);
	__atomic_load(&fx, &fr, __ATOMIC_ACQUIRE);
	double dx = 0.5, dn = -1.25, dr;
	__atomic_store(&dx, &dn, __ATOMIC_RELEASE);
	__atomic_load(&dx, &dr, __ATOMIC_SEQ_CST);
	printf("fxchg %g %g %g\n", (double)fo, (double)fr, dr);
}

int main(void) {
	widths();
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], 0, worker, (void *)(intptr_t)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], 0);
	printf("counter=%ld locked=%ld flag=%ld cas=%u small=%d max=%ld dsum=%g\n", atomic_load(&counter), locked_count,
	       flag_count, cas_count, atomic_load(&small), atomic_load(&maxseen), atomic_load(&dsum));
	return (int)(atomic_load(&counter) != THREADS * ITERS);
}
