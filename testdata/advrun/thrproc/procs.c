/* Processes: posix_spawn, vfork+exec, fork after threads (the child
 * calls functions and makes a thread), system(), popen both ways, and a
 * child reading the stdin the parent forwards to it. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static volatile int stop;
static void *busy(void *a) { (void)a; while (!stop) usleep(500); return NULL; }
static void *child_thread(void *a) { return (void *)((long)a * 2); }
__attribute__((noinline)) static int after_fork(int x) { return x * 7 + 1; }

static int status_of(pid_t p) {
	int st;
	if (waitpid(p, &st, 0) != p) return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int procs_main(void) {
	pthread_t th[4];
	for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, busy, NULL);
	fflush(stdout);

	pid_t p;
	char *sargv[] = {"/bin/sh", "-c", "echo spawned $0; exit 3", "sp", NULL};
	int e = posix_spawn(&p, "/bin/sh", NULL, NULL, sargv, environ);
	printf("posix_spawn: %d status %d\n", e, e ? -1 : status_of(p));
	fflush(stdout);

	p = vfork();
	if (p == 0) {
		execl("/bin/sh", "sh", "-c", "echo vforked; exit 4", (char *)NULL);
		_exit(127);
	}
	printf("vfork: status %d\n", status_of(p));
	fflush(stdout);

	/* with -lazy a function's first call must come before fork() (a
	 * forked child refuses it: docs/EXECUTOR.md) */
	{
		pthread_t t;
		void *r;
		pthread_create(&t, NULL, child_thread, (void *)1L);
		pthread_join(t, &r);
		printf("before fork: %d %ld\n", after_fork(1), (long)r);
		fflush(stdout);
	}
	p = fork();
	if (p == 0) {
		pthread_t t;
		void *r;
		pthread_create(&t, NULL, child_thread, (void *)21L);
		pthread_join(t, &r);
		printf("forked child: %d %ld\n", after_fork(5), (long)r);
		exit(5);
	}
	printf("fork after threads: status %d\n", status_of(p));
	fflush(stdout);

	int s = system("echo from system; exit 6");
	printf("system: %d\n", WEXITSTATUS(s));
	fflush(stdout);

	FILE *f = popen("tr a-z A-Z", "w");
	fputs("popen write\n", f);
	printf("pclose w: %d\n", WEXITSTATUS(pclose(f)));
	fflush(stdout);
	f = popen("printf 'line1\\nline2\\n'; exit 2", "r");
	char buf[64];
	while (fgets(buf, sizeof buf, f)) printf("popen read: %s", buf);
	printf("pclose r: %d\n", WEXITSTATUS(pclose(f)));
	fflush(stdout);

	/* a child ending during the parent's sleep: SIGCHLD at SIG_DFL is
	 * discarded, the sleep is not cut short (EINTR), also after the
	 * program blocked every signal for a while */
	{
		sigset_t all, old;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, &old);
		sigprocmask(SIG_SETMASK, &old, NULL);
		p = fork();
		if (p == 0) {
			usleep(20000);
			_exit(3);
		}
		struct timespec ts = {0, 300 * 1000 * 1000};
		int r = nanosleep(&ts, &ts);
		printf("nanosleep across a child's end: %s, child %d\n", r == 0 ? "slept" : errno == EINTR ? "EINTR" : "error", status_of(p));
		fflush(stdout);
	}

	/* the child reads the first line of stdin; the parent the rest */
	p = fork();
	if (p == 0) {
		execl("/bin/sh", "sh", "-c", "read l; echo child got: $l", (char *)NULL);
		_exit(127);
	}
	printf("stdin child: status %d\n", status_of(p));
	size_t n = 0;
	while (fgets(buf, sizeof buf, stdin)) n += strlen(buf);
	printf("parent read %zu more bytes\n", n);
	stop = 1;
	for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
	fprintf(stderr, "procs done\n");
	return 9;
}
