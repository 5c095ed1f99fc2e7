// lazy_smallstack: threads with small stacks (argv[1] bytes, default
// 64 KB) each make a first call of work. Natively these stacks are
// enough; an executor with a large static TLS surplus (a child) refused
// them (pthread_create: EINVAL) until gorc_pthread_create enlarged them.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) long work(long x) { return x * 3 + 1; }

static void *body(void *p) { return (void *)work((long)p); }

int main(int argc, char **argv) {
	size_t sz = argc > 1 ? strtoul(argv[1], 0, 0) : 65536;
	pthread_attr_t a;
	pthread_attr_init(&a);
	if (pthread_attr_setstacksize(&a, sz)) return 2;
	pthread_t t[4];
	long sum = 0;
	for (long i = 0; i < 4; i++) {
		int e = pthread_create(&t[i], &a, body, (void *)i);
		if (e) {
			printf("pthread_create: %d\n", e);
			return 3;
		}
	}
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		sum += (long)r;
	}
	size_t got = 0;
	pthread_attr_getstacksize(&a, &got);
	printf("sum %ld, attr stack size %s\n", sum, got == sz ? "unchanged" : "changed");
	return 0;
}
