/* gorc executor runtime: unloadable modules. See module.go and
 * docs/EXECUTOR.md.
 *
 * A module is code the controller may remove again (a resource tracker's
 * objects). It has its own DSO handle — an address in the controller's
 * slab that the module's __dso_handle resolves to — and registers the
 * address ranges of its memory here (allocation actions of its links). The
 * atexit family (gorc_atexit and friends in gorc_executor.c) registers a
 * handler under the handle of the module whose code it is, so removing the
 * module runs its C++ static destructors, .fini_array entries and atexit
 * handlers exactly once (__cxa_finalize) before its memory is freed, and
 * nothing of it is left for exit() to call. */
#define _GNU_SOURCE
#include "gorc_executor.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void __cxa_finalize(void *dso);
extern int __cxa_atexit(void (*fn)(void *), void *arg, void *dso);

struct mod_range {
	uint64_t start, end, dso;
	struct mod_range *next;
};

static pthread_mutex_t mod_mu = PTHREAD_MUTEX_INITIALIZER;
static struct mod_range *mod_ranges;

/* A shared executor's controllers' memory (each reservation, registered by
 * the hub: gorc_owner_add): handlers whose code lies there and in no
 * module are registered under the reservation's start as their DSO handle,
 * not the executor's, so that they can be finalized before the memory is
 * freed (gorc_finalize_range). */
static struct mod_range *owners;

/* The DSO handles handlers were registered under, besides the executor's
 * own (gorc_note_dso), newest first. */
struct dso_seen {
	uint64_t dso;
	struct dso_seen *next;
};
static struct dso_seen *seen;

/* The DSO handle of the module whose registered memory holds fn, else of
 * the controller reservation holding it, else the executor's own handle. */
void *gorc_module_dso(uint64_t fn) {
	void *dso = &gorc_dso_handle;
	pthread_mutex_lock(&mod_mu);
	for (struct mod_range *r = mod_ranges; r; r = r->next)
		if (fn >= r->start && fn < r->end) {
			dso = (void *)(uintptr_t)r->dso;
			goto out;
		}
	for (struct mod_range *r = owners; r; r = r->next)
		if (fn >= r->start && fn < r->end) {
			dso = (void *)(uintptr_t)r->dso;
			break;
		}
out:
	pthread_mutex_unlock(&mod_mu);
	return dso;
}

/* The handle of the controller reservation holding fn (a shared
 * executor's), else the executor's own. */
void *gorc_owner_dso(uint64_t fn) {
	void *dso = &gorc_dso_handle;
	pthread_mutex_lock(&mod_mu);
	for (struct mod_range *r = owners; r; r = r->next)
		if (fn >= r->start && fn < r->end) {
			dso = (void *)(uintptr_t)r->dso;
			break;
		}
	pthread_mutex_unlock(&mod_mu);
	return dso;
}

/* Records that a handler is registered under dso. */
void gorc_note_dso(void *dso) {
	uint64_t d = (uint64_t)(uintptr_t)dso;
	if (!dso || dso == &gorc_dso_handle) return;
	pthread_mutex_lock(&mod_mu);
	for (struct dso_seen *s = seen; s; s = s->next)
		if (s->dso == d) {
			pthread_mutex_unlock(&mod_mu);
			return;
		}
	struct dso_seen *s = malloc(sizeof *s);
	if (s) {
		s->dso = d;
		s->next = seen;
		seen = s;
	}
	pthread_mutex_unlock(&mod_mu);
}

/* __cxa_atexit for JIT'd code (C++ static destructors): the handle is
 * noted, so that gorc_finalize_range finds it. */
int gorc_cxa_atexit(void (*fn)(void *), void *arg, void *dso) {
	gorc_note_dso(dso);
	return __cxa_atexit(fn, arg, dso);
}

/* __cxa_at_quick_exit and __register_atfork called by JIT'd code
 * itself (not through at_quick_exit/pthread_atfork, which
 * libc_nonshared.a's gorc_at_quick_exit/gorc_pthread_atfork stand for),
 * with its own __dso_handle: the handle is noted as for __cxa_atexit, so
 * that a controller leaving a shared executor has them dropped
 * (gorc_finalize_range, __cxa_finalize) before its memory is freed —
 * before session 30 they stayed registered over freed memory. */
extern int __cxa_at_quick_exit(void (*fn)(void *), void *dso);
extern int __register_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void), void *dso);
int gorc_cxa_at_quick_exit(void (*fn)(void *), void *dso) {
	gorc_note_dso(dso);
	return __cxa_at_quick_exit(fn, dso);
}
int gorc_register_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void), void *dso) {
	gorc_note_dso(dso);
	return __register_atfork(prepare, parent, child, dso);
}

void gorc_owner_add(uint64_t start, uint64_t end) {
	struct mod_range *r = malloc(sizeof *r);
	if (!r) return; /* (its handlers then stay under the executor's handle) */
	r->start = start;
	r->end = end;
	r->dso = start;
	pthread_mutex_lock(&mod_mu);
	r->next = owners;
	owners = r;
	pthread_mutex_unlock(&mod_mu);
}

void gorc_owner_del(uint64_t start, uint64_t end) {
	pthread_mutex_lock(&mod_mu);
	for (struct mod_range **pp = &owners; *pp; pp = &(*pp)->next)
		if ((*pp)->start == start && (*pp)->end == end) {
			struct mod_range *r = *pp;
			*pp = r->next;
			free(r);
			break;
		}
	pthread_mutex_unlock(&mod_mu);
}

/* Finalizes every DSO handle in [start, end) handlers were registered
 * under (__cxa_finalize, newest first: their destructors and atexit
 * handlers run, as dlclose runs a library's), before that memory is freed;
 * returns how many. */
int gorc_finalize_range(uint64_t start, uint64_t end) {
	struct dso_seen *mine = NULL, **tail = &mine;
	pthread_mutex_lock(&mod_mu);
	for (struct dso_seen **pp = &seen; *pp;) {
		struct dso_seen *s = *pp;
		if (s->dso >= start && s->dso < end) {
			*pp = s->next;
			s->next = NULL;
			*tail = s;
			tail = &s->next;
		} else {
			pp = &s->next;
		}
	}
	pthread_mutex_unlock(&mod_mu);
	int n = 0;
	while (mine) {
		struct dso_seen *s = mine;
		mine = s->next;
		__cxa_finalize((void *)(uintptr_t)s->dso);
		free(s);
		n++;
	}
	return n;
}

static gorc_wrapper_result mod_err(const char *fmt, ...) {
	gorc_wrapper_result r = {0};
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&r.error, fmt, ap) < 0) r.error = strdup("error");
	va_end(ap);
	return r;
}

static int mod_args(const uint8_t *arg, size_t len, size_t n, uint64_t *out) {
	if (len != n * 8) return 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t x = 0;
		for (int b = 7; b >= 0; b--) x = (x << 8) | arg[i * 8 + b];
		out[i] = x;
	}
	return 1;
}

/* Service: register [start, end) as memory of the module with DSO handle
 * dso. Argument: u64 dso, u64 start, u64 end. */
gorc_wrapper_result gorc_svc_module_register(const uint8_t *arg, size_t len) {
	uint64_t a[3];
	if (!mod_args(arg, len, 3, a)) return mod_err("module-register: want 24 argument bytes (dso, start, end), got %zu", len);
	if (a[0] == 0 || a[1] >= a[2])
		return mod_err("module-register: bad module %#llx range [%#llx, %#llx)", (unsigned long long)a[0],
			       (unsigned long long)a[1], (unsigned long long)a[2]);
	struct mod_range *r = malloc(sizeof *r);
	if (!r) return mod_err("module-register: out of memory");
	r->dso = a[0];
	r->start = a[1];
	r->end = a[2];
	pthread_mutex_lock(&mod_mu);
	for (struct mod_range *o = mod_ranges; o; o = o->next)
		if (o->start < r->end && r->start < o->end) {
			pthread_mutex_unlock(&mod_mu);
			free(r);
			return mod_err("module-register: [%#llx, %#llx) overlaps [%#llx, %#llx) of module %#llx",
				       (unsigned long long)a[1], (unsigned long long)a[2], (unsigned long long)o->start,
				       (unsigned long long)o->end, (unsigned long long)o->dso);
		}
	r->next = mod_ranges;
	mod_ranges = r;
	pthread_mutex_unlock(&mod_mu);
	gorc_wrapper_result ok = {0};
	return ok;
}

/* Service: undo module-register. Argument: u64 dso, u64 start, u64 end. */
gorc_wrapper_result gorc_svc_module_deregister(const uint8_t *arg, size_t len) {
	uint64_t a[3];
	if (!mod_args(arg, len, 3, a)) return mod_err("module-deregister: want 24 argument bytes (dso, start, end), got %zu", len);
	pthread_mutex_lock(&mod_mu);
	struct mod_range **pp = &mod_ranges;
	while (*pp && !((*pp)->dso == a[0] && (*pp)->start == a[1] && (*pp)->end == a[2])) pp = &(*pp)->next;
	if (!*pp) {
		pthread_mutex_unlock(&mod_mu);
		return mod_err("module-deregister: [%#llx, %#llx) of module %#llx was not registered", (unsigned long long)a[1],
			       (unsigned long long)a[2], (unsigned long long)a[0]);
	}
	struct mod_range *r = *pp;
	*pp = r->next;
	pthread_mutex_unlock(&mod_mu);
	free(r);
	gorc_wrapper_result ok = {0};
	return ok;
}

/* Service: finalize a module: run every handler registered under its DSO
 * handle (C++ static destructors, its .fini_array entries, its atexit
 * handlers), newest first, and drop its at_quick_exit and pthread_atfork
 * handlers — glibc's __cxa_finalize, as dlclose does. Each handler runs at
 * most once: a second call finds nothing. Argument: u64 dso. */
gorc_wrapper_result gorc_svc_module_finalize(const uint8_t *arg, size_t len) {
	uint64_t dso;
	if (!mod_args(arg, len, 1, &dso) || dso == 0)
		return mod_err("module-finalize: want 8 argument bytes (a non-zero DSO handle), got %zu", len);
	if (dso == (uint64_t)(uintptr_t)&gorc_dso_handle)
		return mod_err("module-finalize: %#llx is the executor's own DSO handle, not a module's", (unsigned long long)dso);
	pthread_mutex_lock(&mod_mu);
	for (struct dso_seen **pp = &seen; *pp; pp = &(*pp)->next)
		if ((*pp)->dso == dso) {
			struct dso_seen *s = *pp;
			*pp = s->next;
			free(s);
			break;
		}
	pthread_mutex_unlock(&mod_mu);
	__cxa_finalize((void *)(uintptr_t)dso);
	gorc_wrapper_result ok = {0};
	return ok;
}

/* Addresses of the module services, in the order of moduleNames in
 * module.go. */
void gorc_module_bootstrap(uint64_t *out) {
	out[0] = (uint64_t)(uintptr_t)&gorc_svc_module_register;
	out[1] = (uint64_t)(uintptr_t)&gorc_svc_module_deregister;
	out[2] = (uint64_t)(uintptr_t)&gorc_svc_module_init;
	out[3] = (uint64_t)(uintptr_t)&gorc_svc_module_finalize;
}
