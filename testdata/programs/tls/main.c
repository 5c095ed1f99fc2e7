// tls: __thread variables (initialized .tdata and zero .tbss, static and
// extern across objects) in the main thread and in pthreads.
#include <pthread.h>
#include <stdio.h>

extern __thread int ext_counter;
extern __thread char ext_name[16];
__thread int tl_init = 100;
static __thread long tl_zero;
void set_name(const char *);

static void *worker(void *arg) {
	long id = (long)arg;
	for (int i = 0; i < 1000; i++) {
		tl_zero += id;
		ext_counter++;
	}
	tl_init += (int)id;
	set_name("worker");
	long *res = (long *)arg;
	(void)res;
	return (void *)(tl_zero * 1000000 + ext_counter * 1000 + tl_init);
}

int main(void) {
	pthread_t th[4];
	for (long i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, worker, (void *)(i + 1));
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(th[i], &r);
		printf("thread %d: %ld\n", i + 1, (long)r);
	}
	set_name("main");
	printf("main: tl_init=%d tl_zero=%ld ext_counter=%d name=%s\n", tl_init, tl_zero, ext_counter, ext_name);
	return 0;
}
