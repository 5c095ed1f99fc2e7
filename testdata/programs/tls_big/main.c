// tls_big: more thread-local data (8 KiB initialized + more zeroed) than
// glibc's default static TLS surplus holds; gorc must still run it.
#include <pthread.h>
#include <stdio.h>

__thread char big[8192] = {1, 2, 3};
__thread long counters[512];

static void *worker(void *arg) {
	long id = (long)arg;
	for (int i = 0; i < 512; i++)
		counters[i] = id * i;
	big[8191] = (char)id;
	long s = 0;
	for (int i = 0; i < 512; i++)
		s += counters[i];
	return (void *)(s + big[0] + big[1] + big[2] + big[8191]);
}

int main(void) {
	pthread_t th[3];
	for (long i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, worker, (void *)(i + 1));
	for (int i = 0; i < 3; i++) {
		void *r;
		pthread_join(th[i], &r);
		printf("thread %d: %ld\n", i + 1, (long)r);
	}
	printf("main: big[8191]=%d counters[5]=%ld first=%d\n", big[8191], counters[5], big[0] + big[1] + big[2]);
	return 0;
}
