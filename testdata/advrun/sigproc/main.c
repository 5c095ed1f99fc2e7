/* Process-directed signals (kill and sigqueue to the program's own
 * process) caught by handlers installed with signal() and sigaction():
 * each handler runs on the program's main thread, sees its siginfo, and
 * sigaction reports the handler the program installed. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_t main_thread;
static volatile sig_atomic_t n1, n2, sum2, off_main;

static void on_usr1(int sig) {
	(void)sig;
	if (!pthread_equal(pthread_self(), main_thread)) off_main++;
	n1++;
}

static void on_usr2(int sig, siginfo_t *si, void *uc) {
	(void)sig;
	(void)uc;
	if (!pthread_equal(pthread_self(), main_thread)) off_main++;
	if (si->si_code == SI_QUEUE) sum2 += si->si_value.sival_int;
	n2++;
}

static int wait_for(volatile sig_atomic_t *n, int want) {
	for (int i = 0; i < 2000 && *n < want; i++) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	return *n;
}

int main(void) {
	main_thread = pthread_self();
	if (signal(SIGUSR1, on_usr1) == SIG_ERR) return 2;
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr2;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	if (sigaction(SIGUSR2, &sa, NULL) != 0) return 3;
	if (sigaction(SIGUSR2, NULL, &old) != 0) return 4;
	printf("sigaction reports the program's handler: %d\n", old.sa_sigaction == on_usr2 && (old.sa_flags & SA_SIGINFO));
	printf("signal reports the program's handler: %d\n", signal(SIGUSR1, on_usr1) == on_usr1);
	for (int i = 1; i <= 20; i++) {
		kill(getpid(), SIGUSR1);
		wait_for(&n1, i);
		union sigval v = {.sival_int = i};
		sigqueue(getpid(), SIGUSR2, v);
		wait_for(&n2, i);
	}
	printf("usr1 %d usr2 %d sum %d off-main %d\n", (int)n1, (int)n2, (int)sum2, (int)off_main);
	signal(SIGUSR1, SIG_DFL);
	return 0;
}
