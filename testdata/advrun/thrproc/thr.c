/* Threads in JIT'd code: pthread_cancel (deferred at a cancellation
 * point, asynchronous in a busy loop) with cleanup handlers, thread-local
 * destructors (pthread_key and __thread with a key), 200 threads each
 * first-calling functions, and pthread_exit from main. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int cleanups, dtors;
static pthread_key_t key;

static void cleanup(void *a) {
	pthread_mutex_lock(&mu);
	cleanups += (int)(long)a;
	pthread_mutex_unlock(&mu);
}
static void key_dtor(void *p) {
	pthread_mutex_lock(&mu);
	dtors += *(int *)p;
	pthread_mutex_unlock(&mu);
	free(p);
}

static void *deferred(void *a) {
	(void)a;
	int *v = malloc(sizeof *v);
	*v = 10;
	pthread_setspecific(key, v);
	pthread_cleanup_push(cleanup, (void *)1L);
	for (;;) pause(); /* cancellation point */
	pthread_cleanup_pop(0);
	return NULL;
}

static volatile long spin;
static volatile int async_ready;
static void *async(void *a) {
	(void)a;
	int old;
	int *v = malloc(sizeof *v);
	*v = 100;
	pthread_setspecific(key, v);
	pthread_cleanup_push(cleanup, (void *)2L);
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old);
	async_ready = 1;
	for (;;) spin++; /* no cancellation point */
	pthread_cleanup_pop(0);
	return NULL;
}

#define G(n) __attribute__((noinline)) long g##n(long x) { return x * (n + 3) + (x >> 3); }
G(0) G(1) G(2) G(3) G(4) G(5) G(6) G(7) G(8) G(9) G(10) G(11) G(12) G(13) G(14) G(15)
static long (*gs[])(long) = {g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, g10, g11, g12, g13, g14, g15};
static pthread_barrier_t bar;
static long results[200];
static void *many(void *a) {
	long i = (long)a;
	pthread_barrier_wait(&bar);
	long x = i;
	for (int k = 0; k < 16; k++) x = gs[(i + k) % 16](x);
	results[i] = x;
	int *v = malloc(sizeof *v);
	*v = 1000;
	pthread_setspecific(key, v);
	return NULL;
}

static void *late(void *a) {
	usleep(50000);
	printf("late thread: cleanups %d dtors %d; %s\n", cleanups, dtors, (char *)a);
	fflush(stdout);
	return NULL;
}

int thr_main(void) {
	pthread_key_create(&key, key_dtor);
	pthread_t t1, t2;
	void *r1, *r2;
	pthread_create(&t1, NULL, deferred, NULL);
	pthread_create(&t2, NULL, async, NULL);
	usleep(20000);
	while (!async_ready) usleep(1000);
	pthread_cancel(t1);
	pthread_cancel(t2);
	pthread_join(t1, &r1);
	pthread_join(t2, &r2);
	printf("cancel: deferred %d async %d cleanups %d dtors %d\n", r1 == PTHREAD_CANCELED, r2 == PTHREAD_CANCELED, cleanups, dtors);

	pthread_barrier_init(&bar, NULL, 200);
	pthread_t ts[200];
	int made = 0;
	for (long i = 0; i < 200; i++) {
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setstacksize(&at, 64 * 1024);
		if (pthread_create(&ts[i], &at, many, (void *)i) == 0) made++;
		pthread_attr_destroy(&at);
	}
	for (int i = 0; i < made; i++) pthread_join(ts[i], NULL);
	long sum = 0;
	for (int i = 0; i < 200; i++) sum ^= results[i];
	printf("200 threads: made %d sum %ld dtors %d\n", made, sum, dtors);
	fflush(stdout);
	pthread_t tl;
	pthread_create(&tl, NULL, late, "main gone");
	pthread_exit(NULL);
}
