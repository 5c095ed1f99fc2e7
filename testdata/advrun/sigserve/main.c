/* The signal patterns of session 30 (testdata/advrun/README): first the
 * server's (every signal blocked, one thread waiting), then the rest, in
 * one process. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
int sigwait_main(void);
int sigmix_main(void);
int susp_main(void);
int main(void) {
	int r = sigwait_main();
	fflush(stdout);
	/* unblock what the server part blocked, as a fresh program has it */
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_UNBLOCK, &all, NULL);
	r += susp_main();
	fflush(stdout);
	return r + sigmix_main();
}
