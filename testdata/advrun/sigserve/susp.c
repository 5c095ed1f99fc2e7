/* sigsuspend and ppoll with a temporary mask take a signal pending for
 * the process (blocked in every thread), sent before the wait or from a
 * thread during it (session 30: kept pending by the executor, it hung). */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static volatile sig_atomic_t got;
static void h(int s) { (void)s; got++; }
static void *sender(void *a) { (void)a; usleep(30000); kill(getpid(), SIGUSR1); return NULL; }
int susp_main(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	struct sigaction olds;
	sigaction(SIGUSR1, &sa, &olds);
	sigset_t b, empty;
	sigemptyset(&b);
	sigaddset(&b, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &b, NULL);
	kill(getpid(), SIGUSR1); /* pending: blocked everywhere */
	sigsuspend(&empty);
	printf("sigsuspend 1: got %d\n", (int)got);
	pthread_t t;
	pthread_create(&t, NULL, sender, NULL); /* inherits the block */
	sigsuspend(&empty);
	printf("sigsuspend 2: got %d\n", (int)got);
	pthread_join(t, NULL);
	pthread_create(&t, NULL, sender, NULL);
	int r = ppoll(NULL, 0, NULL, &empty);
	printf("ppoll: %d got %d\n", r, (int)got);
	pthread_join(t, NULL);
	sigprocmask(SIG_UNBLOCK, &b, NULL);
	sigaction(SIGUSR1, &olds, NULL);
	return 0;
}
