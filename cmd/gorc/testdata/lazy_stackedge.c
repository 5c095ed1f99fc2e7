// stackedge: recurse until about LEFT bytes of the thread's stack remain
// (argv[1]), then make the first call of h there. gorc run -lazy resolves
// a first call with less than 64 KB left on a helper thread, and ends one
// with less than 8 KB left with "stack exhausted in lazy first call of h".
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) long h(long x) { return x + 7; }

static char *lo;

__attribute__((noinline)) long down(long left) {
	volatile char pad[1024];
	pad[0] = 1;
	if ((char *)pad - lo > left) return down(left) + pad[0] - 1;
	return h(left);
}

int main(int argc, char **argv) {
	long left = argc > 1 ? strtol(argv[1], 0, 0) : 1 << 20;
	pthread_attr_t a;
	void *addr;
	size_t size;
	if (pthread_getattr_np(pthread_self(), &a) || pthread_attr_getstack(&a, &addr, &size)) return 2;
	lo = addr;
	printf("%ld\n", down(left));
	return 0;
}
