/* Server signal pattern: every signal blocked in every thread (main blocks
 * before creating threads); one thread takes them with sigwait,
 * sigtimedwait (for siginfo values) and a signalfd. SIGUSR2 has a handler
 * installed but stays blocked: it must be taken by sigwait, never run. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <errno.h>

static volatile int handler_ran;
static void usr2_handler(int s) { (void)s; handler_ran++; }

static int got[64];
static int phase_done;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void note(int sig) {
	pthread_mutex_lock(&mu);
	got[sig]++;
	phase_done++;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

static void wait_phase(int n) {
	pthread_mutex_lock(&mu);
	while (phase_done < n) pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

static void *waiter(void *arg) {
	(void)arg;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGUSR2);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	/* phase 1: sigwait x3 */
	for (int i = 0; i < 3; i++) {
		int sig;
		if (sigwait(&s, &sig) != 0) { perror("sigwait"); exit(3); }
		printf("sigwait: %s\n", strsignal(sig));
		fflush(stdout);
		note(sig);
	}
	/* phase 2: sigtimedwait with values */
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN + 1);
	for (int i = 0; i < 3; i++) {
		siginfo_t si;
		struct timespec ts = {10, 0};
		int sig = sigtimedwait(&rt, &si, &ts);
		if (sig < 0) { perror("sigtimedwait"); exit(4); }
		printf("sigtimedwait: RTMIN+%d value %d code %s pid-ok %d\n", sig - SIGRTMIN, si.si_value.sival_int,
		       si.si_code == SI_QUEUE ? "SI_QUEUE" : "other", si.si_pid == getpid());
		fflush(stdout);
		note(sig);
	}
	/* phase 3: a timeout with nothing pending */
	{
		struct timespec ts = {0, 20 * 1000 * 1000};
		int r = sigtimedwait(&rt, NULL, &ts);
		printf("sigtimedwait timeout: %d %s\n", r, r < 0 && errno == EAGAIN ? "EAGAIN" : "?");
		fflush(stdout);
	}
	/* phase 4: signalfd */
	sigset_t f;
	sigemptyset(&f);
	sigaddset(&f, SIGHUP);
	sigaddset(&f, SIGTERM);
	int fd = signalfd(-1, &f, SFD_CLOEXEC);
	if (fd < 0) { perror("signalfd"); exit(5); }
	note(0);
	for (int i = 0; i < 2; i++) {
		struct signalfd_siginfo ssi;
		if (read(fd, &ssi, sizeof ssi) != sizeof ssi) { perror("read signalfd"); exit(6); }
		printf("signalfd: %s from-self %d\n", strsignal(ssi.ssi_signo), ssi.ssi_pid == (unsigned)getpid());
		fflush(stdout);
		note(ssi.ssi_signo);
	}
	close(fd);
	return NULL;
}

int sigwait_main(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = usr2_handler;
	sigaction(SIGUSR2, &sa, NULL);
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_t t;
	pthread_create(&t, NULL, waiter, NULL);
	kill(getpid(), SIGUSR1);
	wait_phase(1);
	kill(getpid(), SIGUSR2);
	wait_phase(2);
	kill(getpid(), SIGTERM);
	wait_phase(3);
	for (int i = 0; i < 3; i++) {
		union sigval v = {.sival_int = 100 + i};
		sigqueue(getpid(), SIGRTMIN + 1, v);
		wait_phase(4 + i);
	}
	wait_phase(7); /* signalfd ready */
	kill(getpid(), SIGHUP);
	wait_phase(8);
	kill(getpid(), SIGTERM);
	pthread_join(t, NULL);
	printf("handler ran %d times; got USR1 %d USR2 %d TERM %d HUP %d\n", handler_ran, got[SIGUSR1], got[SIGUSR2], got[SIGTERM], got[SIGHUP]);
	return 0;
}
