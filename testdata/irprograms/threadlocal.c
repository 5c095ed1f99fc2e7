/* _Thread_local variables — initialized and zero, static and external,
 * scalars, arrays and a struct — read and written by eight threads, each
 * of which must see its own copy; their addresses passed to other
 * functions; and a per-thread tally summed with atomics. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define THREADS 8

struct stats {
	long calls;
	double sum;
	char tag[12];
};

_Thread_local int tl_counter = 7;
static _Thread_local long tl_zero;
static _Thread_local int tl_array[16] = {1, 2, 3};
_Thread_local struct stats tl_stats = {0, 0.5, "init"};
static _Thread_local unsigned char tl_byte = 200;
static _Atomic long total;
static _Atomic long distinct_addrs;

static void bump(int *p, int by) { *p += by; }

__attribute__((noinline)) static long *zero_addr(void) { return &tl_zero; }

static void record(double x) {
	tl_stats.calls++;
	tl_stats.sum += x;
}

static void *worker(void *arg) {
	int id = (int)(intptr_t)arg;
	char name[12];
	snprintf(name, sizeof name, "worker%d", id);
	strcpy(tl_stats.tag, name);
	for (int i = 0; i < 1000; i++) {
		bump(&tl_counter, id);
		*zero_addr() += i;
		tl_array[i % 16] += id;
		record(i * 0.25);
		tl_byte++;
	}
	long s = 0;
	for (int i = 0; i < 16; i++)
		s += tl_array[i];
	atomic_fetch_add(&total, tl_counter + tl_zero + s);
	static _Atomic(uintptr_t) first;
	uintptr_t expect = 0;
	if (!atomic_compare_exchange_strong(&first, &expect, (uintptr_t)&tl_counter) && expect != (uintptr_t)&tl_counter)
		atomic_fetch_add(&distinct_addrs, 1);
	char line[160];
	snprintf(line, sizeof line, "%s: counter=%d zero=%ld array=%ld calls=%ld sum=%g byte=%d\n", tl_stats.tag, tl_counter,
	         tl_zero, s, tl_stats.calls, tl_stats.sum, tl_byte);
	return strdup(line);
}

int main(void) {
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], 0, worker, (void *)(intptr_t)(i + 1));
	for (int i = 0; i < THREADS; i++) {
		void *line;
		pthread_join(t[i], &line);
		fputs(line, stdout);
	}
	printf("main: counter=%d zero=%ld array0=%d calls=%ld tag=%s byte=%d\n", tl_counter, tl_zero, tl_array[0],
	       tl_stats.calls, tl_stats.tag, tl_byte);
	printf("total=%ld distinct=%ld\n", atomic_load(&total), atomic_load(&distinct_addrs));
	return 0;
}
