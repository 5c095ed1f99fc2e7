#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static void *worker(void *a) { usleep(100000); printf("worker done\n"); fflush(stdout); return 0; }
int main(void) { pthread_t t; pthread_create(&t, 0, worker, 0); printf("main exits via pthread_exit\n"); fflush(stdout); pthread_exit(0); }
