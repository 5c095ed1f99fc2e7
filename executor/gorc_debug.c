/* gorc executor runtime: debugger and profiler support.
 *
 * The GDB JIT interface: a process that JITs code exports a descriptor,
 * __jit_debug_descriptor, holding a doubly linked list of in-memory object
 * files (debug objects), and calls __jit_debug_register_code after every
 * change. A debugger puts a breakpoint on that function; when it is hit,
 * the debugger reads relevant_entry and action_flag and loads or unloads
 * that object's symbols and debug information. gdb reads the list on
 * attach too. The names, layouts and the version (1) are fixed by gdb
 * ("JIT Interface" in its manual); lldb and LLVM's tools use the same.
 *
 * The perf map: perf names samples in anonymous executable memory from
 * /tmp/perf-PID.map, one "START SIZE NAME" line (hex) per function,
 * written by the process that runs the code.
 *
 * See docs/DEBUGGING.md.
 */
#define _GNU_SOURCE
#include "gorc_executor.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------- GDB JIT interface (names and layout fixed by gdb) ---------- */

typedef enum { JIT_NOACTION = 0, JIT_REGISTER_FN, JIT_UNREGISTER_FN } jit_actions_t;

struct jit_code_entry {
	struct jit_code_entry *next_entry;
	struct jit_code_entry *prev_entry;
	const char *symfile_addr;
	uint64_t symfile_size;
};

struct jit_descriptor {
	uint32_t version;
	/* jit_actions_t, as a fixed-size field. */
	uint32_t action_flag;
	struct jit_code_entry *relevant_entry;
	struct jit_code_entry *first_entry;
};

/* The debugger breaks here: it must be a real, out-of-line function with
 * exactly this name, whose call the compiler cannot drop. */
__attribute__((noinline, used, visibility("default"))) void __jit_debug_register_code(void) {
	__asm__ volatile("" ::: "memory");
}

__attribute__((used, visibility("default"))) struct jit_descriptor __jit_debug_descriptor = {1, JIT_NOACTION, NULL, NULL};

/* Serializes changes to the descriptor (gdb expects one action per call). */
static pthread_mutex_t gdb_mu = PTHREAD_MUTEX_INITIALIZER;

static gorc_wrapper_result dbg_ok(void) {
	gorc_wrapper_result r = {0};
	return r;
}

static gorc_wrapper_result dbg_err(const char *fmt, ...) {
	gorc_wrapper_result r = {0};
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&r.error, fmt, ap) < 0) r.error = strdup("error");
	va_end(ap);
	return r;
}

static int dbg_u64(const uint8_t *a, size_t len, size_t i, uint64_t *v) {
	if (i > len / 8 || (i + 1) * 8 > len) return 0;
	uint64_t x = 0;
	for (int b = 7; b >= 0; b--) x = (x << 8) | a[i * 8 + b];
	*v = x;
	return 1;
}

/* Called with gdb_mu held. */
static void gdb_unlink(struct jit_code_entry *e) {
	if (e->prev_entry)
		e->prev_entry->next_entry = e->next_entry;
	else
		__jit_debug_descriptor.first_entry = e->next_entry;
	if (e->next_entry) e->next_entry->prev_entry = e->prev_entry;
	__jit_debug_descriptor.relevant_entry = e;
	__jit_debug_descriptor.action_flag = JIT_UNREGISTER_FN;
	__jit_debug_register_code();
	__jit_debug_descriptor.relevant_entry = NULL;
	__jit_debug_descriptor.action_flag = JIT_NOACTION;
	free(e);
}

/* Service: register a debug object (an ELF image in executor memory) with
 * the debugger. Argument: u64 address, u64 size. */
gorc_wrapper_result gorc_svc_gdb_register(const uint8_t *arg, size_t len) {
	uint64_t addr, size;
	if (len != 16 || !dbg_u64(arg, len, 0, &addr) || !dbg_u64(arg, len, 1, &size))
		return dbg_err("gdb register: want 16 argument bytes (address, size), got %zu", len);
	if (addr == 0 || size < 64)
		return dbg_err("gdb register: bad range %#llx+%#llx (an ELF image is at least 64 bytes)",
			       (unsigned long long)addr, (unsigned long long)size);
	const char *p = (const char *)(uintptr_t)addr;
	if (memcmp(p, "\177ELF", 4) != 0)
		return dbg_err("gdb register: %#llx does not hold an ELF image (bad magic)", (unsigned long long)addr);
	pthread_mutex_lock(&gdb_mu);
	for (struct jit_code_entry *e = __jit_debug_descriptor.first_entry; e; e = e->next_entry)
		if (e->symfile_addr == p) {
			pthread_mutex_unlock(&gdb_mu);
			return dbg_err("gdb register: %#llx is already registered", (unsigned long long)addr);
		}
	struct jit_code_entry *e = calloc(1, sizeof *e);
	if (!e) {
		pthread_mutex_unlock(&gdb_mu);
		return dbg_err("gdb register: out of memory");
	}
	e->symfile_addr = p;
	e->symfile_size = size;
	e->next_entry = __jit_debug_descriptor.first_entry;
	if (e->next_entry) e->next_entry->prev_entry = e;
	__jit_debug_descriptor.first_entry = e;
	__jit_debug_descriptor.relevant_entry = e;
	__jit_debug_descriptor.action_flag = JIT_REGISTER_FN;
	__jit_debug_register_code();
	__jit_debug_descriptor.relevant_entry = NULL;
	__jit_debug_descriptor.action_flag = JIT_NOACTION;
	pthread_mutex_unlock(&gdb_mu);
	return dbg_ok();
}

/* Service: deregister a debug object. Argument: u64 address, u64 size. */
gorc_wrapper_result gorc_svc_gdb_deregister(const uint8_t *arg, size_t len) {
	uint64_t addr, size;
	if (len != 16 || !dbg_u64(arg, len, 0, &addr) || !dbg_u64(arg, len, 1, &size))
		return dbg_err("gdb deregister: want 16 argument bytes (address, size), got %zu", len);
	pthread_mutex_lock(&gdb_mu);
	struct jit_code_entry *e = __jit_debug_descriptor.first_entry;
	while (e && e->symfile_addr != (const char *)(uintptr_t)addr) e = e->next_entry;
	if (!e) {
		pthread_mutex_unlock(&gdb_mu);
		return dbg_err("gdb deregister: %#llx was not registered", (unsigned long long)addr);
	}
	gdb_unlink(e);
	pthread_mutex_unlock(&gdb_mu);
	return dbg_ok();
}

/* Deregisters every debug object inside [addr, addr+size): memory that is
 * released or decommitted must not stay on the debugger's list (a session
 * closed without running its deallocation actions). */
void gorc_gdb_forget_range(uint64_t addr, uint64_t size) {
	pthread_mutex_lock(&gdb_mu);
	struct jit_code_entry *e = __jit_debug_descriptor.first_entry;
	while (e) {
		struct jit_code_entry *next = e->next_entry;
		uint64_t a = (uint64_t)(uintptr_t)e->symfile_addr;
		if (a >= addr && a - addr < size) gdb_unlink(e);
		e = next;
	}
	pthread_mutex_unlock(&gdb_mu);
}

/* gorc_gdb_entries copies up to n registered (address, size) pairs into
 * out, most recent first, and returns how many are registered (for tests
 * and diagnostics). */
size_t gorc_gdb_entries(uint64_t *out, size_t n) {
	size_t i = 0;
	pthread_mutex_lock(&gdb_mu);
	for (struct jit_code_entry *e = __jit_debug_descriptor.first_entry; e; e = e->next_entry, i++)
		if (i < n) {
			out[2 * i] = (uint64_t)(uintptr_t)e->symfile_addr;
			out[2 * i + 1] = e->symfile_size;
		}
	pthread_mutex_unlock(&gdb_mu);
	return i;
}

/* At exit, the debugger is told that every object goes away (as LLVM's
 * JIT does when its session ends). A destructor of the executor runs after
 * the atexit handlers and destructors of JIT'd programs, which were
 * registered later, so those can still be debugged. */
__attribute__((destructor)) static void gdb_deregister_all(void) { gorc_gdb_forget_range(0, UINT64_MAX); }

/* ---------- perf map ---------- */

static pthread_mutex_t perf_mu = PTHREAD_MUTEX_INITIALIZER;
static int perf_fd = -1;

/* Service: append functions to /tmp/perf-PID.map. Argument: u64 count,
 * then per function u64 start, u64 size, u64 name length and the name's
 * bytes, padded with zeros to a multiple of 8. */
gorc_wrapper_result gorc_svc_perf_map(const uint8_t *arg, size_t len) {
	uint64_t n;
	if (!dbg_u64(arg, len, 0, &n)) return dbg_err("perf map: want a u64 count, got %zu bytes", len);
	if (n > len / 24) return dbg_err("perf map: %llu records cannot fit in %zu bytes", (unsigned long long)n, len);
	size_t cap = 4096, used = 0;
	char *buf = malloc(cap);
	if (!buf) return dbg_err("perf map: out of memory");
	size_t w = 1; /* position in u64 words */
	for (uint64_t i = 0; i < n; i++) {
		uint64_t start, size, nl;
		if (!dbg_u64(arg, len, w, &start) || !dbg_u64(arg, len, w + 1, &size) || !dbg_u64(arg, len, w + 2, &nl)) {
			free(buf);
			return dbg_err("perf map: record %llu: truncated header at byte %zu", (unsigned long long)i, w * 8);
		}
		w += 3;
		size_t words = (nl + 7) / 8;
		if (nl > 4096 || w * 8 + words * 8 > len) {
			free(buf);
			return dbg_err("perf map: record %llu: name of %llu bytes at byte %zu exceeds the argument (%zu bytes)",
				       (unsigned long long)i, (unsigned long long)nl, w * 8, len);
		}
		const char *name = (const char *)arg + w * 8;
		w += words;
		size_t need = used + 2 * 17 + nl + 2;
		if (need > cap) {
			while (cap < need) cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return dbg_err("perf map: out of memory");
			}
			buf = nb;
		}
		used += (size_t)snprintf(buf + used, cap - used, "%llx %llx ", (unsigned long long)start, (unsigned long long)size);
		for (uint64_t k = 0; k < nl; k++) {
			char c = name[k];
			buf[used++] = (c == '\n' || c == '\r' || c == 0) ? ' ' : c;
		}
		buf[used++] = '\n';
	}
	pthread_mutex_lock(&perf_mu);
	if (perf_fd < 0) {
		char path[64];
		snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
		perf_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (perf_fd < 0) {
			int e = errno;
			pthread_mutex_unlock(&perf_mu);
			free(buf);
			return dbg_err("perf map: open %s: %s", path, strerror(e));
		}
	}
	size_t off = 0;
	while (off < used) {
		ssize_t k = write(perf_fd, buf + off, used - off);
		if (k < 0) {
			if (errno == EINTR) continue;
			int e = errno;
			pthread_mutex_unlock(&perf_mu);
			free(buf);
			return dbg_err("perf map: write /tmp/perf-%d.map: %s", (int)getpid(), strerror(e));
		}
		off += (size_t)k;
	}
	pthread_mutex_unlock(&perf_mu);
	free(buf);
	return dbg_ok();
}

void gorc_debug_bootstrap(uint64_t *out) {
	out[0] = (uint64_t)(uintptr_t)&gorc_svc_gdb_register;
	out[1] = (uint64_t)(uintptr_t)&gorc_svc_gdb_deregister;
	out[2] = (uint64_t)(uintptr_t)&gorc_svc_perf_map;
}
