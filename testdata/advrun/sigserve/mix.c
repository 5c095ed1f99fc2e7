/* Signal patterns: SA_SIGINFO with sigqueue values, SA_RESETHAND,
 * SA_NODEFER (re-entered handler), pthread_kill to a named thread, raise
 * inside a handler, the program's own sigaltstack, SIGSEGV on a guard
 * page and SIGBUS past a file's end recovered by siglongjmp, and a
 * setitimer SIGALRM firing while many functions are first called. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t vals[8], nvals;
static void on_rt(int sig, siginfo_t *si, void *uc) {
	(void)sig; (void)uc;
	if (nvals < 8) vals[nvals++] = si->si_value.sival_int * (si->si_code == SI_QUEUE ? 1 : -1);
}

static volatile sig_atomic_t reset_count;
static void on_reset(int sig) { (void)sig; reset_count++; }

static volatile sig_atomic_t depth, maxdepth;
static void on_nodefer(int sig) {
	depth++;
	if (depth > maxdepth) maxdepth = depth;
	if (depth < 3) raise(sig); /* re-enters at once with SA_NODEFER */
	depth--;
}

static volatile sig_atomic_t inner_ran, outer_saw_inner;
static void on_inner(int sig) { (void)sig; inner_ran++; }
static void on_outer(int sig) {
	(void)sig;
	raise(SIGUSR2); /* different signal, not blocked: runs inside */
	outer_saw_inner = inner_ran;
}

static char *alt_lo, *alt_hi;
static volatile sig_atomic_t on_alt;
static void on_altsig(int sig) {
	(void)sig;
	char here;
	on_alt = (&here >= alt_lo && &here < alt_hi);
}

static sigjmp_buf jb;
static volatile void *fault_addr;
static void on_fault(int sig, siginfo_t *si, void *uc) {
	(void)uc;
	fault_addr = si->si_addr;
	siglongjmp(jb, sig);
}

static pthread_t named;
static volatile sig_atomic_t named_hits;
static volatile int named_tid_ok;
static void on_named(int sig) {
	(void)sig;
	named_hits++;
	named_tid_ok = pthread_equal(pthread_self(), named);
}
static volatile int named_stop, named_ready;
static void *named_thread(void *a) {
	(void)a;
	pthread_setname_np(pthread_self(), "worker-7");
	named_ready = 1;
	while (!named_stop) usleep(1000);
	return NULL;
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

#define F(n) __attribute__((noinline)) long f##n(long x) { for (int i = 0; i < 2000; i++) x = x * 31 + n + i; return x; }
F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11) F(12) F(13) F(14) F(15)
F(16) F(17) F(18) F(19) F(20) F(21) F(22) F(23) F(24) F(25) F(26) F(27) F(28) F(29) F(30) F(31)
static long (*fs[])(long) = {f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15,
	f16, f17, f18, f19, f20, f21, f22, f23, f24, f25, f26, f27, f28, f29, f30, f31};

int sigmix_main(void) {
	struct sigaction sa;
	/* 1. SA_SIGINFO and sigqueue values, to the process and by raise */
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_rt;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGRTMIN + 2, &sa, NULL);
	for (int i = 0; i < 3; i++) sigqueue(getpid(), SIGRTMIN + 2, (union sigval){.sival_int = 7 + i});
	raise(SIGRTMIN + 2);
	for (int i = 0; i < 200 && nvals < 4; i++) usleep(1000);
	printf("rt values:");
	for (int i = 0; i < nvals; i++) printf(" %d", (int)vals[i]);
	printf("\n");

	/* 2. SA_RESETHAND: the first runs the handler, then the default */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_reset;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGWINCH, &sa, NULL);
	raise(SIGWINCH);
	raise(SIGWINCH); /* default: ignored */
	struct sigaction now;
	sigaction(SIGWINCH, NULL, &now);
	printf("resethand: ran %d, now default %d\n", (int)reset_count, now.sa_handler == SIG_DFL);

	/* 3. SA_NODEFER */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_nodefer;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("nodefer: max depth %d\n", (int)maxdepth);

	/* 4. raise inside a handler */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_inner;
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = on_outer;
	sigaction(SIGHUP, &sa, NULL);
	kill(getpid(), SIGHUP);
	for (int i = 0; i < 200 && !outer_saw_inner; i++) usleep(1000);
	printf("raise in handler: inner %d seen by outer %d\n", (int)inner_ran, (int)outer_saw_inner);

	/* 5. the program's own sigaltstack */
	size_t altsz = 256 * 1024;
	alt_lo = malloc(altsz);
	alt_hi = alt_lo + altsz;
	stack_t ss = {.ss_sp = alt_lo, .ss_size = altsz, .ss_flags = 0};
	stack_t oldss;
	sigaltstack(&ss, &oldss);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_altsig;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGPWR, &sa, NULL);
	raise(SIGPWR);
	printf("own sigaltstack: handler on it %d\n", (int)on_alt);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);

	/* 6. SIGSEGV on a guard page, SIGBUS past a file's end: siglongjmp */
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(m + pg, pg, PROT_NONE);
	for (int round = 0; round < 3; round++) {
		int s = sigsetjmp(jb, 1);
		if (s == 0) {
			m[pg - 1] = 1;
			((volatile char *)m)[pg + round] = 2;
			printf("no fault?\n");
		} else {
			printf("recovered %s at page+%ld\n", s == SIGSEGV ? "SIGSEGV" : "?", (long)((char *)fault_addr - (m + pg)));
		}
	}
	char path[] = "/tmp/advrun3-busXXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	ftruncate(fd, 1);
	char *fm = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, 0);
	{
		int s = sigsetjmp(jb, 1);
		if (s == 0) {
			volatile char c = fm[pg + 5];
			(void)c;
			printf("no bus?\n");
		} else {
			printf("recovered %s at +%ld\n", s == SIGBUS ? "SIGBUS" : "?", (long)((char *)fault_addr - fm));
		}
	}
	close(fd);

	/* 7. pthread_kill to a named thread */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_named;
	sigaction(SIGTTIN, &sa, NULL);
	pthread_create(&named, NULL, named_thread, NULL);
	while (!named_ready) usleep(1000);
	char nm[32] = "";
	pthread_getname_np(named, nm, sizeof nm);
	pthread_kill(named, SIGTTIN);
	for (int i = 0; i < 500 && !named_hits; i++) usleep(1000);
	named_stop = 1;
	pthread_join(named, NULL);
	printf("pthread_kill to %s: hits %d on it %d\n", nm, (int)named_hits, named_tid_ok);

	/* 8. setitimer SIGALRM every 1 ms while 32 functions are first called */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 1000}, {0, 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
	long acc = 0;
	for (int r = 0; r < 40; r++)
		for (int i = 0; i < 32; i++) acc += fs[i](r);
	while (alarms < 5) usleep(1000);
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
	printf("itimer: acc %ld, alarms >= 5: %d\n", acc, alarms >= 5);
	return 0;
}
