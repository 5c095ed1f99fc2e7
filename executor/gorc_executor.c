/* gorc executor runtime, C side. See gorc_executor.h and docs/EXECUTOR.md. */
#define _GNU_SOURCE
#include "gorc_executor.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

extern char **environ;

/* ---------- memory ---------- */

static int to_prot(int p) {
	int r = PROT_NONE;
	if (p & 1) r |= PROT_READ;
	if (p & 2) r |= PROT_WRITE;
	if (p & 4) r |= PROT_EXEC;
	return r;
}

#define LOW_LIMIT 0x80000000ULL

int gorc_mem_reserve(uint64_t size, int low, uint64_t *out) {
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	void *p;
	if (!low) {
		p = mmap(NULL, size, PROT_NONE, flags, -1, 0);
		if (p == MAP_FAILED) return errno;
		*out = (uint64_t)(uintptr_t)p;
		return 0;
	}
	if (size >= LOW_LIMIT) return ENOMEM;
#ifdef MAP_32BIT
	p = mmap(NULL, size, PROT_NONE, flags | MAP_32BIT, -1, 0);
	if (p != MAP_FAILED) {
		if ((uint64_t)(uintptr_t)p + size <= LOW_LIMIT) {
			*out = (uint64_t)(uintptr_t)p;
			return 0;
		}
		munmap(p, size);
	}
#endif
	/* Probe fixed hints below 2 GiB without replacing existing mappings. */
	for (uint64_t h = 0x08000000ULL; h + size <= LOW_LIMIT; h += 0x04000000ULL) {
		p = mmap((void *)(uintptr_t)h, size, PROT_NONE, flags | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED) continue;
		if ((uint64_t)(uintptr_t)p == h) {
			*out = h;
			return 0;
		}
		munmap(p, size); /* old kernel: hint ignored */
	}
	return ENOMEM;
}

/* Reserves size bytes exactly at addr (a controller placed code there
 * before this executor had started), never replacing a mapping. */
int gorc_mem_reserve_at(uint64_t addr, uint64_t size) {
	void *p = mmap((void *)(uintptr_t)addr, size, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED) return errno;
	if ((uint64_t)(uintptr_t)p != addr) { /* old kernel: hint ignored */
		munmap(p, size);
		return EEXIST;
	}
	return 0;
}

static void shared_map_drop(uint64_t addr, uint64_t size);

int gorc_mem_release(uint64_t addr, uint64_t size) {
	shared_map_drop(addr, size);
	return munmap((void *)(uintptr_t)addr, size) == 0 ? 0 : errno;
}

int gorc_mem_protect(uint64_t addr, uint64_t size, int prot) {
	if ((prot & 2) && (prot & 4)) return EPERM; /* W^X */
	return mprotect((void *)(uintptr_t)addr, size, to_prot(prot)) == 0 ? 0 : errno;
}

int gorc_mem_decommit(uint64_t addr, uint64_t size) {
	void *p = mmap((void *)(uintptr_t)addr, size, PROT_NONE,
		       MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? errno : 0;
}

/* An aligned 8-byte write is one atomic store: lazy compilation repoints
 * stubs this way while other threads may be jumping through them. */
void gorc_mem_copy(uint64_t dst, const void *src, size_t n) {
	if (n == 8 && (dst & 7) == 0) {
		uint64_t v;
		memcpy(&v, src, 8);
		__atomic_store_n((uint64_t *)(uintptr_t)dst, v, __ATOMIC_RELEASE);
		return;
	}
	memcpy((void *)(uintptr_t)dst, src, n);
}
void gorc_mem_read(void *dst, uint64_t src, size_t n) { memcpy(dst, (const void *)(uintptr_t)src, n); }
void *gorc_addr_to_ptr(uint64_t addr) { return (void *)(uintptr_t)addr; }

void gorc_clear_cache(uint64_t addr, uint64_t size) {
	__builtin___clear_cache((char *)(uintptr_t)addr, (char *)(uintptr_t)(addr + size));
}

/* ---------- dynamic loading ---------- */

static char *dup_dlerror(const char *fallback) {
	const char *e = dlerror();
	return strdup(e ? e : fallback);
}

uint64_t gorc_dlopen(const char *path, int global, char **err) {
	dlerror();
	void *h = dlopen(path, RTLD_NOW | (global ? RTLD_GLOBAL : RTLD_LOCAL));
	if (!h) {
		*err = dup_dlerror("dlopen failed");
		return 0;
	}
	return (uint64_t)(uintptr_t)h;
}

uint64_t gorc_dlsym(uint64_t handle, const char *name) {
	void *h = handle ? (void *)(uintptr_t)handle : RTLD_DEFAULT;
	return (uint64_t)(uintptr_t)dlsym(h, name);
}

void gorc_dlsym_all(uint64_t handle, const char *names, size_t n, uint64_t *out) {
	void *h = handle ? (void *)(uintptr_t)handle : RTLD_DEFAULT;
	for (size_t i = 0; i < n; i++) {
		out[i] = (uint64_t)(uintptr_t)dlsym(h, names);
		names += strlen(names) + 1;
	}
}

/* dlvsym(handle, name, version): a symbol a library exports only under a
 * non-default version (libgcc_s's __cpu_model@GCC_4.8.0, which plain
 * dlsym does not find, while a static link takes it from libgcc.a). */
uint64_t gorc_dlvsym(uint64_t handle, const char *name, const char *version) {
	return (uint64_t)(uintptr_t)dlvsym((void *)(uintptr_t)handle, name, version);
}

int gorc_dlclose(uint64_t handle, char **err) {
	dlerror();
	if (dlclose((void *)(uintptr_t)handle) != 0) {
		*err = dup_dlerror("dlclose failed");
		return -1;
	}
	return 0;
}

/* ---------- runtime helpers from libc_nonshared.a ---------- */

/* The DSO handle shared by all JIT'd code of this executor. Its address is
 * what __dso_handle resolves to; __cxa_atexit registrations carry it. */
char gorc_dso_handle;

extern int __cxa_atexit(void (*fn)(void *), void *arg, void *dso);
extern int __cxa_at_quick_exit(void (*fn)(void *), void *dso);
extern int __register_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void), void *dso);
extern void __stack_chk_fail(void);

/* The handlers are registered under the DSO handle of the unloadable
 * module whose code they are (gorc_module_dso, module.c), so removing the
 * module runs or drops them (__cxa_finalize); other code's use the
 * executor's handle. */
int gorc_atexit(void (*fn)(void)) {
	void *dso = gorc_module_dso((uint64_t)(uintptr_t)fn);
	gorc_note_dso(dso);
	return __cxa_atexit((void (*)(void *))fn, NULL, dso);
}
int gorc_at_quick_exit(void (*fn)(void)) {
	void *dso = gorc_module_dso((uint64_t)(uintptr_t)fn);
	gorc_note_dso(dso);
	return __cxa_at_quick_exit((void (*)(void *))fn, dso);
}
int gorc_pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void)) {
	void (*any)(void) = prepare ? prepare : parent ? parent : child;
	void *dso = gorc_module_dso((uint64_t)(uintptr_t)any);
	gorc_note_dso(dso);
	return __register_atfork(prepare, parent, child, dso);
}
void gorc_stack_chk_fail_local(void) { __stack_chk_fail(); }

/* ---------- wrapper results ---------- */

gorc_wrapper_result wr_ok(const void *data, size_t n) {
	gorc_wrapper_result r = {0};
	if (n) {
		r.data = malloc(n);
		if (!r.data) {
			r.error = strdup("out of memory");
			return r;
		}
		memcpy(r.data, data, n);
		r.size = n;
	}
	return r;
}

gorc_wrapper_result wr_err(const char *fmt, ...) {
	gorc_wrapper_result r = {0};
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&r.error, fmt, ap) < 0) r.error = strdup("error");
	va_end(ap);
	return r;
}

int rd_u64(const uint8_t *a, size_t len, size_t i, uint64_t *v) {
	if (i > len / 8 || (i + 1) * 8 > len) return 0;
	uint64_t x = 0;
	for (int b = 7; b >= 0; b--) x = (x << 8) | a[i * 8 + b];
	*v = x;
	return 1;
}

gorc_wrapper_result gorc_call_wrapper(uint64_t fn, const uint8_t *arg, size_t len) {
	return ((gorc_wrapper_fn)(uintptr_t)fn)(arg, len);
}

gorc_wrapper_result gorc_svc_echo(const uint8_t *arg, size_t len) { return wr_ok(arg, len); }

/* ---------- running code ---------- */

static int prog_argc;
static char **prog_argv;
static char *empty_argv[] = {NULL};

void gorc_set_program_args(int argc, char **argv) {
	prog_argc = argc;
	prog_argv = argv;
}

typedef int (*main_fn)(int, char **, char **);
typedef void (*init_fn)(int, char **, char **);
typedef void (*void_fn)(void);

/* The shared-executor controller whose request a thread runs code for
 * (its hub id; 0: none or not shared). Set by Go around a run on the
 * calling thread (gorc_set_origin), handed to the thread a run starts and
 * to the threads JIT'd code creates, and read by the crash handler to
 * name the controller whose code crashed. */
static __thread uint64_t thr_origin;

void gorc_set_origin(uint64_t id) { thr_origin = id; }

uint64_t gorc_thread_origin(void) { return thr_origin; }

struct run_ctx {
	uint64_t origin;
	uint64_t fn;
	int argc;
	char **argv;
	int status;
	/* program mode */
	const uint64_t *inits;
	size_t ninit;
	const uint64_t *finis;
	size_t nfini;
	int report;
	char *error; /* a failed lazy re-entry ended the run (malloc'd) */
};

/* A run thread's way out when a lazy re-entry fails: the re-entry point
 * jumps back to the run thread's start with the handler's message instead
 * of landing anywhere (see gorc_reentry_resolve). */
static __thread jmp_buf *run_escape;
static __thread char *reentry_error;

void gorc_reentry_failed(char *msg) {
	free(reentry_error);
	reentry_error = msg;
}

/* ---------- threads that run JIT'd code ---------- */

/* Every thread that runs JIT'd code — the executor's main/program threads
 * and the threads the program creates (pthread_create is interposed, see
 * gorc_pthread_create) — gets an alternate signal stack, so a stack
 * overflow still runs the crash handler, and records its stack's bounds,
 * so the handler can tell a stack overflow from another fault. */
#define ALTSTACK_SIZE (64 * 1024)

static pthread_key_t altstack_key;
static pthread_once_t altstack_once = PTHREAD_ONCE_INIT;
static __thread uint64_t thr_stack_lo, thr_stack_hi, thr_guard;

static void altstack_free(void *p) {
	stack_t ss;
	memset(&ss, 0, sizeof ss);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	munmap(p, ALTSTACK_SIZE);
}

static void altstack_key_init(void) { pthread_key_create(&altstack_key, altstack_free); }

static void thread_prepare(void) {
	gorc_thr_program = 1; /* runs JIT'd code: takes the program's signals (gorc_progsig.c) */
	gorc_progsig_thread();
	pthread_attr_t a;
	if (pthread_getattr_np(pthread_self(), &a) == 0) {
		void *addr = NULL;
		size_t size = 0, guard = 0;
		if (pthread_attr_getstack(&a, &addr, &size) == 0) {
			thr_stack_lo = (uint64_t)(uintptr_t)addr;
			thr_stack_hi = thr_stack_lo + size;
		}
		if (pthread_attr_getguardsize(&a, &guard) == 0) thr_guard = guard;
		pthread_attr_destroy(&a);
	}
	stack_t old;
	if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE)) return; /* has one */
	void *p = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) return;
	stack_t ss;
	memset(&ss, 0, sizeof ss);
	ss.ss_sp = p;
	ss.ss_size = ALTSTACK_SIZE;
	if (sigaltstack(&ss, NULL) != 0) {
		munmap(p, ALTSTACK_SIZE);
		return;
	}
	pthread_once(&altstack_once, altstack_key_init);
	pthread_setspecific(altstack_key, p); /* freed when the thread ends */
}

struct thread_box {
	void *(*fn)(void *);
	void *arg;
	uint64_t origin;
};

/* Threads the program created that have not ended: when the program's
 * main thread ends by pthread_exit, the process goes on until the last of
 * them ends, then exits with status 0, as glibc does for a main thread
 * (gorc_run_program). */
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t live_cv = PTHREAD_COND_INITIALIZER;
static long live_threads;

static void live_add(long d) {
	pthread_mutex_lock(&live_mu);
	live_threads += d;
	if (live_threads == 0) pthread_cond_broadcast(&live_cv);
	pthread_mutex_unlock(&live_mu);
}

static void live_done(void *unused) {
	(void)unused;
	live_add(-1);
}

static void *thread_start(void *p) {
	struct thread_box b = *(struct thread_box *)p;
	free(p);
	thr_origin = b.origin;
	thread_prepare();
	void *r;
	pthread_cleanup_push(live_done, NULL); /* also on pthread_exit, cancellation */
	r = b.fn(b.arg);
	pthread_cleanup_pop(1);
	return r;
}

/* pthread_create for JIT'd code: the new thread is prepared (alternate
 * signal stack, stack bounds) before the program's start routine runs. */
/* A stack size the program asked for that glibc refused (EINVAL): glibc
 * puts a thread's static TLS at the top of its stack and wants the size
 * to hold it, and an executor process has a large static TLS surplus
 * (1 MiB, for JIT'd code's initial-exec TLS: EnsureStaticTLS) that the
 * program's own build does not: pthread_attr_setstacksize(64 KB), which
 * servers do, failed in every child and TCP executor (session 30). The
 * executor's share is added to the size, so the program keeps the stack
 * it asked for; a stack the program provides (pthread_attr_setstack) is
 * left as given. */
static int create_small_stack(pthread_t *t, const pthread_attr_t *attr, void *box) {
	size_t size;
	void *addr = NULL;
	/* glibc reports an unset stack address as (0 - size) */
	if (pthread_attr_getstack(attr, &addr, &size) != 0 || (uintptr_t)addr + size != 0) return EINVAL;
	pthread_attr_t a;
	memcpy(&a, attr, sizeof a); /* a copy of the program's; not destroyed (shares its cpuset) */
	int e = EINVAL;
	for (size_t extra = 256 * 1024; extra <= 64 * 1024 * 1024 && e == EINVAL; extra *= 2) {
		if (pthread_attr_setstacksize(&a, size + extra) != 0) break;
		e = pthread_create(t, &a, thread_start, box);
	}
	return e;
}

/* sigaltstack for JIT'd code: a thread that runs JIT'd code must keep an
 * alternate signal stack while it can be in Go (a lazy first call, a
 * service): Go's handler for its preemption signal there ends the process
 * otherwise ("non-Go code disabled sigaltstack"; session 30, a program
 * that set its own stack, then disabled it, then first-called a lazy
 * function). So the program's SS_DISABLE puts back the executor's stack
 * (thread_prepare's) and is remembered, and the program is told its
 * stack is disabled, as natively. */
static __thread int prog_alt_disabled;
int gorc_sigaltstack(const stack_t *ss, stack_t *old) {
	void *mine = NULL;
	pthread_once(&altstack_once, altstack_key_init);
	mine = pthread_getspecific(altstack_key);
	stack_t cur;
	int r;
	if (ss && (ss->ss_flags & SS_DISABLE) && mine) {
		stack_t m;
		memset(&m, 0, sizeof m);
		m.ss_sp = mine;
		m.ss_size = ALTSTACK_SIZE;
		r = sigaltstack(&m, &cur);
		if (r == 0) prog_alt_disabled = 1;
	} else {
		r = sigaltstack(ss, &cur);
		if (r == 0 && ss) prog_alt_disabled = 0;
	}
	if (r == 0 && old) {
		*old = cur;
		if (cur.ss_sp == mine && mine && !(cur.ss_flags & SS_ONSTACK)) {
			memset(old, 0, sizeof *old);
			old->ss_flags = SS_DISABLE;
		}
	}
	return r;
}

int gorc_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg) {
	struct thread_box *b = malloc(sizeof *b);
	if (!b) return EAGAIN;
	b->fn = fn;
	b->arg = arg;
	b->origin = thr_origin;
	live_add(1);
	int e = pthread_create(t, attr, thread_start, b);
	if (e == EINVAL && attr) e = create_small_stack(t, attr, b);
	if (e) {
		free(b);
		live_add(-1);
	}
	return e;
}

static void *main_thread(void *p) {
	struct run_ctx *c = p;
	thr_origin = c->origin;
	thread_prepare();
	jmp_buf jb;
	if (setjmp(jb) != 0) {
		run_escape = NULL;
		c->error = reentry_error;
		reentry_error = NULL;
		return NULL;
	}
	run_escape = &jb;
	c->status = ((main_fn)(uintptr_t)c->fn)(c->argc, c->argv, environ);
	run_escape = NULL;
	return NULL;
}

static void *void_thread(void *p) {
	struct run_ctx *c = p;
	thr_origin = c->origin;
	thread_prepare();
	jmp_buf jb;
	if (setjmp(jb) != 0) {
		run_escape = NULL;
		c->error = reentry_error;
		reentry_error = NULL;
		return NULL;
	}
	run_escape = &jb;
	((void_fn)(uintptr_t)c->fn)();
	run_escape = NULL;
	return NULL;
}

static int run_on_thread(void *(*start)(void *), struct run_ctx *c, size_t stack) {
	pthread_attr_t attr;
	pthread_t t;
	int e = pthread_attr_init(&attr);
	if (e) return e;
	if (stack) {
		e = pthread_attr_setstacksize(&attr, stack);
		if (e) {
			pthread_attr_destroy(&attr);
			return e;
		}
	}
	e = pthread_create(&t, &attr, start, c);
	pthread_attr_destroy(&attr);
	if (e) return e;
	return pthread_join(t, NULL);
}

int gorc_run_main(uint64_t fn, int argc, char **argv, size_t stack, int *status, char **error) {
	struct run_ctx c = {.origin = thr_origin, .fn = fn, .argc = argc, .argv = argv ? argv : empty_argv};
	int e = run_on_thread(main_thread, &c, stack);
	if (!e) *status = c.status;
	*error = c.error;
	return e;
}

int gorc_run_void(uint64_t fn, size_t stack, char **error) {
	struct run_ctx c = {.origin = thr_origin, .fn = fn};
	int e = run_on_thread(void_thread, &c, stack);
	*error = c.error;
	return e;
}

/* Finalizer lists registered with __cxa_atexit: run in the given order
 * (callers pass a .fini_array reversed, as glibc's _dl_fini runs it). */
struct fini_list {
	size_t n;
	uint64_t fns[];
};

static void run_finis(void *p) {
	struct fini_list *l = p;
	for (size_t i = 0; i < l->n; i++) ((void_fn)(uintptr_t)l->fns[i])();
	free(l);
}

static int register_finis(const uint64_t *finis, size_t n, void *dso) {
	if (n == 0) return 0;
	struct fini_list *l = malloc(sizeof *l + n * sizeof(uint64_t));
	if (!l) return ENOMEM;
	l->n = n;
	memcpy(l->fns, finis, n * sizeof(uint64_t));
	gorc_note_dso(dso);
	if (__cxa_atexit(run_finis, l, dso) != 0) {
		free(l);
		return ENOMEM;
	}
	return 0;
}

static void run_inits(const uint64_t *inits, size_t n, int argc, char **argv) {
	for (size_t i = 0; i < n; i++) ((init_fn)(uintptr_t)inits[i])(argc, argv, environ);
}

extern void gorcProgramExited(int status);

static volatile int report_enabled;

/* The executor's own process id, recorded when the runtime is loaded (a
 * re-exec loads it again, keeping the pid). A process the program forked
 * runs the same exit handlers, signal handlers and atfork handlers, but it
 * must never speak for the executor: everything that writes to the
 * controller checks is_executor() first. */
static pid_t executor_pid;

static int is_executor(void) { return getpid() == executor_pid; }

int gorc_is_executor_process(void) { return is_executor(); }

/* Flush stdout and stderr without waiting for their locks: a program
 * thread may hold one for good (blocked in fgets(stdin) holds stdin's,
 * and fflush(NULL) takes every stream's lock). A stream whose lock is held
 * is left to its holder (and to exit's lock-free _IO_cleanup). */
static void flush_std_nowait(void) {
	FILE *fs[2] = {stdout, stderr};
	for (int i = 0; i < 2; i++) {
		if (ftrylockfile(fs[i]) != 0) continue;
		fflush_unlocked(fs[i]);
		funlockfile(fs[i]);
	}
}

/* gorc_enable_exit_report makes exit() report its status (to the exit
 * hook) without a program started by gorc_run_program: a shared executor
 * tells its controllers when JIT'd code calls exit(). */
void gorc_enable_exit_report(void) { report_enabled = 1; }

static void report_exit(int status, void *arg) {
	(void)arg;
	if (!report_enabled || !is_executor()) return;
	/* The program's output goes out before its status: every stream, as
	 * exit's own _IO_cleanup would flush it a moment later (glibc's
	 * fcloseall is _IO_cleanup: it flushes without taking the streams'
	 * locks, a thread blocked in fgets cannot hold it up, and it closes
	 * nothing). So once the status is reported, nothing of the program is
	 * left to happen but the kernel's teardown, and a controller need not
	 * wait for that (gorc run exits at once). */
	fcloseall();
	gorcProgramExited(status);
}

/* Descriptors that belong to the executor, not to the program.
 *
 * Private ones (registered by gorc_private_fd: the connection, the
 * forwarded stdio's executor ends, shared-memory files) are closed at once
 * in a process the program forks: it must not hold the session open, nor
 * keep the program's stdin from reaching end of file.
 *
 * Protected ones are the private ones plus every close-on-exec descriptor
 * open when the first program or main starts (gorc_protect_open_fds: the Go runtime's
 * epoll and wake-up descriptors, pipes, the executor's files). The
 * program's close(), close_range() and closefrom() (gorc_close and
 * friends, which LookupSymbol hands JIT'd code instead of libc's) leave
 * them open and report success, as if the descriptor had been closed: it
 * was never the program's. dup2() and dup3() onto one fail with EBUSY,
 * and syscall() routes these calls through the same guards. Each entry remembers the file's device and
 * inode, so a number the executor closed and the program got back from
 * open() is the program's again. */
#define MAX_PROTECTED 256
struct fd_entry {
	int fd; /* -1: free */
	int private_;
	dev_t dev;
	ino_t ino;
};
static struct fd_entry protected_fds[MAX_PROTECTED];
static int nprotected;
static pthread_mutex_t protected_mu = PTHREAD_MUTEX_INITIALIZER;

static void protect_locked(int fd, int private_) {
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) return;
	int slot = -1;
	for (int i = 0; i < nprotected; i++) {
		if (protected_fds[i].fd == fd) {
			slot = i;
			break;
		}
		if (protected_fds[i].fd < 0 && slot < 0) slot = i;
	}
	if (slot < 0) {
		if (nprotected == MAX_PROTECTED) return;
		slot = nprotected++;
	} else if (protected_fds[slot].fd == fd && protected_fds[slot].private_ && !private_) {
		private_ = 1; /* stays private */
	}
	protected_fds[slot] = (struct fd_entry){fd, private_, st.st_dev, st.st_ino};
}

void gorc_private_fd(int fd, int on) {
	if (fd < 0) return;
	pthread_mutex_lock(&protected_mu);
	if (on) {
		protect_locked(fd, 1);
	} else {
		for (int i = 0; i < nprotected; i++)
			if (protected_fds[i].fd == fd) protected_fds[i].fd = -1;
	}
	pthread_mutex_unlock(&protected_mu);
}

void gorc_protect_open_fds(void) {
	/* Once, before the first program or main runs: a later run must be
	 * able to close what an earlier one opened close-on-exec (the
	 * Kaleidoscope REPL runs many in one process). What the executor opens
	 * later is registered explicitly (gorc_private_fd). */
	static int done;
	if (__atomic_exchange_n(&done, 1, __ATOMIC_SEQ_CST)) return;
	/* The directory is read with getdents64 into a buffer on this stack,
	 * not opendir: opendir's 32 KB buffer is the first malloc of the
	 * thread this runs on, often, and glibc then makes the thread an
	 * arena (a 128 MB mapping, trimmed by two munmaps, and an mprotect)
	 * on the path of every program's start. */
	int self = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (self < 0) return;
	pthread_mutex_lock(&protected_mu);
	/* Forget entries whose file is gone or was replaced. */
	for (int i = 0; i < nprotected; i++) {
		struct stat st;
		struct fd_entry *e = &protected_fds[i];
		if (e->fd >= 0 && (fstat(e->fd, &st) != 0 || st.st_dev != e->dev || st.st_ino != e->ino)) e->fd = -1;
	}
	union {
		char b[4096];
		struct dirent64 align; /* getdents64 fills whole, aligned records */
	} buf;
	for (;;) {
		long n = syscall(SYS_getdents64, self, buf.b, sizeof buf.b);
		if (n <= 0) break;
		for (long off = 0; off < n;) {
			struct dirent64 *de = (struct dirent64 *)(buf.b + off);
			off += de->d_reclen;
			char *end;
			long fd = strtol(de->d_name, &end, 10);
			if (*end || end == de->d_name || fd < 3 || fd == self) continue;
			int fl = fcntl((int)fd, F_GETFD);
			if (fl < 0 || !(fl & FD_CLOEXEC)) continue;
			int known = 0;
			for (int i = 0; i < nprotected; i++)
				if (protected_fds[i].fd == fd) known = 1;
			if (!known) protect_locked((int)fd, 0);
		}
	}
	pthread_mutex_unlock(&protected_mu);
	close(self);
}

static int is_protected(int fd) {
	if (fd < 3) return 0;
	struct stat st;
	if (fstat(fd, &st) != 0) return 0;
	int r = 0;
	pthread_mutex_lock(&protected_mu);
	for (int i = 0; i < nprotected; i++) {
		struct fd_entry *e = &protected_fds[i];
		if (e->fd == fd && e->dev == st.st_dev && e->ino == st.st_ino) {
			r = 1;
			break;
		}
	}
	pthread_mutex_unlock(&protected_mu);
	return r;
}

int gorc_close(int fd) {
	if (is_protected(fd)) return 0;
	return close(fd);
}

int gorc_close_range(unsigned first, unsigned last, int flags) {
	if (first > last) {
		errno = EINVAL;
		return -1;
	}
	/* Close the runs between protected descriptors; above the highest
	 * protected one, the kernel closes the rest in one call. */
	unsigned lo = first;
	while (lo <= last) {
		int maxp = -1;
		pthread_mutex_lock(&protected_mu);
		for (int i = 0; i < nprotected; i++)
			if (protected_fds[i].fd > maxp) maxp = protected_fds[i].fd;
		pthread_mutex_unlock(&protected_mu);
		if (maxp < 0 || lo > (unsigned)maxp) return (int)syscall(SYS_close_range, lo, last, flags);
		unsigned hi = lo;
		while (hi <= last && hi <= (unsigned)maxp && !is_protected((int)hi)) hi++;
		if (hi > lo) {
			long r = syscall(SYS_close_range, lo, hi - 1, flags);
			if (r != 0) return (int)r;
		}
		if (hi > last) return 0;
		if (hi > (unsigned)maxp) {
			lo = hi;
			continue;
		}
		if (hi == last) return 0; /* hi is protected */
		lo = hi + 1;
	}
	return 0;
}

void gorc_closefrom(int lowfd) {
	if (lowfd < 0) lowfd = 0;
	gorc_close_range((unsigned)lowfd, ~0u, 0);
}

/* dup2/dup3 onto a protected descriptor would silently replace the
 * executor's connection or pipe with the program's file: refuse with
 * EBUSY (dup2's "try again" error) instead. Onto the program's own
 * numbers they are libc's. */
int gorc_dup2(int oldfd, int newfd) {
	if (oldfd != newfd && is_protected(newfd)) {
		errno = EBUSY;
		return -1;
	}
	return dup2(oldfd, newfd);
}

int gorc_dup3(int oldfd, int newfd, int flags) {
	if (oldfd != newfd && is_protected(newfd)) {
		errno = EBUSY;
		return -1;
	}
	return dup3(oldfd, newfd, flags);
}

/* syscall(2) with the descriptor-closing and -replacing calls routed
 * through the guards above; every other call is passed on unchanged (on
 * x86-64 the six argument registers are read as longs, which is how
 * libc's own syscall reads them). */
long gorc_syscall(long nr, ...) {
	va_list ap;
	va_start(ap, nr);
	long a[6];
	for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
	va_end(ap);
	switch (nr) {
	case SYS_close:
		return gorc_close((int)a[0]);
	case SYS_close_range:
		return gorc_close_range((unsigned)a[0], (unsigned)a[1], (int)a[2]);
#ifdef SYS_dup2
	case SYS_dup2:
		return gorc_dup2((int)a[0], (int)a[1]);
#endif
	case SYS_dup3:
		return gorc_dup3((int)a[0], (int)a[1], (int)a[2]);
	}
	return syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* ---------- JIT'd memory shared with the executor's process ----------
 *
 * JIT'd data can live in shared file mappings (memfds): the dual-mapped
 * blocks of the code heap (gorc_mem_map_dual; the read-write class holds
 * small allocations' data) and, with -shm, the whole slab (shared with the
 * controller). fork() keeps a MAP_SHARED mapping shared, so without help a
 * forked child's writes to the program's globals would show in the parent
 * (and the parent's in the child), unlike a native program's child, whose
 * data is copy-on-write. So the executor records every such mapping with
 * its file; at each fork() the forking process copies each writable shared
 * part of them to private anonymous memory, and the child moves those
 * copies over the originals before the program goes on (fork_snapshot,
 * fork_install: the atfork handlers). Only the writable
 * parts are copied (code and read-only data are never written by the
 * program; the parent only adds new code in fresh pieces), and only the
 * file's data extents (SEEK_DATA/SEEK_HOLE): holes stay unallocated zero
 * pages in the copy and are never populated in the shared file. */
#define MAX_SHARED_MAPS 1024
struct shared_map {
	uint64_t addr, size; /* size 0: free */
	int fd;		     /* the mapping's file; owned: closed when dropped */
	int owned;
	int prot; /* the whole range is one mapping with these (PROT_*) for good; 0: see /proc/self/maps */
};
static struct shared_map shared_maps[MAX_SHARED_MAPS];
static int nshared_maps;
static int shared_maps_overflow; /* a mapping could not be recorded */
static pthread_mutex_t shared_maps_mu = PTHREAD_MUTEX_INITIALIZER;

static void shared_map_add(uint64_t addr, uint64_t size, int fd, int owned, int prot) {
	pthread_mutex_lock(&shared_maps_mu);
	int slot = -1;
	for (int i = 0; i < nshared_maps; i++)
		if (shared_maps[i].size == 0) {
			slot = i;
			break;
		}
	if (slot < 0 && nshared_maps < MAX_SHARED_MAPS) slot = nshared_maps++;
	if (slot < 0) {
		shared_maps_overflow = 1;
		if (owned) close(fd);
	} else {
		shared_maps[slot] = (struct shared_map){addr, size, fd, owned, prot};
	}
	pthread_mutex_unlock(&shared_maps_mu);
}

/* Forget the recorded mappings inside [addr, addr+size) (being unmapped). */
static void shared_map_drop(uint64_t addr, uint64_t size) {
	pthread_mutex_lock(&shared_maps_mu);
	for (int i = 0; i < nshared_maps; i++) {
		struct shared_map *m = &shared_maps[i];
		if (m->size && m->addr >= addr && m->addr + m->size <= addr + size) {
			if (m->owned) {
				gorc_private_fd(m->fd, 0);
				close(m->fd);
			}
			m->size = 0;
		}
	}
	pthread_mutex_unlock(&shared_maps_mu);
}

static int hexval(char c) {
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	return -1;
}

/* One line of /proc/self/maps: "START-END PERMS ...". */
static int parse_maps_line(const char *l, size_t n, uint64_t *start, uint64_t *end, int *prot, int *shared) {
	size_t i = 0;
	uint64_t v = 0;
	int h;
	while (i < n && (h = hexval(l[i])) >= 0) v = v * 16 + (uint64_t)h, i++;
	if (i >= n || l[i] != '-') return 0;
	*start = v;
	i++;
	v = 0;
	while (i < n && (h = hexval(l[i])) >= 0) v = v * 16 + (uint64_t)h, i++;
	if (i + 5 > n || l[i] != ' ') return 0;
	*end = v;
	const char *p = l + i + 1;
	*prot = (p[0] == 'r' ? PROT_READ : 0) | (p[1] == 'w' ? PROT_WRITE : 0) | (p[2] == 'x' ? PROT_EXEC : 0);
	*shared = p[3] == 's';
	return 1;
}

/* Copy the data extents of fd's [off, off+len) to dst. */
static int copy_extents(int fd, uint64_t off, uint64_t len, char *dst) {
	off_t pos = (off_t)off, end = (off_t)(off + len);
	while (pos < end) {
		off_t d = lseek(fd, pos, SEEK_DATA);
		if (d < 0) return errno == ENXIO ? 0 : errno; /* ENXIO: no data after pos */
		if (d >= end) return 0;
		off_t h = lseek(fd, d, SEEK_HOLE);
		if (h < 0) return errno;
		if (h > end) h = end;
		for (off_t at = d; at < h;) {
			ssize_t r = pread(fd, dst + (at - (off_t)off), (size_t)(h - at), at);
			if (r < 0 && errno == EINTR) continue;
			if (r <= 0) return r < 0 ? errno : EIO;
			at += r;
		}
		pos = h;
	}
	return 0;
}

struct priv_range {
	uint64_t start, end;
	int prot, fd;
	uint64_t off;
	void *copy; /* the snapshot (private anonymous), or NULL */
};
static struct priv_range priv_ranges[MAX_SHARED_MAPS];
static int npriv;     /* snapshots taken by fork_snapshot */
static int priv_err;  /* why fork_snapshot failed, or 0 */

/* fork_snapshot (the atfork prepare handler, in the forking process)
 * copies the writable shared JIT'd mappings to private anonymous memory,
 * which the child inherits copy-on-write and moves over the originals
 * (fork_install); the parent drops its copies when fork returns
 * (fork_drop). The copy is taken before the fork, not by the child after
 * it: the parent goes on at once, and a write it makes after fork
 * returned must not be in the child's copy. Holds shared_maps_mu across
 * the fork (a block released meanwhile waits), so the recorded files stay
 * open. No malloc: the program may fork from anywhere. */
/* The forking thread's mask before fork_snapshot: per thread, as two
 * threads may be in fork's prepare handlers at once (the second waits for
 * shared_maps_mu with its signals already blocked). */
static __thread sigset_t fork_sigmask;

/* The Go runtime's signal handler (it handles every signal; SIGURG, its
 * preemption signal, is always its own), noted before each fork. In a
 * forked child the Go runtime is dead (only the forking thread exists),
 * and its handler, entered on a thread it did not start, needs a spare M
 * from a list that another thread may have held locked at the fork: a
 * SIGCHLD from a grandchild could hang the child for good. So the child
 * gives every signal still on Go's handler its default action — what a
 * native program's child has for a signal it never handled (Go's handler
 * itself gives C threads the default action for these). Handlers the
 * program or the executor installed (the crash handler) stay. */
static void *go_sighandler;

static void *handler_of(const struct sigaction *sa) {
	return (sa->sa_flags & SA_SIGINFO) ? (void *)sa->sa_sigaction : (void *)sa->sa_handler;
}

static void note_go_sighandler(void) {
	struct sigaction sa;
	if (sigaction(SIGURG, NULL, &sa) != 0) return;
	void *h = handler_of(&sa);
	if (h != (void *)SIG_DFL && h != (void *)SIG_IGN) go_sighandler = h;
}

static void drop_go_sighandlers(void) {
	if (!go_sighandler) return;
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP) continue;
		struct sigaction sa;
		if (sigaction(sig, NULL, &sa) != 0 || handler_of(&sa) != go_sighandler) continue;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		sigaction(sig, &sa, NULL);
	}
}

static void fork_snapshot(void) {
	/* No signal handler runs on the forking thread until fork has
	 * returned (fork_drop, forked_child restore the mask): glibc takes
	 * malloc's and stdio's locks after this, the last prepare handler, and
	 * a handler that runs meanwhile can wait for something only another
	 * thread can give while that thread waits for one of those locks. Go's
	 * handler does, on a thread Go did not start: it needs a spare M, the
	 * last one may have been taken by a thread entering Go (a lazy first
	 * call) that now allocates with malloc — a hang seen 1 run in 3 with
	 * threads in first calls while another forks (-speculate -shm). A
	 * signal sent meanwhile goes to another thread, or waits. */
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &fork_sigmask);
	note_go_sighandler();
	pthread_mutex_lock(&shared_maps_mu);
	npriv = 0;
	priv_err = 0;
	if (shared_maps_overflow) {
		priv_err = ENOSPC;
		return;
	}
	/* Blocks of known protections (the code heap's) are taken as they
	 * are; /proc/self/maps (slow to read: tens of microseconds in a
	 * process with Go's mappings) only for ranges whose protections vary
	 * page by page (-shm's slab). */
	int n = 0, err = 0, need_maps = 0;
	for (int k = 0; k < nshared_maps; k++) {
		struct shared_map *m = &shared_maps[k];
		if (m->size == 0) continue;
		if (m->prot == 0) {
			need_maps = 1;
			continue;
		}
		if (m->prot & PROT_WRITE) priv_ranges[n++] = (struct priv_range){m->addr, m->addr + m->size, m->prot, m->fd, 0, NULL};
	}
	int mfd = -1;
	if (need_maps && (mfd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC)) < 0) err = errno;
	/* Collect first, copy after: the file is regenerated as it is read. */
	static char buf[8192];
	size_t have = 0;
	while (mfd >= 0 && !err) {
		ssize_t r = read(mfd, buf + have, sizeof buf - have);
		if (r < 0 && errno == EINTR) continue;
		if (r < 0) {
			err = errno;
			break;
		}
		have += (size_t)r;
		size_t ls = 0;
		for (size_t i = 0; i < have; i++) {
			if (buf[i] != '\n') continue;
			uint64_t st, e;
			int prot, sh;
			if (parse_maps_line(buf + ls, i - ls, &st, &e, &prot, &sh) && sh && (prot & PROT_WRITE)) {
				for (int k = 0; k < nshared_maps; k++) {
					struct shared_map *m = &shared_maps[k];
					if (m->size == 0 || m->prot != 0 || st < m->addr || e > m->addr + m->size) continue;
					if (n == MAX_SHARED_MAPS) {
						err = ENOMEM;
						break;
					}
					priv_ranges[n++] = (struct priv_range){st, e, prot, m->fd, st - m->addr, NULL};
					break;
				}
			}
			ls = i + 1;
		}
		if (r == 0) break;
		memmove(buf, buf + ls, have - ls);
		have -= ls;
		if (have == sizeof buf) have = 0; /* a line longer than the buffer (a long path): not ours */
	}
	if (mfd >= 0) close(mfd);
	npriv = n;
	for (int i = 0; i < n && !err; i++) {
		struct priv_range *r = &priv_ranges[i];
		size_t len = (size_t)(r->end - r->start);
		void *c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (c == MAP_FAILED) {
			err = errno;
			break;
		}
		r->copy = c;
		if ((err = copy_extents(r->fd, r->off, len, c)) != 0) break;
		if (r->prot != (PROT_READ | PROT_WRITE) && mprotect(c, len, r->prot) != 0) err = errno;
	}
	priv_err = err;
}

static void fork_drop(void) {
	for (int i = 0; i < npriv; i++)
		if (priv_ranges[i].copy) munmap(priv_ranges[i].copy, (size_t)(priv_ranges[i].end - priv_ranges[i].start));
	npriv = 0;
	pthread_mutex_unlock(&shared_maps_mu);
	pthread_sigmask(SIG_SETMASK, &fork_sigmask, NULL);
}

/* In the child: the snapshots replace the shared mappings. Returns 0 or
 * an errno. */
static int fork_install(void) {
	int err = priv_err;
	for (int i = 0; i < npriv && !err; i++) {
		struct priv_range *r = &priv_ranges[i];
		size_t len = (size_t)(r->end - r->start);
		if (mremap(r->copy, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)(uintptr_t)r->start) == MAP_FAILED)
			err = errno;
		else
			r->copy = NULL;
	}
	for (int i = 0; i < npriv; i++)
		if (priv_ranges[i].copy) munmap(priv_ranges[i].copy, (size_t)(priv_ranges[i].end - priv_ranges[i].start));
	npriv = 0;
	/* Only this thread exists: the lock the parent held is made anew. The
	 * writable parts are private now, so this process has nothing to copy
	 * when it forks in turn (a grandchild inherits its copies
	 * copy-on-write, as natively); the files are the executor's private
	 * descriptors, which forked_child closes next. */
	pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
	shared_maps_mu = fresh;
	if (!err) {
		for (int k = 0; k < nshared_maps; k++) shared_maps[k].size = 0;
		nshared_maps = 0;
	}
	return err;
}

/* Set in a process the program forked (by the atfork child handler): the
 * re-entry's check, a load where getpid() would be a system call (2-4 µs
 * on a loaded VM) on every first call. A process made by a raw clone or
 * fork system call runs no atfork handler and is not covered (nor is
 * JIT'd code between vfork() and exec, which POSIX leaves undefined). */
static volatile int forked_process;

static void forked_child(void) {
	forked_process = 1;
	/* The program's data must be the child's own before anything else
	 * runs (the program's own atfork child handlers run after this one).
	 * A child that cannot have it would write into its parent's memory:
	 * it ends at once, as if it had crashed. */
	int perr = fork_install();
	if (perr != 0) {
		char msg[256];
		int n = snprintf(msg, sizeof msg,
				 "gorc: process %d, which the program forked, cannot get a private copy of the JIT'd "
				 "program's data (%s); exiting with status 70\n",
				 (int)getpid(), strerror(perr));
		if (n > (int)sizeof msg - 1) n = (int)sizeof msg - 1;
		if (n > 0) (void)!write(2, msg, (size_t)n);
		_exit(70);
	}
	drop_go_sighandlers();
	pthread_sigmask(SIG_SETMASK, &fork_sigmask, NULL);
	/* Only this thread exists in the child; the mutex may be held by a
	 * thread that is gone, so the table is read without it. */
	for (int i = 0; i < nprotected; i++) {
		struct fd_entry *e = &protected_fds[i];
		if (e->fd >= 0 && e->private_) {
			close(e->fd);
			e->fd = -1;
		}
	}
}

static void report_quick_exit(void);

/* Registered when the executor is loaded, before any program or service
 * can register a handler, so it runs after all of them. */
__attribute__((constructor)) static void register_reporter(void) {
	executor_pid = getpid();
	on_exit(report_exit, NULL);
	at_quick_exit(report_quick_exit);
	pthread_atfork(fork_snapshot, fork_drop, forked_child);
}

static void *program_thread(void *p) {
	struct run_ctx *c = p;
	thread_prepare();
	gorc_program_tid = (int)syscall(SYS_gettid); /* where process-directed signals go (gorc_progsig.c) */
	gorc_progsig_program_start();
	if (c->report) report_enabled = 1;
	/* Registered before any initializer runs, so the finalizers run after
	 * every atexit handler and C++ destructor the program registers — the
	 * order glibc gives a main executable (its _dl_fini goes first). */
	if (register_finis(c->finis, c->nfini, &gorc_dso_handle) != 0) {
		fputs("gorc: cannot register finalizers\n", stderr);
		exit(127);
	}
	run_inits(c->inits, c->ninit, c->argc, c->argv);
	int status = ((main_fn)(uintptr_t)c->fn)(c->argc, c->argv, environ);
	exit(status);
	return NULL;
}

void gorc_run_program(uint64_t main_fn, const uint64_t *inits, size_t ninit,
		      const uint64_t *finis, size_t nfini, int argc, char **argv,
		      size_t stack, int report, int *err) {
	static struct run_ctx c;
	c.report = report;
	c.fn = main_fn;
	c.argc = argc;
	c.argv = argv ? argv : empty_argv;
	c.inits = inits;
	c.ninit = ninit;
	c.finis = finis;
	c.nfini = nfini;
	gorc_set_program_args(c.argc, c.argv);
	*err = run_on_thread(program_thread, &c, stack);
	if (*err == 0) {
		/* The program thread never returns but by exit(): it ended by
		 * pthread_exit. As for a native main thread, the program goes on
		 * while its other threads run, then exits with status 0 (atexit
		 * handlers and destructors run). */
		pthread_mutex_lock(&live_mu);
		while (live_threads > 0) pthread_cond_wait(&live_cv, &live_mu);
		pthread_mutex_unlock(&live_mu);
		exit(0);
	}
}

/* Registers the finalizers under dso and runs the initializers encoded in
 * arg as u64 ninit, ninit u64 addresses, u64 nfini, nfini u64 addresses;
 * what names the service in errors. */
static gorc_wrapper_result run_initializers(const uint8_t *arg, size_t len, void *dso, const char *what) {
	uint64_t ninit, nfini;
	if (!rd_u64(arg, len, 0, &ninit) || ninit > len / 8)
		return wr_err("%s: bad argument (%zu bytes)", what, len);
	if (!rd_u64(arg, len, 1 + ninit, &nfini) || len != (2 + ninit + nfini) * 8)
		return wr_err("%s: bad argument (%zu bytes, %llu initializers)", what, len,
			      (unsigned long long)ninit);
	uint64_t *inits = malloc((ninit + nfini + 1) * 8);
	if (!inits) return wr_err("%s: out of memory", what);
	uint64_t *finis = inits + ninit;
	for (uint64_t i = 0; i < ninit; i++) rd_u64(arg, len, 1 + i, &inits[i]);
	for (uint64_t i = 0; i < nfini; i++) rd_u64(arg, len, 2 + ninit + i, &finis[i]);
	for (uint64_t i = 0; i < ninit + nfini; i++)
		if (inits[i] == 0) {
			free(inits);
			return wr_err("%s: null function address at index %llu", what, (unsigned long long)i);
		}
	/* In a shared executor, finalizers in a controller's memory go under
	 * its reservation's handle, finalized before that memory is freed. */
	if (dso == &gorc_dso_handle && nfini > 0) dso = gorc_owner_dso(finis[0]);
	int e = register_finis(finis, nfini, dso);
	if (e) {
		free(inits);
		return wr_err("%s: cannot register %llu finalizers", what, (unsigned long long)nfini);
	}
	run_inits(inits, ninit, prog_argc, prog_argv ? prog_argv : empty_argv);
	free(inits);
	return wr_ok(NULL, 0);
}

/* Service: run initializers. Argument: u64 ninit, ninit u64 addresses,
 * u64 nfini, nfini u64 addresses. Finalizers are registered (to run at
 * exit, in the given order) before the initializers run. */
gorc_wrapper_result gorc_svc_run_initializers(const uint8_t *arg, size_t len) {
	return run_initializers(arg, len, &gorc_dso_handle, "run-initializers");
}

/* Service: run a module's initializers. Argument: u64 DSO handle (the
 * module's, see module.c), then as for run-initializers. The finalizers
 * are registered under the module's handle: they run when the module is
 * finalized (__gorc_module_finalize) or, if it never is, at exit. */
gorc_wrapper_result gorc_svc_module_init(const uint8_t *arg, size_t len) {
	uint64_t dso;
	if (!rd_u64(arg, len, 0, &dso) || dso == 0)
		return wr_err("module-init: want a non-zero DSO handle first (%zu argument bytes)", len);
	return run_initializers(arg + 8, len - 8, (void *)(uintptr_t)dso, "module-init");
}

/* ---------- EH frames ---------- */

static pthread_mutex_t eh_mu = PTHREAD_MUTEX_INITIALIZER;
static void (*reg_frame)(const void *);
static void (*dereg_frame)(const void *);
/* libgcc's _Unwind_Find_FDE (NULL if it lacks one), resolved with the
 * other two by eh_load under eh_mu, read only after an eh_load under eh_mu
 * succeeded (gorc_find_fde_func). */
static const void *(*find_fde)(void *, void *);
static char *eh_load_err;

/* The registered addresses: an open-addressing hash set (linear probing),
 * so that registering and deregistering stay O(1) with thousands of JIT'd
 * objects (a lazy JIT registers one per compiled function). Key 0 marks a
 * free slot, EH_GONE a deleted one; neither is a valid eh-frame address. */
#define EH_GONE UINT64_MAX
static uint64_t *eh_set;
static size_t eh_cap, eh_used; /* eh_used counts live and deleted slots */

static size_t eh_hash(uint64_t a, size_t cap) {
	a ^= a >> 33;
	a *= 0xff51afd7ed558ccdULL;
	a ^= a >> 33;
	return (size_t)a & (cap - 1);
}

/* eh_find returns the slot holding addr, or -1. */
static long eh_find(uint64_t addr) {
	if (!eh_cap) return -1;
	for (size_t i = eh_hash(addr, eh_cap);; i = (i + 1) & (eh_cap - 1)) {
		if (eh_set[i] == addr) return (long)i;
		if (eh_set[i] == 0) return -1;
	}
}

/* eh_add inserts addr (not present); 0 when out of memory. */
static int eh_add(uint64_t addr) {
	if ((eh_used + 1) * 4 > eh_cap * 3) {
		size_t ncap = eh_cap ? eh_cap * 2 : 64;
		uint64_t *n = calloc(ncap, sizeof *n);
		if (!n) return 0;
		size_t live = 0;
		for (size_t i = 0; i < eh_cap; i++) {
			uint64_t a = eh_set[i];
			if (a == 0 || a == EH_GONE) continue;
			size_t j = eh_hash(a, ncap);
			while (n[j]) j = (j + 1) & (ncap - 1);
			n[j] = a;
			live++;
		}
		free(eh_set);
		eh_set = n;
		eh_cap = ncap;
		eh_used = live;
	}
	size_t i = eh_hash(addr, eh_cap);
	while (eh_set[i] != 0 && eh_set[i] != EH_GONE) i = (i + 1) & (eh_cap - 1);
	if (eh_set[i] == 0) eh_used++;
	eh_set[i] = addr;
	return 1;
}

static int eh_load(void) {
	if (reg_frame) return 1;
	if (eh_load_err) return 0;
	void *h = dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_GLOBAL);
	if (!h) {
		eh_load_err = dup_dlerror("cannot load libgcc_s.so.1");
		return 0;
	}
	void *r = dlsym(h, "__register_frame"), *d = dlsym(h, "__deregister_frame");
	if (!r || !d) {
		eh_load_err = strdup("libgcc_s.so.1 lacks __register_frame/__deregister_frame");
		return 0;
	}
	find_fde = (const void *(*)(void *, void *))dlsym(h, "_Unwind_Find_FDE");
	reg_frame = (void (*)(const void *))r;
	dereg_frame = (void (*)(const void *))d;
	return 1;
}

/* Walk the CIE/FDE records of [addr, addr+size): they must end with a
 * zero-length terminator inside the range (libgcc's __register_frame reads
 * until one). Returns NULL or a malloc'd message. */
static char *eh_check(uint64_t addr, uint64_t size) {
	const uint8_t *p = (const uint8_t *)(uintptr_t)addr;
	uint64_t off = 0;
	while (off + 4 <= size) {
		uint32_t l;
		memcpy(&l, p + off, 4);
		if (l == 0) return NULL;
		uint64_t rec = l, hdr = 4;
		if (l == 0xffffffffu) {
			if (off + 12 > size) break;
			memcpy(&rec, p + off + 4, 8);
			hdr = 12;
		}
		if (rec > size - off - hdr) {
			char *m;
			if (asprintf(&m, "eh-frame at %#llx: record at offset %#llx has length %#llx past the section end (size %#llx)",
				     (unsigned long long)addr, (unsigned long long)off, (unsigned long long)rec,
				     (unsigned long long)size) < 0)
				m = strdup("eh-frame: bad record");
			return m;
		}
		off += hdr + rec;
	}
	char *m;
	if (asprintf(&m, "eh-frame at %#llx (size %#llx): no zero terminator; the section must end with 4 zero bytes",
		     (unsigned long long)addr, (unsigned long long)size) < 0)
		m = strdup("eh-frame: no terminator");
	return m;
}

/* Service: register an .eh_frame section. Argument: u64 address, u64 size. */
gorc_wrapper_result gorc_svc_eh_frame_register(const uint8_t *arg, size_t len) {
	uint64_t addr, size;
	if (len != 16 || !rd_u64(arg, len, 0, &addr) || !rd_u64(arg, len, 1, &size))
		return wr_err("eh-frame register: want 16 argument bytes (address, size), got %zu", len);
	if (addr == 0 || size < 4) return wr_err("eh-frame register: bad range %#llx+%#llx", (unsigned long long)addr, (unsigned long long)size);
	char *m = eh_check(addr, size);
	if (m) {
		gorc_wrapper_result r = {0};
		r.error = m;
		return r;
	}
	pthread_mutex_lock(&eh_mu);
	if (!eh_load()) {
		pthread_mutex_unlock(&eh_mu);
		return wr_err("eh-frame register: %s", eh_load_err);
	}
	if (addr == EH_GONE || eh_find(addr) >= 0) {
		pthread_mutex_unlock(&eh_mu);
		return wr_err("eh-frame register: %#llx is already registered", (unsigned long long)addr);
	}
	if (!eh_add(addr)) {
		pthread_mutex_unlock(&eh_mu);
		return wr_err("eh-frame register: out of memory");
	}
	reg_frame((const void *)(uintptr_t)addr);
	pthread_mutex_unlock(&eh_mu);
	return wr_ok(NULL, 0);
}

/* Service: deregister an .eh_frame section. Argument: u64 address, u64 size. */
gorc_wrapper_result gorc_svc_eh_frame_deregister(const uint8_t *arg, size_t len) {
	uint64_t addr, size;
	if (len != 16 || !rd_u64(arg, len, 0, &addr) || !rd_u64(arg, len, 1, &size))
		return wr_err("eh-frame deregister: want 16 argument bytes (address, size), got %zu", len);
	pthread_mutex_lock(&eh_mu);
	long slot = addr == 0 || addr == EH_GONE ? -1 : eh_find(addr);
	if (slot < 0) {
		pthread_mutex_unlock(&eh_mu);
		return wr_err("eh-frame deregister: %#llx was not registered", (unsigned long long)addr);
	}
	eh_set[slot] = EH_GONE;
	dereg_frame((const void *)(uintptr_t)addr);
	pthread_mutex_unlock(&eh_mu);
	return wr_ok(NULL, 0);
}

/* ---------- TLS ---------- */

uint64_t gorc_thread_pointer(void) {
#if defined(__x86_64__)
	uint64_t tp;
	__asm__("mov %%fs:0, %0" : "=r"(tp));
	return tp;
#elif defined(__aarch64__)
	uint64_t tp;
	__asm__("mrs %0, tpidr_el0" : "=r"(tp));
	return tp;
#else
#error "unsupported architecture"
#endif
}

static pthread_mutex_t tls_mu = PTHREAD_MUTEX_INITIALIZER;
struct tls_img {
	uint64_t addr, size;
	struct tls_img *next;
};
static struct tls_img *tls_imgs;

int gorc_tls_info(uint64_t handle, uint64_t tpoff_slot, uint64_t *modid, int64_t *tpoff, char **err) {
	void *h = (void *)(uintptr_t)handle;
	size_t id = 0;
	dlerror();
	if (dlinfo(h, RTLD_DI_TLS_MODID, &id) != 0 || id == 0) {
		*err = dup_dlerror("module has no TLS");
		return -1;
	}
	*modid = id;
	/* The carrier's R_X86_64_TPOFF64 relocation left the block's offset
	 * from the thread pointer in its slot. */
	int64_t off;
	memcpy(&off, (const void *)(uintptr_t)tpoff_slot, 8);
	*tpoff = off;
	return 0;
}

struct tls_modname {
	size_t modid;
	char *name;
	uint64_t memsz, align;
};

static int tls_modname_cb(struct dl_phdr_info *info, size_t size, void *data) {
	struct tls_modname *m = data;
	(void)size;
	if (info->dlpi_tls_modid != m->modid) return 0;
	m->name = strdup(info->dlpi_name && info->dlpi_name[0] ? info->dlpi_name : "the executable");
	for (int i = 0; i < info->dlpi_phnum; i++) {
		if (info->dlpi_phdr[i].p_type == PT_TLS) {
			m->memsz = info->dlpi_phdr[i].p_memsz;
			m->align = info->dlpi_phdr[i].p_align;
		}
	}
	return 1;
}

/* gorc_tls_extern dlopens (RTLD_NOW | RTLD_LOCAL) a carrier object
 * whose relocations R_X86_64_DTPMOD64, R_X86_64_DTPOFF64 and, when
 * nslots is 3, R_X86_64_TPOFF64 name one undefined thread-local
 * symbol: ld.so resolves it in the global scope and writes the defining
 * module's TLS id, the symbol's offset in that module's block and (a
 * TPOFF64 first moving the module into static TLS, CHECK_STATIC_TLS) its
 * offset from the thread pointer into the slots at the carrier's base +
 * slots, out[0..nslots); out[3] and out[4] get the size and alignment of
 * the module's TLS block. lib gets the defining module's name. The
 * carrier is closed again. Returns 1, or 0 with *err set (dlerror's
 * text). */
uint64_t gorc_tls_extern(const char *path, uint64_t slots, int nslots, uint64_t *out, char **lib, char **err) {
	dlerror();
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		*err = dup_dlerror("dlopen failed");
		return 0;
	}
	struct link_map *lm = NULL;
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0 || !lm) {
		*err = dup_dlerror("dlinfo failed");
		return 0;
	}
	memcpy(out, (const void *)(uintptr_t)(lm->l_addr + slots), 8 * (size_t)nslots);
	struct tls_modname m = {(size_t)out[0], NULL, 0, 0};
	if (m.modid) dl_iterate_phdr(tls_modname_cb, &m);
	*lib = m.name;
	out[3] = m.memsz;
	out[4] = m.align;
	/* The answers are read: the carrier can go (the defining module
	 * keeps its static TLS placement for good). */
	dlclose(h);
	return 1;
}

static void *tpoff_thread(void *p) {
	uint64_t *io = p;
	void *data = NULL;
	if (dlinfo((void *)(uintptr_t)io[0], RTLD_DI_TLS_DATA, &data) != 0 || !data) {
		io[1] = 0;
		return NULL;
	}
	io[1] = (uint64_t)(uintptr_t)data - gorc_thread_pointer();
	return NULL;
}

int64_t gorc_tls_tpoff_in_new_thread(uint64_t handle) {
	uint64_t io[2] = {handle, 0};
	pthread_t t;
	if (pthread_create(&t, NULL, tpoff_thread, io) != 0) return 0;
	pthread_join(t, NULL);
	return (int64_t)io[1];
}

uint64_t gorc_link_map_base(uint64_t handle) {
	struct link_map *lm = NULL;
	if (dlinfo((void *)(uintptr_t)handle, RTLD_DI_LINKMAP, &lm) != 0 || !lm) return 0;
	return (uint64_t)lm->l_addr;
}

void gorc_tls_register_image(uint64_t addr, uint64_t size) {
	struct tls_img *t = malloc(sizeof *t);
	if (!t) return;
	t->addr = addr;
	t->size = size;
	pthread_mutex_lock(&tls_mu);
	t->next = tls_imgs;
	tls_imgs = t;
	pthread_mutex_unlock(&tls_mu);
}

/* Service: copy a linked TLS image into the initialization image of a TLS
 * block, so that threads created afterwards start with it. Argument: u64
 * destination (the block's image address, or inside it), u64 source, u64
 * size. */
gorc_wrapper_result gorc_svc_tls_set_image(const uint8_t *arg, size_t len) {
	uint64_t dst, src, size;
	if (len != 24 || !rd_u64(arg, len, 0, &dst) || !rd_u64(arg, len, 1, &src) || !rd_u64(arg, len, 2, &size))
		return wr_err("tls-set-image: want 24 argument bytes (dst, src, size), got %zu", len);
	int ok = 0;
	pthread_mutex_lock(&tls_mu);
	for (struct tls_img *t = tls_imgs; t; t = t->next)
		if (dst >= t->addr && size <= t->size && dst - t->addr <= t->size - size) ok = 1;
	pthread_mutex_unlock(&tls_mu);
	if (!ok)
		return wr_err("tls-set-image: [%#llx, +%#llx) is not inside a TLS initialization image",
			      (unsigned long long)dst, (unsigned long long)size);
	if (size && src == 0) return wr_err("tls-set-image: null source");
	memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, size);
	gorc_call_tls_ready(dst, size);
	return wr_ok(NULL, 0);
}

int gorc_memfd(const char *name) {
	int fd = memfd_create(name, MFD_CLOEXEC);
	gorc_private_fd(fd, 1);
	return fd;
}

/* Addresses of the bootstrap symbols, in the order of bootstrapNames in
 * executor.go. */
void gorc_bootstrap(uint64_t *out) {
	int i = 0;
	out[i++] = (uint64_t)(uintptr_t)&gorc_svc_eh_frame_register;
	out[i++] = (uint64_t)(uintptr_t)&gorc_svc_eh_frame_deregister;
	out[i++] = (uint64_t)(uintptr_t)&gorc_svc_run_initializers;
	out[i++] = (uint64_t)(uintptr_t)&gorc_svc_tls_set_image;
	out[i++] = (uint64_t)(uintptr_t)&gorc_svc_echo;
	out[i++] = (uint64_t)(uintptr_t)&gorc_atexit;
	out[i++] = (uint64_t)(uintptr_t)&gorc_at_quick_exit;
	out[i++] = (uint64_t)(uintptr_t)&gorc_dso_handle;
	out[i++] = (uint64_t)(uintptr_t)&gorc_pthread_atfork;
	out[i++] = (uint64_t)(uintptr_t)&gorc_pthread_atfork;
	out[i++] = (uint64_t)(uintptr_t)&gorc_stack_chk_fail_local;
	out[i++] = (uint64_t)(uintptr_t)&gorc_svc_lazy_names; /* gorc_lazynames.c */
}

/* Load libgcc_s's EH-frame registration now (what the first EH-frame
 * registration would do): 1 if it is available, 0 if not (the error is
 * kept and reported by that registration). */
int gorc_eh_preload(void) {
	pthread_mutex_lock(&eh_mu);
	int ok = eh_load();
	pthread_mutex_unlock(&eh_mu);
	return ok;
}

/* The start of the function whose FDE covers pc, as libgcc's unwinder
 * finds it (0 if none): shows what the unwinder knows. */
uint64_t gorc_find_fde_func(uint64_t pc) {
	struct bases {
		void *tbase, *dbase, *func;
	} b = {0};
	/* find_fde is set by eh_load and read under the same lock, so a first
	 * call racing another thread's first registration (or first call)
	 * never sees it half-initialized. */
	pthread_mutex_lock(&eh_mu);
	const void *(*find)(void *, void *) = eh_load() ? find_fde : NULL;
	pthread_mutex_unlock(&eh_mu);
	if (!find || !find((void *)(uintptr_t)pc, &b)) return 0;
	return (uint64_t)(uintptr_t)b.func;
}

/* ---------- crashes ---------- */

/* A fault in JIT'd code (or in libc called from it) must end the process
 * the way it ends a native program: killed by the signal, so the shell
 * sees 128+signal. Go's runtime handles these signals for the whole
 * process and would instead print a goroutine dump and exit 2. Following
 * the os/signal rules for cgo programs, gorc's handler forwards a signal
 * to Go's handler when the faulting PC is in the executable's own text
 * (Go code, or C compiled into gorc), and otherwise restores the default
 * action and re-raises it. */
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <ucontext.h>

extern char __executable_start[];
extern char etext[];

static const int crash_sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
#define NCRASH (sizeof crash_sigs / sizeof crash_sigs[0])
static struct sigaction go_handlers[NCRASH];
static int crash_installed;

/* Descriptor of a controller connection that wants a crash report (a
 * wire "crash" frame: signal, pc, fault address) before the executor dies;
 * -1 if none. Only async-signal-safe calls are used. */
static volatile int crash_fd = -1;

void gorc_set_crash_fd(int fd) { crash_fd = fd; }

/* In-process runs: the read end of a pipe on which the controller (a Go
 * goroutine of this same process, which read the crash frame from
 * crash_fd) says it has reported the crash; the handler waits for it (at
 * most about 2 s) before the signal ends the process. -1: do not wait. */
static volatile int crash_ack_fd = -1;

void gorc_set_crash_ack_fd(int fd) { crash_ack_fd = fd; }

static void wait_crash_ack(void) {
	int fd = crash_ack_fd;
	if (fd < 0 || crash_fd < 0 || !is_executor()) return;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	for (int i = 0; i < 20; i++) {
		int k = poll(&p, 1, 100);
		if (k < 0 && errno == EINTR) continue;
		if (k != 0) break;
	}
	if (p.revents & POLLIN) {
		char c;
		(void)read(fd, &c, 1);
	}
}

/* Read ends of the program's stdout/stderr pipes when its stdio is
 * forwarded over the connection (-1: not forwarded). */
static volatile int stdio_out_fd = -1, stdio_err_fd = -1;

void gorc_set_stdio_fds(int out, int err) {
	stdio_out_fd = out;
	stdio_err_fd = err;
}

/* Held (1) by Go while it writes a frame on the connection; a dying
 * executor takes it for good (2) before its last frames. */
static volatile int wire_lock;

int *gorc_wire_lock(void) { return (int *)&wire_lock; }

/* Held (1) by Go's stdout/stderr pump from reading a pipe until it has
 * sent what it read; a dying executor takes both for good (2), so output
 * already taken from a pipe is sent before the handler drains the rest. */
static volatile int pump_lock[2];

int *gorc_pump_lock(int i) { return (int *)&pump_lock[i & 1]; }

static void take_for_good(volatile int *l) {
	/* Wait at most about 200 ms for the holder to finish. */
	for (int i = 0; i < 200; i++) {
		int zero = 0;
		if (__atomic_compare_exchange_n(l, &zero, 2, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return;
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	__atomic_store_n(l, 2, __ATOMIC_SEQ_CST);
}

static void write_all(int fd, const uint8_t *p, size_t n) {
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR) continue;
		if (k <= 0) return;
		p += k;
		n -= (size_t)k;
	}
}

/* Send what the program wrote to a forwarded pipe (non-blocking read
 * end) as wire frames of the given kind. */
static void drain_pipe(int fd, int pipefd, uint8_t kind) {
	uint8_t f[16 + 4096];
	for (int round = 0; pipefd >= 0 && round < 64; round++) {
		ssize_t n = read(pipefd, f + 16, sizeof f - 16);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) return;
		memset(f, 0, 16);
		f[0] = (uint8_t)n;
		f[1] = (uint8_t)(n >> 8);
		f[4] = kind;
		write_all(fd, f, 16 + (size_t)n);
	}
}

/* The return addresses of the crashing thread (libgcc_s's unwinder, the
 * one JIT'd code registers its frames with), so the controller can name
 * the JIT'd caller of a fault inside libc (abort). Resolved when the
 * handlers are installed: dlsym is not async-signal-safe. */
#define CRASH_FRAMES 32
struct unwind_ctx;
typedef int (*unwind_trace_fn)(struct unwind_ctx *, void *);
static int (*unwind_backtrace)(unwind_trace_fn, void *);
static uintptr_t (*unwind_get_ip)(struct unwind_ctx *);

struct crash_trace {
	uint64_t pcs[CRASH_FRAMES];
	int n;
};

static int crash_trace_step(struct unwind_ctx *c, void *arg) {
	struct crash_trace *t = arg;
	if (t->n >= CRASH_FRAMES) return 4; /* _URC_NORMAL_STOP */
	uintptr_t ip = unwind_get_ip(c);
	if (ip == 0) return 5; /* _URC_END_OF_STACK */
	t->pcs[t->n++] = (uint64_t)ip;
	return 0; /* _URC_NO_REASON */
}

/* Whether the code at pc can be read: libgcc's unwinder, finding no FDE
 * for a frame, reads the instructions at its pc (up to 9 bytes, looking
 * for the signal return trampoline), and a fault there, inside the crash
 * handler with every signal blocked, killed the process without a report
 * (a call through a bad non-null pointer, a return to a smashed address).
 * process_vm_readv on this process reads without faulting; if the system
 * refuses the call, the code is assumed readable, as before. Async-signal
 * safe; errno is kept. */
static int code_readable(uint64_t pc) {
	uint8_t b[9];
	struct iovec local = {b, sizeof b}, remote = {(void *)(uintptr_t)pc, sizeof b};
	int saved = errno;
	long r = syscall(SYS_process_vm_readv, (long)getpid(), &local, 1L, &remote, 1L, 0L);
	int ok = r == (long)sizeof b || (r < 0 && errno != EFAULT);
	errno = saved;
	return ok;
}

/* The crashing thread's backtrace, taken once for both reports. libgcc's
 * unwinder reads each frame's return address and, for a pc it has no FDE
 * for, the code there; a stack smashed above a readable faulting pc
 * (garbage return addresses, a garbage frame pointer) makes it fault
 * inside this handler, where every signal is blocked: the kernel then
 * killed the process at once, with no report. So the unwind runs with
 * SIGSEGV and SIGBUS unblocked and a way back (unwind_escape): a fault in
 * it re-enters crash_handler on the same alternate stack, which jumps
 * back here, and the frames found before it are kept. Returns 1 if the
 * backtrace stopped at an unreadable frame. */
static __thread sigjmp_buf *unwind_escape;
static __thread volatile int unwinding;

static int take_backtrace(struct crash_trace *t, uint64_t pc) {
	if (!unwind_backtrace || !unwind_get_ip) return 0;
	if (!code_readable(pc)) return 0;
	sigjmp_buf jb;
	/* savemask=1: siglongjmp restores the handler's mask (all blocked). */
	if (sigsetjmp(jb, 1) != 0) {
		unwinding = 0;
		unwind_escape = NULL;
		return 1;
	}
	unwind_escape = &jb;
	__atomic_store_n(&unwinding, 1, __ATOMIC_SEQ_CST);
	sigset_t faults, old;
	sigemptyset(&faults);
	sigaddset(&faults, SIGSEGV);
	sigaddset(&faults, SIGBUS);
	pthread_sigmask(SIG_UNBLOCK, &faults, &old);
	unwind_backtrace(crash_trace_step, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	__atomic_store_n(&unwinding, 0, __ATOMIC_SEQ_CST);
	unwind_escape = NULL;
	return 0;
}

static void resolve_unwinder(void) {
	void *h = dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_GLOBAL);
	if (!h) return;
	unwind_get_ip = (uintptr_t (*)(struct unwind_ctx *))dlsym(h, "_Unwind_GetIP");
	unwind_backtrace = (int (*)(unwind_trace_fn, void *))dlsym(h, "_Unwind_Backtrace");
}

static void report_crash(int sig, uint64_t pc, uint64_t addr, const struct crash_trace *tp) {
	int fd = crash_fd;
	if (fd < 0 || !is_executor()) return;
	/* The pumps first (they need the wire to finish), then the wire. */
	if (stdio_out_fd >= 0 || stdio_err_fd >= 0) {
		take_for_good(&pump_lock[0]);
		take_for_good(&pump_lock[1]);
	}
	take_for_good(&wire_lock);
	drain_pipe(fd, stdio_out_fd, 7); /* wire.KindStdout */
	drain_pipe(fd, stdio_err_fd, 8); /* wire.KindStderr */
	/* Payload: signal, pc, fault address, then the count and the return
	 * addresses of the frames (the handler's own frames included; the
	 * controller looks for JIT'd ones). */
	struct crash_trace t = *tp;
	uint8_t f[16 + 32 + 8 * CRASH_FRAMES];
	memset(f, 0, sizeof f);
	uint32_t len = 32 + 8 * (uint32_t)t.n;
	memcpy(f, &len, 4); /* payload length, little endian */
	f[4] = 6;           /* wire.KindCrash */
	uint64_t v[4] = {(uint64_t)sig, pc, addr, (uint64_t)t.n};
	memcpy(f + 16, v, sizeof v); /* little endian on x86-64 and aarch64 */
	memcpy(f + 48, t.pcs, 8 * (size_t)t.n);
	write_all(fd, f, 16 + len);
}

/* A shared executor's crash report: the faulting thread writes a record
 * (signal, pc, fault address, the controller it ran code for, then the
 * count and return addresses of its frames) to shared_crash_fd, read by a
 * Go goroutine of this process that tells every controller, and waits
 * (at most about 2 s) for one byte on shared_ack_fd saying it is done. -1:
 * not a shared executor. Only async-signal-safe calls. */
static volatile int shared_crash_fd = -1, shared_ack_fd = -1;

void gorc_set_shared_crash_fds(int report, int ack) {
	shared_crash_fd = report;
	shared_ack_fd = ack;
}

static void report_shared_crash(int sig, uint64_t pc, uint64_t addr, const struct crash_trace *tp) {
	int fd = shared_crash_fd, ack = shared_ack_fd;
	if (fd < 0 || ack < 0 || !is_executor()) return;
	struct crash_trace t = *tp;
	uint64_t rec[5 + CRASH_FRAMES];
	memset(rec, 0, sizeof rec);
	rec[0] = (uint64_t)sig;
	rec[1] = pc;
	rec[2] = addr;
	rec[3] = thr_origin;
	rec[4] = (uint64_t)t.n;
	memcpy(rec + 5, t.pcs, 8 * (size_t)t.n);
	write_all(fd, (const uint8_t *)rec, sizeof rec); /* one record, fixed size */
	struct pollfd p = {.fd = ack, .events = POLLIN};
	for (int i = 0; i < 20; i++) {
		int k = poll(&p, 1, 100);
		if (k < 0 && errno == EINTR) continue;
		if (k != 0) break;
	}
}

/* Async-signal-safe formatting for the crash handler. */
static size_t put_str(char *b, size_t n, size_t cap, const char *s) {
	while (*s && n + 1 < cap) b[n++] = *s++;
	return n;
}

static size_t put_hex(char *b, size_t n, size_t cap, uint64_t v) {
	char d[16];
	int k = 0;
	do {
		d[k++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v && k < 16);
	n = put_str(b, n, cap, "0x");
	while (k > 0 && n + 1 < cap) b[n++] = d[--k];
	return n;
}

/* A SIGSEGV/SIGBUS whose fault address lies in or just below the
 * thread's stack (its guard page, or a frame pushed past it), or, for a
 * thread whose bounds are unknown, within 64 KiB below the stack
 * pointer. */
static int is_stack_overflow(int sig, uint64_t addr, uint64_t sp) {
	if (sig != SIGSEGV && sig != SIGBUS) return 0;
	const uint64_t slack = 64 * 1024;
	if (thr_stack_lo && addr < thr_stack_lo + 4096 && addr + thr_guard + slack >= thr_stack_lo) return 1;
	return sp && addr < sp + 256 && addr + slack >= sp;
}

#if defined(__x86_64__)
extern char gorc_reentry[], gorc_reentry_probed[];
#endif

/* reentry_probe_fault: the fault is the lazy re-entry point's stack
 * probe (reentry_amd64.S) on a thread running JIT'd code, whose stack
 * had too little left for a first call. */
static int reentry_probe_fault(int sig, uint64_t pc, uint64_t sp, uint64_t addr) {
#if defined(__x86_64__)
	if (sig != SIGSEGV && sig != SIGBUS) return 0;
	if (pc < (uint64_t)(uintptr_t)gorc_reentry || pc >= (uint64_t)(uintptr_t)gorc_reentry_probed) return 0;
	(void)addr;
	return sp != 0;
#else
	(void)sig, (void)pc, (void)sp, (void)addr;
	return 0;
#endif
}

static void crash_handler(int sig, siginfo_t *info, void *uctx) {
	/* A fault inside this handler's own backtrace (take_backtrace): back
	 * to it, before anything else. */
	if ((sig == SIGSEGV || sig == SIGBUS) && __atomic_load_n(&unwinding, __ATOMIC_SEQ_CST) && unwind_escape) {
		unwinding = 0;
		siglongjmp(*unwind_escape, 1);
	}
	uint64_t pc = 0, sp = 0;
#if defined(__x86_64__)
	if (uctx) {
		pc = (uint64_t)((ucontext_t *)uctx)->uc_mcontext.gregs[REG_RIP];
		sp = (uint64_t)((ucontext_t *)uctx)->uc_mcontext.gregs[REG_RSP];
	}
#elif defined(__aarch64__)
	if (uctx) {
		pc = (uint64_t)((ucontext_t *)uctx)->uc_mcontext.pc;
		sp = (uint64_t)((ucontext_t *)uctx)->uc_mcontext.sp;
	}
#endif
	size_t i;
	for (i = 0; i < NCRASH; i++)
		if (crash_sigs[i] == sig) break;
	int in_go = pc >= (uint64_t)(uintptr_t)__executable_start && pc < (uint64_t)(uintptr_t)etext;
	uint64_t addr0 = info ? (uint64_t)(uintptr_t)info->si_addr : 0;
	int reentry_probe = reentry_probe_fault(sig, pc, sp, addr0);
	if (in_go && i < NCRASH && !reentry_probe) {
		struct sigaction *old = &go_handlers[i];
		if (old->sa_flags & SA_SIGINFO) {
			if (old->sa_sigaction) {
				old->sa_sigaction(sig, info, uctx);
				return;
			}
		} else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
			old->sa_handler(sig);
			return;
		}
	}
	uint64_t addr = addr0;
	if (reentry_probe) {
		/* A lazy first call with too little stack left (the re-entry
		 * point's probe faulted): name the function (async-signal-safe
		 * lookup of the trampoline's name slot). The crash report
		 * follows, as for any stack overflow. */
		uint64_t ret = 0;
		memcpy(&ret, (const void *)(uintptr_t)sp, 8);
		size_t nl = 0;
		const char *name = gorc_lazy_name_of(ret, &nl);
		if (nl > 256) nl = 256;
		char m[512];
		size_t n = 0;
		n = put_str(m, n, sizeof m, "gorc: stack exhausted in lazy first call of ");
		if (name) {
			for (size_t k = 0; k < nl && n + 1 < sizeof m; k++) m[n++] = name[k];
			n = put_str(m, n, sizeof m, " (trampoline ");
		} else {
			n = put_str(m, n, sizeof m, "the function behind trampoline ");
		}
		n = put_hex(m, n, sizeof m, ret);
		n = put_str(m, n, sizeof m, name ? ")" : "");
		n = put_str(m, n, sizeof m, ": the re-entry needs 8 KB of the thread's stack (stack pointer ");
		n = put_hex(m, n, sizeof m, sp);
		n = put_str(m, n, sizeof m, ")\n");
		write_all(2, (const uint8_t *)m, n);
	} else if (is_executor() && is_stack_overflow(sig, addr, sp)) {
		/* Said on the program's stderr: forwarded (drained below) or
		 * inherited, it reaches the controller's user before the crash
		 * report. */
		char m[128];
		size_t n = 0;
		n = put_str(m, n, sizeof m, "gorc: stack overflow (fault address ");
		n = put_hex(m, n, sizeof m, addr);
		n = put_str(m, n, sizeof m, ", stack pointer ");
		n = put_hex(m, n, sizeof m, sp);
		n = put_str(m, n, sizeof m, ")\n");
		write_all(2, (const uint8_t *)m, n);
	}
	/* A jump or call to a bad address (a null function pointer, an
	 * unresolved weak function) faults on the instruction fetch, and the
	 * unwinder knows nothing at that pc: the return address on top of the
	 * stack (pushed by the call, or the caller's for a tail jump) names
	 * the JIT'd caller. */
	uint64_t ret_hint = 0;
	if (sig == SIGSEGV && addr == pc && thr_stack_lo && sp >= thr_stack_lo && sp + 8 <= thr_stack_hi)
		memcpy(&ret_hint, (const void *)(uintptr_t)sp, 8);
	struct crash_trace t;
	t.n = 0;
	if (ret_hint) t.pcs[t.n++] = ret_hint;
	if (is_executor() && (crash_fd >= 0 || shared_crash_fd >= 0) && take_backtrace(&t, pc)) {
		/* On the program's stderr, as the stack overflow note: the
		 * report itself follows, with the frames found before the
		 * unreadable one. */
		static const char m[] = "gorc: backtrace stopped: unreadable frame\n";
		write_all(2, (const uint8_t *)m, sizeof m - 1);
	}
	report_crash(sig, pc, addr, &t);
	wait_crash_ack();
	report_shared_crash(sig, pc, addr, &t);
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	/* A synchronous fault re-executes the faulting instruction and gets
	 * the default action when this handler returns. */
}

int gorc_install_crash_handlers(void) {
	if (__atomic_exchange_n(&crash_installed, 1, __ATOMIC_SEQ_CST)) return 0;
	resolve_unwinder();
	for (size_t i = 0; i < NCRASH; i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = crash_handler;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
		sigfillset(&sa.sa_mask);
		if (sigaction(crash_sigs[i], &sa, &go_handlers[i]) != 0) return errno;
	}
	return 0;
}

/* ---------- shared memory ---------- */

#include <fcntl.h>
#include <linux/falloc.h>

/* Reserve size bytes backed by a new memfd, mapped MAP_SHARED and
 * PROT_NONE here (below 2 GiB if low). The controller maps the same memfd
 * read-write and writes code straight into it. */
int gorc_mem_reserve_shared(uint64_t size, int low, uint64_t *out, int *fdout) {
	int fd = memfd_create("gorc-slab", MFD_CLOEXEC);
	if (fd < 0) return errno;
	gorc_private_fd(fd, 1);
	if (ftruncate(fd, (off_t)size) != 0) {
		int e = errno;
		gorc_close_fd(fd);
		return e;
	}
	uint64_t addr;
	int e = gorc_mem_reserve(size, low, &addr);
	if (e) {
		gorc_close_fd(fd);
		return e;
	}
	void *p = mmap((void *)(uintptr_t)addr, size, PROT_NONE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		e = errno;
		munmap((void *)(uintptr_t)addr, size);
		gorc_close_fd(fd);
		return e;
	}
	shared_map_add(addr, size, fd, 0, 0);
	*out = addr;
	*fdout = fd;
	return 0;
}

/* Map size bytes of the memfd fd (inherited from the controller, which
 * created it at the spawn and already maps it) exactly at addr, MAP_SHARED
 * and PROT_NONE, never replacing a mapping. The descriptor is made
 * close-on-exec and private first: a program the JIT'd code execs or
 * forks must not inherit it. */
int gorc_mem_reserve_shared_at(int fd, uint64_t addr, uint64_t size) {
	int fl = fcntl(fd, F_GETFD);
	if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) != 0) return errno;
	gorc_private_fd(fd, 1);
	struct stat st;
	if (fstat(fd, &st) != 0) return errno;
	if ((uint64_t)st.st_size < size) return ERANGE;
	void *p = mmap((void *)(uintptr_t)addr, size, PROT_NONE, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	if (p == MAP_FAILED) return errno;
	if ((uint64_t)(uintptr_t)p != addr) { /* old kernel: hint ignored */
		munmap(p, size);
		return EEXIST;
	}
	shared_map_add(addr, size, fd, 0, 0);
	return 0;
}

/* Discard [off, off+size) of a shared reservation: both views read zero. */
int gorc_mem_decommit_shared(int fd, uint64_t addr, uint64_t off, uint64_t size) {
	if (mprotect((void *)(uintptr_t)addr, size, PROT_NONE) != 0) return errno;
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)size) != 0) return errno;
	return 0;
}

int gorc_close_fd(int fd) {
	gorc_private_fd(fd, 0);
	return close(fd) == 0 ? 0 : errno;
}

/* Set by gorc__exit: the program ends without flushing its stdio
 * buffers, and the exit report must not flush them either. */
static volatile int exiting_unflushed;

void gorc_flush_stdio(void) {
	if (!exiting_unflushed) fflush(NULL);
}

void gorc_flush_stdio_nowait(void) {
	if (!exiting_unflushed) flush_std_nowait();
}

/* ---------- lazy re-entry ---------- */

extern uint64_t gorcReentry(uint64_t trampoline);

/* A first call of a lazy function in a process the program forked. The
 * function cannot be compiled here: the controller's connection belongs
 * to the executor's process (the child closed it at the fork), and in
 * process the Go runtime that would compile it is not usable in a forked
 * child (only the forking thread exists: a lock another thread held at
 * the fork, a garbage collection waiting for threads that are gone or the
 * scheduler can each hang it for good). So the child never re-enters Go:
 * it says why in one write(2) (never interleaved or half-written by
 * another writer to stderr) and ends at once with status
 * GORC_FORKED_LAZY_STATUS through _exit — no exit handler of the program
 * runs and no stdio buffer inherited from the parent is flushed a second
 * time, as for a child that crashed. The parent's session is untouched.
 * The function is named by what the controller left in the executor's
 * memory before the fork (gorc_lazynames.c), or else by the trampoline. */
#define GORC_FORKED_LAZY_STATUS 70
static void forked_reentry(uint64_t trampoline) __attribute__((noreturn));
static void forked_reentry(uint64_t trampoline) {
	char msg[700];
	/* The function's name, if the controller left it beside the
	 * trampoline (gorc_lazynames.c); else the trampoline's address. */
	size_t nl = 0;
	const char *name = gorc_lazy_name_of(trampoline, &nl);
	if (nl > 256) nl = 256;
	int n = name ? snprintf(msg, sizeof msg,
				"gorc: lazy call refused in process %d, which the program forked: %.*s (trampoline %#llx) "
				"was first called there, and lazy code is compiled and linked only in the executor's own "
				"process (call the function once before fork(), or run without -lazy); exiting with status %d\n",
				(int)getpid(), (int)nl, name, (unsigned long long)trampoline, GORC_FORKED_LAZY_STATUS)
		     : snprintf(msg, sizeof msg,
				"gorc: lazy call refused in process %d, which the program forked: the function behind "
				"trampoline %#llx was first called there, and lazy code is compiled and linked only in the "
				"executor's own process (call the function once before fork(), or run without -lazy); "
				"exiting with status %d\n",
				(int)getpid(), (unsigned long long)trampoline, GORC_FORKED_LAZY_STATUS);
	if (n > (int)sizeof msg - 1) n = (int)sizeof msg - 1;
	if (n > 0) (void)!write(2, msg, (size_t)n);
	_exit(GORC_FORKED_LAZY_STATUS);
}

/* Called by gorc_reentry (reentry_amd64.S) with the return address inside
 * the calling trampoline; returns where to continue. */
struct reentry_call {
	uint64_t trampoline, result;
	char *error; /* the helper thread's reentry_error */
};

static void *reentry_thread(void *p) {
	struct reentry_call *c = p;
	c->result = gorcReentry(c->trampoline);
	c->error = reentry_error;
	reentry_error = NULL;
	return NULL;
}

/* REENTRY_MIN_STACK is the stack a first call must have left for its
 * trip into Go to run on the calling thread: the cgo callback's frames
 * and the Go runtime's own work on the thread's system stack (g0) need a
 * few KB there, and below its g0 bound the runtime dies with "fatal
 * error: morestack on g0". A first call made deeper than this (a program
 * recursing to within 64 KB of its stack's end before its first call of
 * a function) is resolved on a helper thread with a stack of its own,
 * as from an alternate signal stack, and the calling thread lands with
 * the stack it had — as deep as the program runs without -lazy. */
#define REENTRY_MIN_STACK (64 * 1024)

/* low_stack reports whether the calling thread has less than
 * REENTRY_MIN_STACK of its stack left below sp (threads whose stack
 * bounds are unknown — not started for JIT'd code — are not checked). */
static int low_stack(void) {
	uint64_t sp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
	if (thr_stack_lo == 0 || sp < thr_stack_lo || sp > thr_stack_hi) return 0;
	return sp - thr_stack_lo < REENTRY_MIN_STACK + thr_guard;
}

/* reentry_on_helper resolves a first call on a helper thread while the
 * calling thread waits: for a caller on an alternate signal stack
 * (onstack) or with too little of its stack left. */
static uint64_t reentry_on_helper(uint64_t trampoline, int onstack) {
	struct reentry_call c = {trampoline, 0, NULL};
	pthread_t t;
	pthread_attr_t attr;
	sigset_t old;
	uint64_t a = 0;
	int e;
	if (!onstack) gorc_progsig_block(&old);
	e = pthread_attr_init(&attr);
	if (e == 0) {
		/* The default size (RLIMIT_STACK) may be small or unlimited. */
		pthread_attr_setstacksize(&attr, 8 << 20);
		e = pthread_create(&t, &attr, reentry_thread, &c);
		pthread_attr_destroy(&attr);
	}
	if (e == 0 && pthread_join(t, NULL) == 0) {
		a = c.result;
		if (c.error) gorc_reentry_failed(c.error);
	} else {
		size_t nl = 0;
		const char *name = gorc_lazy_name_of(trampoline, &nl);
		char msg[512];
		if (nl > 256) nl = 256;
		if (onstack)
			snprintf(msg, sizeof msg,
				 "lazy compilation failed: cannot start a thread to compile %.*s%sfirst called on an alternate signal stack (%s)",
				 (int)nl, name ? name : "", name ? ", " : "", strerror(e));
		else
			snprintf(msg, sizeof msg,
				 "lazy compilation failed: stack exhausted in lazy first call of %.*s%s(trampoline %#llx): "
				 "less than %d KB of the thread's stack left, and no thread could be started to compile it (%s)",
				 (int)nl, name ? name : "", name ? " " : "", (unsigned long long)trampoline,
				 REENTRY_MIN_STACK / 1024, strerror(e));
		gorc_reentry_failed(strdup(msg));
	}
	if (!onstack) pthread_sigmask(SIG_SETMASK, &old, NULL);
	return a;
}

static int reentry_exiting; /* a failed first call is ending the program */

uint64_t gorc_reentry_resolve(uint64_t trampoline) {
	if (forked_process) forked_reentry(trampoline);
	uint64_t a;
	stack_t ss;
	if (low_stack()) {
		a = reentry_on_helper(trampoline, 0);
	} else if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK)) {
		/* A lazy function's first call from a signal handler running on
		 * an alternate signal stack (the program's own sigaltstack):
		 * Go's callback cannot run there (the stack is not the thread's:
		 * "morestack on g0"), so it runs on a thread of its own while
		 * this one waits. (As lazy compilation from any signal handler,
		 * it assumes the signal did not interrupt malloc.) */
		a = reentry_on_helper(trampoline, 1);
	} else {
		/* The program's asynchronous signals wait until this thread
		 * is back in JIT'd code (gorc_progsig.c). */
		sigset_t old;
		gorc_progsig_block(&old);
		a = gorcReentry(trampoline);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (a == 0) {
		if (!reentry_error) { /* no handler: a setup error */
			fprintf(stderr, "gorc: lazy re-entry from trampoline %#llx could not be resolved\n", (unsigned long long)trampoline);
			abort();
		}
		/* The handler failed (the function could not be compiled or
		 * linked): never land anywhere. A thread started by RunAsMain /
		 * RunVoid ends its run with the error; any other thread (the
		 * program's main under RunProgram, the program's own threads)
		 * ends the program with status 1 after saying why. */
		if (run_escape) longjmp(*run_escape, 1);
		/* One thread ends the program: exit() run by several threads
		 * at once (many first calls of one failing function) raced —
		 * a second exit's _exit killed the process while the first
		 * was still handing the controller the program's output and
		 * status (tcp: the message lost and "executor connection
		 * lost" in 4 of 6 runs with 64 threads). The others wait for
		 * the exit, as threads of an exiting process. */
		if (__atomic_exchange_n(&reentry_exiting, 1, __ATOMIC_SEQ_CST))
			for (;;) pause();
		fprintf(stderr, "gorc: %s\n", reentry_error);
		exit(1);
	}
	return a;
}

#if defined(__x86_64__)
uint64_t gorc_reentry_addr(void) { return (uint64_t)(uintptr_t)gorc_reentry; } /* declared above the crash handler */
#else
uint64_t gorc_reentry_addr(void) { return 0; } /* not yet on this architecture */
#endif

/* ---------- interposed libc functions ---------- */

/* The executor's replacements for libc functions that JIT'd code calls
 * (LookupSymbol hands them out instead of libc's), or 0. */
/* _exit and _Exit of JIT'd code: the process ends at once, as the
 * program asked (no atexit handlers, no stdio flush), but a controller
 * is told the status first, and the output the program wrote before (in
 * the forwarding pipes of a remote executor) still reaches it — without
 * this a child or remote executor's controller saw only "connection lost"
 * and the tail of the output was lost. A process the program forked ends
 * as libc's _exit ends it. */
static void *exited_thread(void *p) {
	gorcProgramExited(*(int *)p);
	return NULL;
}

/* program_exited reports status to the controller from _exit or
 * quick_exit of JIT'd code. Called from a signal handler running on the
 * program's own alternate signal stack (a stack-overflow handler that
 * ends with _exit), Go's callback cannot run there (the stack is not the
 * thread's: "morestack on g0", after which the handler could run again),
 * so the report is made on a thread of its own while this one waits, as
 * gorc_reentry_resolve does for a first call. */
static void program_exited(int status) {
	stack_t ss;
	if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK)) {
		pthread_t t;
		if (pthread_create(&t, NULL, exited_thread, &status) == 0) {
			pthread_join(t, NULL);
			return;
		}
	}
	gorcProgramExited(status);
}

static void gorc__exit(int status) {
	if (report_enabled && is_executor()) {
		exiting_unflushed = 1;
		program_exited(status);
	}
	_exit(status);
}

/* quick_exit of JIT'd code: glibc runs the at_quick_exit handlers and
 * then its own _exit, which gorc__exit cannot see; the status is kept
 * here for report_quick_exit, the handler registered first (so it runs
 * last), which reports it as gorc__exit does. */
static volatile int quick_status;

static void gorc_quick_exit(int status) {
	quick_status = status;
	quick_exit(status);
}

static void report_quick_exit(void) {
	if (report_enabled && is_executor()) {
		exiting_unflushed = 1;
		program_exited(quick_status);
	}
}

uint64_t gorc_interposed(const char *name) {
	if (strcmp(name, "quick_exit") == 0) return (uint64_t)(uintptr_t)&gorc_quick_exit;
	if (strcmp(name, "_exit") == 0 || strcmp(name, "_Exit") == 0) return (uint64_t)(uintptr_t)&gorc__exit;
	if (strcmp(name, "close") == 0) return (uint64_t)(uintptr_t)&gorc_close;
	if (strcmp(name, "close_range") == 0) return (uint64_t)(uintptr_t)&gorc_close_range;
	if (strcmp(name, "closefrom") == 0) return (uint64_t)(uintptr_t)&gorc_closefrom;
	if (strcmp(name, "dup2") == 0) return (uint64_t)(uintptr_t)&gorc_dup2;
	if (strcmp(name, "dup3") == 0) return (uint64_t)(uintptr_t)&gorc_dup3;
	if (strcmp(name, "syscall") == 0) return (uint64_t)(uintptr_t)&gorc_syscall;
	if (strcmp(name, "pthread_create") == 0) return (uint64_t)(uintptr_t)&gorc_pthread_create;
	if (strcmp(name, "sigaction") == 0) return (uint64_t)(uintptr_t)&gorc_sigaction; /* gorc_progsig.c */
	if (strcmp(name, "signal") == 0) return (uint64_t)(uintptr_t)&gorc_signal;
	if (strcmp(name, "sigaltstack") == 0) return (uint64_t)(uintptr_t)&gorc_sigaltstack;
	if (strcmp(name, "kill") == 0) return (uint64_t)(uintptr_t)&gorc_kill;
	if (strcmp(name, "sigqueue") == 0) return (uint64_t)(uintptr_t)&gorc_sigqueue;
	if (strcmp(name, "pthread_sigmask") == 0) return (uint64_t)(uintptr_t)&gorc_pthread_sigmask;
	if (strcmp(name, "sigprocmask") == 0) return (uint64_t)(uintptr_t)&gorc_sigprocmask;
	if (strcmp(name, "sigtimedwait") == 0) return (uint64_t)(uintptr_t)&gorc_sigtimedwait;
	if (strcmp(name, "sigwaitinfo") == 0) return (uint64_t)(uintptr_t)&gorc_sigwaitinfo;
	if (strcmp(name, "sigwait") == 0) return (uint64_t)(uintptr_t)&gorc_sigwait;
	if (strcmp(name, "signalfd") == 0) return (uint64_t)(uintptr_t)&gorc_signalfd;
	if (strcmp(name, "sigsuspend") == 0) return (uint64_t)(uintptr_t)&gorc_sigsuspend;
	if (strcmp(name, "ppoll") == 0) return (uint64_t)(uintptr_t)&gorc_ppoll;
	if (strcmp(name, "pselect") == 0) return (uint64_t)(uintptr_t)&gorc_pselect;
	if (strcmp(name, "epoll_pwait") == 0) return (uint64_t)(uintptr_t)&gorc_epoll_pwait;
	if (strcmp(name, "__cxa_atexit") == 0) return (uint64_t)(uintptr_t)&gorc_cxa_atexit;
	if (strcmp(name, "__cxa_at_quick_exit") == 0) return (uint64_t)(uintptr_t)&gorc_cxa_at_quick_exit; /* module.c */
	if (strcmp(name, "__register_atfork") == 0) return (uint64_t)(uintptr_t)&gorc_register_atfork;
	return 0;
}

/* ---------- dual-mapped code blocks ---------- */

/* Replace [addr, addr+size) of a private reservation with a fresh memfd
 * mapped MAP_SHARED with protections prot there, and map the same file
 * read-write elsewhere (*alias). The linker writes code through the alias
 * while other threads run code at addr: no protection change per
 * function. The memfd is closed at once: the two mappings keep it. */
int gorc_mem_map_dual(uint64_t addr, uint64_t size, int prot, uint64_t *alias) {
	int fd = memfd_create("gorc-code", MFD_CLOEXEC);
	if (fd < 0) return errno;
	if (ftruncate(fd, (off_t)size) != 0) {
		int e = errno;
		close(fd);
		return e;
	}
	void *rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (rw == MAP_FAILED) {
		int e = errno;
		close(fd);
		return e;
	}
	void *p = mmap((void *)(uintptr_t)addr, size, to_prot(prot), MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		int e = errno;
		munmap(rw, size);
		close(fd);
		/* The range may have been unmapped: make it a reservation again. */
		mmap((void *)(uintptr_t)addr, size, PROT_NONE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		return e;
	}
	if (prot & 2) {
		/* Writable: kept (close-on-exec, private) for a forked child's
		 * copy of the block (fork_snapshot); closed when the block is
		 * released. */
		gorc_private_fd(fd, 1);
		shared_map_add(addr, size, fd, 1, to_prot(prot));
	} else {
		close(fd);
	}
	*alias = (uint64_t)(uintptr_t)rw;
	return 0;
}
