// gorc executor: the JIT'd program's asynchronous signal handlers.
//
// A native program's process-directed signal (kill, sigqueue, a timer,
// SIGCHLD, SIGIO...) is delivered to one of the program's threads. In
// the executor's process most threads are the Go runtime's, and the
// kernel prefers the thread-group leader — a Go thread: the program's
// handler ran there, on a Go stack, and with -lazy its first call
// re-entered Go from a Go thread in a signal handler, which crashed the
// process (runtime.cgocallback; session 29, a sigqueue to the process).
//
// So sigaction and signal are interposed for JIT'd code: a handler the
// program installs for an asynchronous signal is reached through
// prog_dispatch, which runs it on a thread that runs JIT'd code (marked by
// thread_prepare, gorc_executor.c) and otherwise relays the signal, with
// its siginfo, to the program's main thread (rt_tgsigqueueinfo, or
// tgkill with the siginfo kept aside when the kernel refuses it). A
// thread-directed signal (raise, pthread_kill: SI_TKILL) runs where it
// was sent. When the relay cannot be made (no program thread, it has
// ended, a forked child) the handler runs where the signal landed, as
// before. Synchronous signals (faults) and SA_RESETHAND handlers are
// installed as given.

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gorc_executor.h"

__thread int gorc_thr_program; /* set by thread_prepare */
volatile int gorc_program_tid; /* the program's main thread, or 0 */

struct prog_handler {
	void *fn;  /* the program's handler; NULL: not through prog_dispatch */
	int flags; /* its sa_flags */
	sigset_t mask;
};
static struct prog_handler prog_handlers[NSIG];

static int relayed(int sig) {
	switch (sig) {
	case SIGSEGV:
	case SIGBUS:
	case SIGFPE:
	case SIGILL:
	case SIGTRAP:
	case SIGSYS:
	case SIGABRT: /* abort() raises it on the calling thread */
	case SIGURG:  /* the Go runtime's preemption signal */
	case SIGKILL:
	case SIGSTOP:
		return 0;
	}
	return sig > 0 && sig < NSIG;
}

/* A relayed signal whose siginfo the kernel would not let us send again
 * (si_code >= 0: kill's SI_USER, the kernel's own codes such as SIGCHLD's
 * CLD_EXITED: rt_tgsigqueueinfo refuses them for another thread) goes by
 * tgkill, its siginfo kept here for the handler on the other side. */
static siginfo_t relay_info[NSIG];
static volatile int relay_pending[NSIG];

static void prog_dispatch(int sig, siginfo_t *si, void *uc) {
	int saved = errno;
	int tid = gorc_program_tid;
	pid_t pid = getpid();
	if (!gorc_thr_program && tid > 0 && si && si->si_code != SI_TKILL) {
		int sent;
		if (si->si_code < 0) {
			sent = syscall(SYS_rt_tgsigqueueinfo, pid, tid, sig, si) == 0;
		} else {
			relay_info[sig] = *si;
			__atomic_store_n(&relay_pending[sig], 1, __ATOMIC_RELEASE);
			sent = syscall(SYS_tgkill, pid, tid, sig) == 0;
			if (!sent) __atomic_store_n(&relay_pending[sig], 0, __ATOMIC_RELEASE);
		}
		if (sent) {
			errno = saved;
			return;
		}
	}
	siginfo_t kept;
	if (si && si->si_code == SI_TKILL && si->si_pid == pid && __atomic_exchange_n(&relay_pending[sig], 0, __ATOMIC_ACQ_REL)) {
		kept = relay_info[sig];
		si = &kept;
	}
	errno = saved;
	struct prog_handler h = prog_handlers[sig];
	if (!h.fn) return;
	if (h.flags & SA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))h.fn)(sig, si, uc);
	else
		((void (*)(int))h.fn)(sig);
}

int gorc_sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
	if (!relayed(sig)) return sigaction(sig, act, old);
	struct prog_handler prev = prog_handlers[sig];
	struct sigaction cur;
	int r;
	void *fn = act ? ((act->sa_flags & SA_SIGINFO) ? (void *)act->sa_sigaction : (void *)act->sa_handler) : NULL;
	if (act && fn != (void *)SIG_DFL && fn != (void *)SIG_IGN && !(act->sa_flags & SA_RESETHAND)) {
		struct sigaction a = *act;
		prog_handlers[sig] = (struct prog_handler){fn, act->sa_flags, act->sa_mask};
		/* SA_ONSTACK: the signal may land on one of the Go runtime's
		 * threads, whose stack is then a goroutine's few KB in the Go
		 * heap; the dispatcher must run on the thread's signal stack
		 * (Go's gsignal stack, or thread_prepare's on a program thread),
		 * as Go requires of every non-Go handler. Without it a relay on
		 * a Go thread overflowed a goroutine stack into the heap: 3 of
		 * 80 -lazy runs of testdata/advrun/sigproc in a child executor
		 * crashed in runtime.cgocallbackg. */
		a.sa_flags |= SA_SIGINFO | SA_ONSTACK;
		a.sa_sigaction = prog_dispatch;
		r = sigaction(sig, &a, &cur);
		if (r != 0) prog_handlers[sig] = prev;
	} else {
		r = sigaction(sig, act, &cur);
		if (r == 0 && act) prog_handlers[sig].fn = NULL;
	}
	if (r == 0 && old) {
		*old = cur;
		if (cur.sa_sigaction == prog_dispatch && prev.fn) {
			/* Report the program's own handler, not the dispatcher. */
			old->sa_flags = prev.flags;
			old->sa_mask = prev.mask;
			if (prev.flags & SA_SIGINFO)
				old->sa_sigaction = (void (*)(int, siginfo_t *, void *))prev.fn;
			else
				old->sa_handler = (void (*)(int))prev.fn;
		}
	}
	return r;
}

/* signal() as glibc's (BSD semantics: SA_RESTART, the signal blocked in
 * its handler), through gorc_sigaction. */
void (*gorc_signal(int sig, void (*h)(int)))(int) {
	struct sigaction a, old;
	memset(&a, 0, sizeof a);
	a.sa_handler = h;
	sigemptyset(&a.sa_mask);
	if (sig > 0 && sig < NSIG) sigaddset(&a.sa_mask, sig);
	a.sa_flags = SA_RESTART;
	if (gorc_sigaction(sig, &a, &old) != 0) return SIG_ERR;
	return (old.sa_flags & SA_SIGINFO) ? (sighandler_t)(void *)old.sa_sigaction : old.sa_handler;
}

/* Around a lazy first call's trip into Go (gorc_reentry_resolve): the
 * asynchronous signals are blocked on the calling thread, so that a
 * handler — whose own first call would enter Go again on the same thread,
 * which the Go runtime cannot take ("exitsyscall: syscall frame is no
 * longer valid") — runs only once the thread is back in JIT'd code; a
 * signal sent meanwhile waits (pending) or goes to another thread, which
 * relays it here. */
static sigset_t relayed_set; /* every relayed signal (relayed_set_init) */
static pthread_once_t relayed_once = PTHREAD_ONCE_INIT;

static void relayed_set_init(void) {
	sigemptyset(&relayed_set);
	for (int sig = 1; sig < NSIG; sig++)
		if (relayed(sig)) sigaddset(&relayed_set, sig);
}

void gorc_progsig_block(sigset_t *old) {
	/* The set is made once: built at each first call, its 60-odd
	 * sigaddset calls were 1.3 k instructions of every re-entry. */
	pthread_once(&relayed_once, relayed_set_init);
	pthread_sigmask(SIG_BLOCK, &relayed_set, old);
}
