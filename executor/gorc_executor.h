/* gorc executor runtime: the C side of package executor.
 *
 * Everything JIT'd code touches at run time lives here: memory mapping,
 * dlopen/dlsym, running main on a fresh pthread, the libc_nonshared
 * helpers, initializer/finalizer services, EH-frame registration and the
 * static-TLS manager. Services are wrapper functions with the signature
 * of gorc_wrapper_fn so that a remote executor can reach them by address.
 */
#ifndef GORC_EXECUTOR_H
#define GORC_EXECUTOR_H

#include <stddef.h>
#include <stdint.h>

/* The result of a wrapper function. data (malloc'd, may be NULL when size
 * is 0) is the serialized result; error (malloc'd) is non-NULL on failure.
 * The caller frees both with free(). */
typedef struct {
	uint8_t *data;
	size_t size;
	char *error;
} gorc_wrapper_result;

typedef gorc_wrapper_result (*gorc_wrapper_fn)(const uint8_t *arg, size_t len);

/* Helpers for wrapper services (gorc_executor.c): a result holding a copy
 * of data, an error result formatted like printf, and the i-th
 * little-endian u64 of an argument buffer (0 when it is out of range). */
gorc_wrapper_result wr_ok(const void *data, size_t n);
gorc_wrapper_result wr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int rd_u64(const uint8_t *a, size_t len, size_t i, uint64_t *v);

/* Memory. All return 0 on success or an errno value. */
int gorc_mem_reserve(uint64_t size, int low, uint64_t *out);
int gorc_mem_reserve_at(uint64_t addr, uint64_t size);
int gorc_mem_release(uint64_t addr, uint64_t size);
int gorc_mem_protect(uint64_t addr, uint64_t size, int prot);
int gorc_mem_decommit(uint64_t addr, uint64_t size);
void gorc_mem_copy(uint64_t dst, const void *src, size_t n);
void gorc_mem_read(void *dst, uint64_t src, size_t n);
void *gorc_addr_to_ptr(uint64_t addr);
void gorc_clear_cache(uint64_t addr, uint64_t size);

/* Dynamic loading. Errors are returned as malloc'd strings in *err. */
uint64_t gorc_dlopen(const char *path, int global, char **err);
uint64_t gorc_dlsym(uint64_t handle, const char *name);
void gorc_dlsym_all(uint64_t handle, const char *names, size_t n, uint64_t *out);
uint64_t gorc_dlvsym(uint64_t handle, const char *name, const char *version);
int gorc_dlclose(uint64_t handle, char **err);

/* Running code. */
int gorc_run_main(uint64_t fn, int argc, char **argv, size_t stack, int *status, char **error);
int gorc_run_void(uint64_t fn, size_t stack, char **error);
void gorc_reentry_failed(char *msg);
void gorc_run_program(uint64_t main_fn, const uint64_t *inits, size_t ninit,
		      const uint64_t *finis, size_t nfini, int argc, char **argv,
		      size_t stack, int report, int *err);
gorc_wrapper_result gorc_call_wrapper(uint64_t fn, const uint8_t *arg, size_t len);

/* Runtime helpers (bootstrap symbols). */
extern char gorc_dso_handle;
int gorc_atexit(void (*fn)(void));
int gorc_at_quick_exit(void (*fn)(void));
int gorc_pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void));
void gorc_stack_chk_fail_local(void);

/* Services (wrapper functions). */
gorc_wrapper_result gorc_svc_eh_frame_register(const uint8_t *arg, size_t len);
gorc_wrapper_result gorc_svc_eh_frame_deregister(const uint8_t *arg, size_t len);
gorc_wrapper_result gorc_svc_run_initializers(const uint8_t *arg, size_t len);
gorc_wrapper_result gorc_svc_tls_set_image(const uint8_t *arg, size_t len);
gorc_wrapper_result gorc_svc_echo(const uint8_t *arg, size_t len);
gorc_wrapper_result gorc_svc_module_init(const uint8_t *arg, size_t len);
/* Lazy trampolines' names (gorc_lazynames.c). */
gorc_wrapper_result gorc_svc_lazy_names(const uint8_t *arg, size_t len);
const char *gorc_lazy_name_of(uint64_t ret, size_t *len);
/* The program's asynchronous signal handlers (gorc_progsig.c). */
extern __thread int gorc_thr_program;
extern volatile int gorc_program_tid;
struct sigaction;
int gorc_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
void (*gorc_signal(int sig, void (*h)(int)))(int);
#include <signal.h>
void gorc_progsig_block(sigset_t *old);
void gorc_progsig_thread(void);
void gorc_progsig_program_start(void);
int gorc_pthread_sigmask(int how, const sigset_t *set, sigset_t *old);
int gorc_sigprocmask(int how, const sigset_t *set, sigset_t *old);
int gorc_sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *ts);
int gorc_sigwaitinfo(const sigset_t *set, siginfo_t *info);
int gorc_sigwait(const sigset_t *set, int *sig);
int gorc_signalfd(int fd, const sigset_t *mask, int flags);
int gorc_sigsuspend(const sigset_t *mask);
struct pollfd;
struct epoll_event;
#include <sys/select.h>
int gorc_ppoll(struct pollfd *fds, unsigned long n, const struct timespec *ts, const sigset_t *mask);
int gorc_pselect(int n, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *ts, const sigset_t *mask);
int gorc_epoll_pwait(int fd, struct epoll_event *ev, int max, int timeout, const sigset_t *mask);
int gorc_sigaltstack(const stack_t *ss, stack_t *old);
int gorc_kill(int pid, int sig);
int gorc_sigqueue(int pid, int sig, const union sigval value);

/* Unloadable modules (module.c). */
void *gorc_module_dso(uint64_t fn);
void gorc_note_dso(void *dso);
void *gorc_owner_dso(uint64_t fn);
int gorc_cxa_atexit(void (*fn)(void *), void *arg, void *dso);
int gorc_cxa_at_quick_exit(void (*fn)(void *), void *dso);
int gorc_register_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void), void *dso);
void gorc_owner_add(uint64_t start, uint64_t end);
void gorc_owner_del(uint64_t start, uint64_t end);
int gorc_finalize_range(uint64_t start, uint64_t end);
void gorc_module_bootstrap(uint64_t *out);
void gorc_set_program_args(int argc, char **argv);

/* TLS. */
int gorc_tls_info(uint64_t handle, uint64_t tpoff_slot, uint64_t *modid, int64_t *tpoff, char **err);
int64_t gorc_tls_tpoff_in_new_thread(uint64_t handle);
uint64_t gorc_thread_pointer(void);
uint64_t gorc_link_map_base(uint64_t handle);
uint64_t gorc_tls_extern(const char *path, uint64_t slots, int nslots, uint64_t *out, char **lib, char **err);
void gorc_tls_register_image(uint64_t addr, uint64_t size);
void gorc_call_tls_ready(uint64_t dst, uint64_t size); /* gorc_call.c */
int gorc_memfd(const char *name);
void gorc_bootstrap(uint64_t *out);
uint64_t gorc_find_fde_func(uint64_t pc);
int gorc_eh_preload(void);
int gorc_install_crash_handlers(void);
int gorc_mem_reserve_shared(uint64_t size, int low, uint64_t *out, int *fdout);
int gorc_mem_reserve_shared_at(int fd, uint64_t addr, uint64_t size);
int gorc_mem_decommit_shared(int fd, uint64_t addr, uint64_t off, uint64_t size);
int gorc_mem_map_dual(uint64_t addr, uint64_t size, int prot, uint64_t *alias);
int gorc_close_fd(int fd);
void gorc_flush_stdio(void);
void gorc_flush_stdio_nowait(void);
int gorc_is_executor_process(void);
void gorc_private_fd(int fd, int on);
void gorc_protect_open_fds(void);
int gorc_close(int fd);
int gorc_close_range(unsigned first, unsigned last, int flags);
void gorc_closefrom(int lowfd);
uint64_t gorc_interposed(const char *name);
#include <pthread.h>
int gorc_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
void gorc_set_crash_fd(int fd);
void gorc_set_crash_ack_fd(int fd);
void gorc_set_origin(uint64_t id);
uint64_t gorc_thread_origin(void);
void gorc_enable_exit_report(void);
void gorc_set_shared_crash_fds(int report, int ack);
void gorc_set_stdio_fds(int out, int err);
int *gorc_wire_lock(void);
int *gorc_pump_lock(int i);
uint64_t gorc_reentry_addr(void);

#endif
