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
// its siginfo, to the program thread the kernel would have picked (one
// waiting for it, else one not blocking it, the main thread first; or
// kept pending while all block it: see "the program's threads" below;
// rt_tgsigqueueinfo, or tgkill with the siginfo kept aside when the
// kernel refuses it). A
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
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>
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
/* ---------- the program's threads, their masks and waits ----------
 *
 * Natively a process-directed signal goes to a thread that does not
 * block it, or, when every thread blocks it, stays pending for the
 * process until a thread takes it with sigwait, sigwaitinfo,
 * sigtimedwait or a signalfd, or unblocks it — the way servers take
 * their signals (every signal blocked in every thread, one thread
 * waiting). In the executor's process the Go runtime's threads never
 * block them, so the kernel gives them to a Go thread: the dispatcher
 * below then picks the program thread the kernel would have picked, from
 * this table of the program's threads (registered by thread_prepare), the
 * masks JIT'd code set (pthread_sigmask and sigprocmask are interposed)
 * and the sets they wait for (sigwait, sigwaitinfo, sigtimedwait,
 * signalfd are interposed); and when every program thread blocks the
 * signal it is kept here, pending, for the first that waits for it or
 * unblocks it. Before session 30 a relayed signal went to the program's
 * main thread, blocked there, where another thread's sigwait never saw
 * it (the program hung), and a signal without a handler (SIGTERM,
 * SIGUSR1 left at SIG_DFL for sigwait) met Go's handler, which dropped
 * or died of it. */
#define PT_MAX 1024
struct prog_thread {
	int tid;           /* 0: free slot */
	uint64_t blocked;  /* bit sig-1: blocked on it */
	uint64_t waiting;  /* in sigwait & co. for these */
	uint64_t signalfd; /* signalfd made on it for these */
};
static struct prog_thread prog_threads[PT_MAX];
static int pt_pid; /* the process the table describes; a forked child does not use it */
static __thread int pt_slot = -1;
static pthread_key_t pt_key;
static pthread_once_t pt_once = PTHREAD_ONCE_INIT;

static uint64_t sigbits(const sigset_t *s) {
	uint64_t b = 0;
	for (int sig = 1; sig <= 64 && sig < NSIG; sig++)
		if (sigismember(s, sig)) b |= 1ull << (sig - 1);
	return b;
}

static uint64_t cur_blocked(void) {
	sigset_t cur;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	return sigbits(&cur);
}

static void pt_release(void *p) {
	int i = (int)(intptr_t)p - 1;
	if (i < 0 || i >= PT_MAX) return;
	__atomic_store_n(&prog_threads[i].waiting, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&prog_threads[i].signalfd, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&prog_threads[i].tid, 0, __ATOMIC_SEQ_CST);
	pt_slot = -1;
}

static void pt_key_init(void) { pthread_key_create(&pt_key, pt_release); }

/* A thread that runs JIT'd code enters the table (thread_prepare); it
 * leaves it when it ends (the key's destructor). */
void gorc_progsig_thread(void) {
	int pid = getpid();
	if (__atomic_load_n(&pt_pid, __ATOMIC_ACQUIRE) != pid) {
		if (pt_pid != 0) return; /* a forked child: the table is its parent's */
		__atomic_store_n(&pt_pid, pid, __ATOMIC_RELEASE);
	}
	if (pt_slot >= 0) return;
	pthread_once(&pt_once, pt_key_init);
	int tid = (int)syscall(SYS_gettid);
	for (int i = 0; i < PT_MAX; i++) {
		int zero = 0;
		if (__atomic_load_n(&prog_threads[i].tid, __ATOMIC_RELAXED) != 0) continue;
		__atomic_store_n(&prog_threads[i].blocked, cur_blocked(), __ATOMIC_SEQ_CST);
		__atomic_store_n(&prog_threads[i].waiting, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&prog_threads[i].signalfd, 0, __ATOMIC_SEQ_CST);
		if (!__atomic_compare_exchange_n(&prog_threads[i].tid, &zero, tid, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) continue;
		pt_slot = i;
		pthread_setspecific(pt_key, (void *)(intptr_t)(i + 1));
		return;
	}
}

static int pt_valid(void) { return pt_pid != 0 && pt_pid == getpid(); }

/* Signals kept for the program while every program thread blocks them:
 * one of each standard signal (the kernel merges them too), up to
 * PEND_RT of each real-time one. The lock is taken with every signal
 * blocked on the thread, so a handler cannot meet it held. */
#define PEND_RT 32
static struct {
	int n;
	siginfo_t info[PEND_RT];
} pend[NSIG];
static volatile uint64_t pend_bits;
static volatile int pend_lock;

static void pend_acquire(sigset_t *old) {
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, old);
	while (__atomic_exchange_n(&pend_lock, 1, __ATOMIC_ACQUIRE)) sched_yield();
}

static void pend_release(const sigset_t *old) {
	__atomic_store_n(&pend_lock, 0, __ATOMIC_RELEASE);
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

static void pend_put(int sig, const siginfo_t *si) {
	sigset_t old;
	pend_acquire(&old);
	int cap = sig >= SIGRTMIN ? PEND_RT : 1;
	if (pend[sig].n < cap) {
		if (si) pend[sig].info[pend[sig].n] = *si;
		else {
			memset(&pend[sig].info[pend[sig].n], 0, sizeof(siginfo_t));
			pend[sig].info[pend[sig].n].si_signo = sig;
		}
		pend[sig].n++;
	}
	__atomic_or_fetch(&pend_bits, 1ull << (sig - 1), __ATOMIC_SEQ_CST);
	pend_release(&old);
}

/* Takes the lowest pending signal of want (as the kernel does), or 0. */
static int pend_take(uint64_t want, siginfo_t *si) {
	if (!(__atomic_load_n(&pend_bits, __ATOMIC_SEQ_CST) & want)) return 0;
	sigset_t old;
	int got = 0;
	pend_acquire(&old);
	for (int sig = 1; sig <= 64 && sig < NSIG; sig++) {
		if (!(want & (1ull << (sig - 1))) || pend[sig].n == 0) continue;
		*si = pend[sig].info[0];
		pend[sig].n--;
		memmove(&pend[sig].info[0], &pend[sig].info[1], pend[sig].n * sizeof(siginfo_t));
		if (pend[sig].n == 0) __atomic_and_fetch(&pend_bits, ~(1ull << (sig - 1)), __ATOMIC_SEQ_CST);
		got = sig;
		break;
	}
	pend_release(&old);
	return got;
}

/* The program thread the kernel would give sig to: one waiting for it,
 * else one not blocking it (the main program thread first); 0 when every
 * program thread blocks it; -1 when there is none. */
static int pt_target_w(int sig, int *waiter) {
	uint64_t bit = 1ull << (sig - 1);
	int any = 0, free_tid = 0;
	int main_tid = gorc_program_tid;
	*waiter = 0;
	for (int i = 0; i < PT_MAX; i++) {
		int tid = __atomic_load_n(&prog_threads[i].tid, __ATOMIC_SEQ_CST);
		if (!tid) continue;
		any = 1;
		if ((__atomic_load_n(&prog_threads[i].waiting, __ATOMIC_SEQ_CST) | __atomic_load_n(&prog_threads[i].signalfd, __ATOMIC_SEQ_CST)) & bit) {
			*waiter = 1;
			return tid;
		}
		if (!(__atomic_load_n(&prog_threads[i].blocked, __ATOMIC_SEQ_CST) & bit) && (!free_tid || tid == main_tid)) free_tid = tid;
	}
	if (free_tid) return free_tid;
	return any ? 0 : -1;
}

static int pt_target(int sig) {
	int w;
	return pt_target_w(sig, &w);
}

static siginfo_t relay_info[NSIG];
static volatile int relay_pending[NSIG];

/* Sends sig with its siginfo to thread tid of this process. */
static int send_to(int tid, int sig, const siginfo_t *si) {
	pid_t pid = getpid();
	if (si && si->si_code < 0 && si->si_code != SI_TKILL) return syscall(SYS_rt_tgsigqueueinfo, pid, tid, sig, si) == 0;
	if (si) relay_info[sig] = *si;
	__atomic_store_n(&relay_pending[sig], si != NULL, __ATOMIC_RELEASE);
	int sent = syscall(SYS_tgkill, pid, tid, sig) == 0;
	if (!sent) __atomic_store_n(&relay_pending[sig], 0, __ATOMIC_RELEASE);
	return sent;
}

/* Keeps sig pending for the program, then looks again for a thread that
 * began to wait for it or unblocked it meanwhile (it looked at the
 * pending set after making itself known: one of the two sees the other). */
static void pend_keep(int sig, const siginfo_t *si) {
	pend_put(sig, si);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	int tid = pt_target(sig);
	siginfo_t got;
	if (tid > 0 && pend_take(1ull << (sig - 1), &got)) send_to(tid, sig, &got);
}

/* After the calling thread waits for or unblocks want: the signals kept
 * for it are sent to it. */
static void pend_flush_self(uint64_t want) {
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	siginfo_t si;
	int sig, tid = (int)syscall(SYS_gettid);
	while (want && (sig = pend_take(want, &si)) != 0) {
		send_to(tid, sig, &si);
		if (sig < SIGRTMIN) want &= ~(1ull << (sig - 1));
	}
}

static struct sigaction waited_prev[NSIG]; /* the action before a wait made it prog_dispatch's */
static volatile int waited[NSIG];

/* sig has no handler of the program's (prog_dispatch is there for a
 * wait): what was there before — Go's handler, which ends the process
 * for SIGTERM & co. and drops the rest — or the default action. */
static void waited_default(int sig, siginfo_t *si, void *uc) {
	struct sigaction p = waited_prev[sig];
	if ((p.sa_flags & SA_SIGINFO) && p.sa_sigaction) {
		p.sa_sigaction(sig, si, uc);
		return;
	}
	if (p.sa_handler == SIG_IGN) return;
	if (p.sa_handler != SIG_DFL) {
		p.sa_handler(sig);
		return;
	}
	switch (sig) {
	case SIGCHLD:
	case SIGWINCH:
	case SIGCONT:
		return;
	}
	struct sigaction d;
	memset(&d, 0, sizeof d);
	d.sa_handler = SIG_DFL;
	sigaction(sig, &d, NULL);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	syscall(SYS_tgkill, getpid(), (int)syscall(SYS_gettid), sig);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
}

static void prog_dispatch(int sig, siginfo_t *si, void *uc) {
	int saved = errno;
	int tid = gorc_program_tid;
	pid_t pid = getpid();
	if (!gorc_thr_program && si && si->si_code != SI_TKILL && pt_valid()) {
		/* A process-directed signal on a thread that is not the
		 * program's: to the thread the kernel would have chosen, or kept
		 * pending while every program thread blocks it. */
		int waiter;
		int t = pt_target_w(sig, &waiter);
		if (t > 0 && !waiter && !prog_handlers[sig].fn && waited[sig]) {
			/* No handler, a program thread takes it: natively its
			 * default action — here, as before, Go's handler (or the
			 * default): not sent on, where it would interrupt the
			 * thread's sleep or poll with EINTR (an ignored SIGCHLD
			 * does not). */
			errno = saved;
			waited_default(sig, si, uc);
			errno = saved;
			return;
		}
		if (t > 0 && send_to(t, sig, si)) {
			errno = saved;
			return;
		}
		if (t == 0) {
			pend_keep(sig, si);
			errno = saved;
			return;
		}
	}
	if (!gorc_thr_program && tid > 0 && si && si->si_code != SI_TKILL) {
		if (send_to(tid, sig, si)) {
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
	if (!h.fn) {
		if (waited[sig]) waited_default(sig, si, uc);
		errno = saved;
		return;
	}
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
		if (r == 0 && act) {
			prog_handlers[sig].fn = NULL;
			waited[sig] = 0;
		}
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
		} else if (cur.sa_sigaction == prog_dispatch) {
			/* There for a wait only: the program's own is the default. */
			memset(old, 0, sizeof *old);
			old->sa_handler = SIG_DFL;
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

/* ---------- JIT'd code's masks and waits ---------- */

/* A wait for (or a signalfd of) a signal the program has no handler for
 * puts prog_dispatch there, so that the signal, given to a Go thread,
 * reaches the waiting thread instead of Go's handler. */
static void wait_install(uint64_t want) {
	for (int sig = 1; sig <= 64 && sig < NSIG; sig++) {
		if (!(want & (1ull << (sig - 1))) || !relayed(sig) || prog_handlers[sig].fn || waited[sig]) continue;
		struct sigaction cur;
		if (sigaction(sig, NULL, &cur) != 0 || cur.sa_sigaction == prog_dispatch) continue;
		if (!(cur.sa_flags & SA_SIGINFO) && cur.sa_handler == SIG_IGN) continue;
		waited_prev[sig] = cur;
		waited[sig] = 1;
		struct sigaction a;
		memset(&a, 0, sizeof a);
		a.sa_sigaction = prog_dispatch;
		a.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
		sigemptyset(&a.sa_mask);
		if (sigaction(sig, &a, NULL) != 0) waited[sig] = 0;
	}
}

/* A signal the dispatcher holds only for blocks and waits goes back to
 * what was there once no program thread blocks it or waits for it: the
 * dispatcher would otherwise run for a signal natively ignored (SIGCHLD
 * at SIG_DFL is discarded when sent) and interrupt a sleep with EINTR. */
static void wait_uninstall(uint64_t cand) {
	uint64_t held = 0;
	for (int i = 0; i < PT_MAX; i++) {
		if (!__atomic_load_n(&prog_threads[i].tid, __ATOMIC_SEQ_CST)) continue;
		held |= __atomic_load_n(&prog_threads[i].blocked, __ATOMIC_SEQ_CST) | __atomic_load_n(&prog_threads[i].waiting, __ATOMIC_SEQ_CST) |
			__atomic_load_n(&prog_threads[i].signalfd, __ATOMIC_SEQ_CST);
	}
	for (int sig = 1; sig <= 64 && sig < NSIG; sig++) {
		uint64_t bit = 1ull << (sig - 1);
		if (!(cand & bit) || (held & bit) || !waited[sig] || prog_handlers[sig].fn || (__atomic_load_n(&pend_bits, __ATOMIC_SEQ_CST) & bit)) continue;
		struct sigaction cur;
		if (sigaction(sig, NULL, &cur) != 0 || cur.sa_sigaction != prog_dispatch) continue;
		waited[sig] = 0;
		sigaction(sig, &waited_prev[sig], NULL);
	}
}

static uint64_t relayed_bits(const sigset_t *set) {
	uint64_t b = sigbits(set);
	for (int sig = 1; sig <= 64 && sig < NSIG; sig++)
		if (!relayed(sig)) b &= ~(1ull << (sig - 1));
	return b;
}

static void mask_changed(void) {
	if (pt_slot < 0 || !pt_valid()) return;
	uint64_t b = cur_blocked();
	__atomic_store_n(&prog_threads[pt_slot].blocked, b, __ATOMIC_SEQ_CST);
	/* A signal the program blocks must wait for it even when it has no
	 * handler (natively pending until taken or unblocked; Go's handler
	 * would drop it or end the process). SIGPIPE is left to Go's
	 * handler: the kernel sends it to the thread that wrote, and a Go
	 * thread's own must stay Go's. */
	wait_install(b & ~(1ull << (SIGPIPE - 1)));
	wait_uninstall(~b);
	pend_flush_self(~b);
}

int gorc_pthread_sigmask(int how, const sigset_t *set, sigset_t *old) {
	int r = pthread_sigmask(how, set, old);
	if (r == 0 && set) mask_changed();
	return r;
}

int gorc_sigprocmask(int how, const sigset_t *set, sigset_t *old) {
	int r = sigprocmask(how, set, old);
	if (r == 0 && set) mask_changed();
	return r;
}

int gorc_sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *ts) {
	if (pt_slot < 0 || !pt_valid() || !set) return sigtimedwait(set, info, ts);
	uint64_t want = relayed_bits(set);
	wait_install(want);
	__atomic_store_n(&prog_threads[pt_slot].waiting, want, __ATOMIC_SEQ_CST);
	siginfo_t si;
	int sig = pend_take(want, &si);
	if (sig) {
		__atomic_store_n(&prog_threads[pt_slot].waiting, 0, __ATOMIC_SEQ_CST);
		if (info) *info = si;
		return sig;
	}
	if (!info) info = &si;
	int r = sigtimedwait(set, info, ts);
	int e = errno;
	__atomic_store_n(&prog_threads[pt_slot].waiting, 0, __ATOMIC_SEQ_CST);
	if (r > 0 && r < NSIG && info->si_code == SI_TKILL && info->si_pid == getpid() && __atomic_exchange_n(&relay_pending[r], 0, __ATOMIC_ACQ_REL))
		*info = relay_info[r]; /* relayed by tgkill: its own siginfo */
	errno = e;
	return r;
}

int gorc_sigwaitinfo(const sigset_t *set, siginfo_t *info) { return gorc_sigtimedwait(set, info, NULL); }

int gorc_sigwait(const sigset_t *set, int *sig) {
	int r;
	do r = gorc_sigtimedwait(set, NULL, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0) return errno;
	*sig = r;
	return 0;
}

int gorc_signalfd(int fd, const sigset_t *mask, int flags) {
	int r = signalfd(fd, mask, flags);
	if (r < 0 || !mask || pt_slot < 0 || !pt_valid()) return r;
	uint64_t want = relayed_bits(mask);
	wait_install(want);
	__atomic_or_fetch(&prog_threads[pt_slot].signalfd, want, __ATOMIC_SEQ_CST);
	pend_flush_self(want);
	return r;
}

/* kill and sigqueue of JIT'd code to its own process, for a signal
 * prog_dispatch takes: natively the kernel gives a process-directed
 * signal to the thread-group leader first — the program's main thread,
 * which, when it sent the signal and does not block it, runs the handler
 * before kill returns. Here the leader is a Go thread: the signal was
 * relayed and ran later (sigqueue ×3 then raise ran the raise's first;
 * session 30). So it goes straight to the thread the kernel would pick
 * (pt_target), with the siginfo kill or sigqueue gives. */
static int self_target(int pid, int sig) {
	if (pid != getpid() || sig <= 0 || sig >= NSIG || !relayed(sig) || !pt_valid() || !gorc_thr_program) return 0;
	int waiter;
	int t = pt_target_w(sig, &waiter);
	if (!prog_handlers[sig].fn && !(waited[sig] && waiter)) return 0;
	return t;
}

int gorc_kill(int pid, int sig) {
	int t = self_target(pid, sig);
	if (t > 0) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		si.si_signo = sig;
		si.si_code = SI_USER;
		si.si_pid = getpid();
		si.si_uid = getuid();
		if (send_to(t, sig, &si)) return 0;
	}
	return kill(pid, sig);
}

int gorc_sigqueue(int pid, int sig, const union sigval value) {
	int t = self_target(pid, sig);
	if (t > 0) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		si.si_signo = sig;
		si.si_code = SI_QUEUE;
		si.si_pid = getpid();
		si.si_uid = getuid();
		si.si_value = value;
		if (syscall(SYS_rt_tgsigqueueinfo, getpid(), t, sig, &si) == 0) return 0;
	}
	return sigqueue(pid, sig, value);
}

/* At the program's start: SIGCHLD and SIGWINCH, whose default action is
 * to ignore them, are given back their default if the Go runtime's
 * handler holds them. Natively an ignored signal is discarded when sent;
 * with Go's handler there it was delivered — SIGCHLD to the thread that
 * forked — and, a handler having run, the program's nanosleep, poll or
 * select returned EINTR when a child ended (session 30; gorc does not
 * use either signal). */
void gorc_progsig_program_start(void) {
	static const int ign[] = {SIGCHLD, SIGWINCH};
	for (size_t i = 0; i < sizeof ign / sizeof ign[0]; i++) {
		struct sigaction cur;
		if (sigaction(ign[i], NULL, &cur) != 0) continue;
		if (cur.sa_sigaction == prog_dispatch || prog_handlers[ign[i]].fn) continue;
		if (!(cur.sa_flags & SA_SIGINFO) && (cur.sa_handler == SIG_DFL || cur.sa_handler == SIG_IGN)) continue;
		struct sigaction d;
		memset(&d, 0, sizeof d);
		d.sa_handler = SIG_DFL;
		sigaction(ign[i], &d, NULL);
	}
}

/* The waits that swap the thread's mask for their duration (sigsuspend,
 * ppoll, pselect, epoll_pwait): natively a signal pending for the process
 * and unblocked by the temporary mask is taken at once. The table shows
 * the temporary mask meanwhile, and what is kept pending for the program
 * that it unblocks is sent to the thread first (pending there, it is
 * delivered as the call swaps the mask). Without this, a program blocking
 * SIGUSR1 and waiting in sigsuspend hung once the signal was kept here. */
static int swap_begin(const sigset_t *mask) {
	if (!mask || pt_slot < 0 || !pt_valid()) return 0;
	uint64_t b = sigbits(mask);
	wait_install(cur_blocked() & ~b);
	__atomic_store_n(&prog_threads[pt_slot].blocked, b, __ATOMIC_SEQ_CST);
	pend_flush_self(~b);
	return 1;
}

static void swap_end(int on) {
	if (on) __atomic_store_n(&prog_threads[pt_slot].blocked, cur_blocked(), __ATOMIC_SEQ_CST);
}

int gorc_sigsuspend(const sigset_t *mask) {
	int on = swap_begin(mask);
	int r = sigsuspend(mask);
	int e = errno;
	swap_end(on);
	errno = e;
	return r;
}

int gorc_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask) {
	int on = swap_begin(mask);
	int r = ppoll(fds, n, ts, mask);
	int e = errno;
	swap_end(on);
	errno = e;
	return r;
}

int gorc_pselect(int n, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *ts, const sigset_t *mask) {
	int on = swap_begin(mask);
	int r = pselect(n, rd, wr, ex, ts, mask);
	int e = errno;
	swap_end(on);
	errno = e;
	return r;
}

int gorc_epoll_pwait(int fd, struct epoll_event *ev, int max, int timeout, const sigset_t *mask) {
	int on = swap_begin(mask);
	int r = epoll_pwait(fd, ev, max, timeout, mask);
	int e = errno;
	swap_end(on);
	errno = e;
	return r;
}
