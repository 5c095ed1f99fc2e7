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
 * written by the process that runs the code. The same service writes
 * perf's jitdump file (see jitdump_open).
 *
 * See docs/DEBUGGING.md.
 */
#define _GNU_SOURCE
#include "gorc_executor.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
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
	if (len != 16 || !rd_u64(arg, len, 0, &addr) || !rd_u64(arg, len, 1, &size))
		return wr_err("gdb register: want 16 argument bytes (address, size), got %zu", len);
	if (addr == 0 || size < 64)
		return wr_err("gdb register: bad range %#llx+%#llx (an ELF image is at least 64 bytes)",
			       (unsigned long long)addr, (unsigned long long)size);
	const char *p = (const char *)(uintptr_t)addr;
	if (memcmp(p, "\177ELF", 4) != 0)
		return wr_err("gdb register: %#llx does not hold an ELF image (bad magic)", (unsigned long long)addr);
	pthread_mutex_lock(&gdb_mu);
	for (struct jit_code_entry *e = __jit_debug_descriptor.first_entry; e; e = e->next_entry)
		if (e->symfile_addr == p) {
			pthread_mutex_unlock(&gdb_mu);
			return wr_err("gdb register: %#llx is already registered", (unsigned long long)addr);
		}
	struct jit_code_entry *e = calloc(1, sizeof *e);
	if (!e) {
		pthread_mutex_unlock(&gdb_mu);
		return wr_err("gdb register: out of memory");
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
	if (len != 16 || !rd_u64(arg, len, 0, &addr) || !rd_u64(arg, len, 1, &size))
		return wr_err("gdb deregister: want 16 argument bytes (address, size), got %zu", len);
	pthread_mutex_lock(&gdb_mu);
	struct jit_code_entry *e = __jit_debug_descriptor.first_entry;
	while (e && e->symfile_addr != (const char *)(uintptr_t)addr) e = e->next_entry;
	if (!e) {
		pthread_mutex_unlock(&gdb_mu);
		return wr_err("gdb deregister: %#llx was not registered", (unsigned long long)addr);
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

/* ---------- perf map and jitdump ---------- */

static pthread_mutex_t perf_mu = PTHREAD_MUTEX_INITIALIZER;
static int perf_fd = -1;

/* The jitdump file (perf's tools/perf/Documentation/jitdump-specification.txt):
 * a header, then one JIT_CODE_LOAD record per function with its name and
 * a copy of its code. `perf inject --jit` turns the records into ELF
 * files and mmap events, which name samples even where the perf map
 * cannot (code in a shared-memory mapping, which perf does not treat as
 * anonymous). perf record finds the file through a PROT_EXEC mapping of
 * it, and needs -k mono: timestamps are CLOCK_MONOTONIC. */
static int jd_fd = -1;
static int jd_failed;
static uint64_t jd_index;

struct jd_header {
	uint32_t magic, version, total_size, elf_mach, pad1, pid;
	uint64_t timestamp, flags;
};

struct jd_code_load {
	uint32_t id, total_size;
	uint64_t timestamp;
	uint32_t pid, tid;
	uint64_t vma, code_addr, code_size, code_index;
};

static uint64_t mono_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int write_all(int fd, const void *p, size_t n) {
	const char *c = p;
	while (n > 0) {
		ssize_t k = write(fd, c, n);
		if (k < 0) {
			if (errno == EINTR) continue;
			return -1;
		}
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Opens the jitdump file once, in a fresh directory
 * $JITDUMPDIR/.debug/jit/gorc-jit-XXXXXX (JITDUMPDIR defaults to $HOME,
 * then /tmp), as LLVM and perf's Java agent do. Called with perf_mu
 * held. A failure is reported once, on stderr; the perf map still works. */
static void jitdump_open(void) {
	if (jd_fd >= 0 || jd_failed) return;
	jd_failed = 1;
	const char *base = getenv("JITDUMPDIR");
	if (!base || !*base) base = getenv("HOME");
	if (!base || !*base) base = "/tmp";
	char dir[4096], path[4200];
	mkdir(base, 0755);
	snprintf(dir, sizeof dir, "%s/.debug", base);
	mkdir(dir, 0755);
	snprintf(dir, sizeof dir, "%s/.debug/jit", base);
	mkdir(dir, 0755);
	snprintf(dir, sizeof dir, "%s/.debug/jit/gorc-jit-XXXXXX", base);
	if (!mkdtemp(dir)) {
		fprintf(stderr, "gorc: perf support: cannot create a jitdump directory under %s/.debug/jit: %s\n", base, strerror(errno));
		return;
	}
	snprintf(path, sizeof path, "%s/jit-%d.dump", dir, (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "gorc: perf support: cannot create %s: %s\n", path, strerror(errno));
		return;
	}
	/* The marker mapping perf record looks for; kept until exit. */
	void *m = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		fprintf(stderr, "gorc: perf support: cannot map %s: %s\n", path, strerror(errno));
		close(fd);
		return;
	}
	struct jd_header h = {0x4A695444, 1, sizeof h, 62 /* EM_X86_64 */, 0, (uint32_t)getpid(), mono_ns(), 0};
	if (write_all(fd, &h, sizeof h) != 0) {
		fprintf(stderr, "gorc: perf support: cannot write %s: %s\n", path, strerror(errno));
		close(fd);
		return;
	}
	jd_fd = fd;
	jd_failed = 0;
}

/* A growable byte buffer. */
struct dbuf {
	char *p;
	size_t n, cap;
};

static int dbuf_grow(struct dbuf *b, size_t more) {
	if (more > SIZE_MAX / 2 - b->n) return 0;
	if (b->n + more <= b->cap) return 1;
	size_t c = b->cap ? b->cap : 4096;
	while (c < b->n + more) c *= 2;
	char *p = realloc(b->p, c);
	if (!p) return 0;
	b->p = p;
	b->cap = c;
	return 1;
}

/* Appends a JIT_CODE_LOAD record for the code at [start, start+size) to
 * b, copying the code with process_vm_readv so that an unreadable range
 * is an error rather than a crash. Returns 0, ENOMEM or the read's errno. */
static int jitdump_code_load(struct dbuf *b, uint64_t start, uint64_t size, const char *name, size_t nl) {
	struct jd_code_load r = {0};
	if (size > (1u << 30)) return EFBIG;
	if (!dbuf_grow(b, sizeof r + nl + 1 + size)) return ENOMEM;
	r.id = 0; /* JIT_CODE_LOAD */
	r.total_size = (uint32_t)(sizeof r + nl + 1 + size);
	r.timestamp = mono_ns();
	r.pid = (uint32_t)getpid();
	r.tid = (uint32_t)gettid();
	r.vma = r.code_addr = start;
	r.code_size = size;
	char *p = b->p + b->n;
	memcpy(p, &r, sizeof r);
	memcpy(p + sizeof r, name, nl);
	p[sizeof r + nl] = 0;
	if (size > 0) {
		struct iovec local = {p + sizeof r + nl + 1, size};
		struct iovec remote = {(void *)(uintptr_t)start, size};
		ssize_t k = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		if (k < 0) return errno;
		if ((uint64_t)k != size) return EFAULT;
	}
	b->n += sizeof r + nl + 1 + size;
	return 0;
}

/* Service: append functions to /tmp/perf-PID.map. Argument: u64 count,
 * then per function u64 start, u64 size, u64 name length and the name's
 * bytes, padded with zeros to a multiple of 8. */
gorc_wrapper_result gorc_svc_perf_map(const uint8_t *arg, size_t len) {
	uint64_t n;
	if (!rd_u64(arg, len, 0, &n)) return wr_err("perf map: want a u64 count, got %zu bytes", len);
	if (n > len / 24) return wr_err("perf map: %llu records cannot fit in %zu bytes", (unsigned long long)n, len);
	struct dbuf map = {0}, jd = {0};
	gorc_wrapper_result res = {0};
	size_t w = 1; /* position in u64 words */
	for (uint64_t i = 0; i < n; i++) {
		uint64_t start, size, nl;
		if (!rd_u64(arg, len, w, &start) || !rd_u64(arg, len, w + 1, &size) || !rd_u64(arg, len, w + 2, &nl)) {
			res = wr_err("perf map: record %llu: truncated header at byte %zu", (unsigned long long)i, w * 8);
			goto out;
		}
		w += 3;
		size_t words = (nl + 7) / 8;
		if (nl > 4096 || w * 8 + words * 8 > len) {
			res = wr_err("perf map: record %llu: name of %llu bytes at byte %zu exceeds the argument (%zu bytes)",
				      (unsigned long long)i, (unsigned long long)nl, w * 8, len);
			goto out;
		}
		if (!dbuf_grow(&map, 2 * 17 + nl + 2)) {
			res = wr_err("perf map: out of memory");
			goto out;
		}
		map.n += (size_t)snprintf(map.p + map.n, map.cap - map.n, "%llx %llx ", (unsigned long long)start, (unsigned long long)size);
		char *name = map.p + map.n;
		for (uint64_t k = 0; k < nl; k++) {
			char c = (char)arg[w * 8 + k];
			map.p[map.n++] = (c == '\n' || c == '\r' || c == 0) ? ' ' : c;
		}
		int e = jitdump_code_load(&jd, start, size, name, (size_t)nl);
		if (e != 0) {
			res = wr_err("perf map: record %llu (%.*s): code at %#llx+%#llx: %s", (unsigned long long)i, (int)nl, name,
				      (unsigned long long)start, (unsigned long long)size, strerror(e));
			goto out;
		}
		map.p[map.n++] = '\n';
		w += words;
	}
	pthread_mutex_lock(&perf_mu);
	if (perf_fd < 0) {
		char path[64];
		snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
		/* Truncated once: a file left by an earlier process with the
		 * same PID would name this one's code wrongly. */
		perf_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
		if (perf_fd < 0) {
			int e = errno;
			pthread_mutex_unlock(&perf_mu);
			res = wr_err("perf map: open %s: %s", path, strerror(e));
			goto out;
		}
	}
	if (write_all(perf_fd, map.p, map.n) != 0) {
		int e = errno;
		pthread_mutex_unlock(&perf_mu);
		res = wr_err("perf map: write /tmp/perf-%d.map: %s", (int)getpid(), strerror(e));
		goto out;
	}
	jitdump_open();
	if (jd_fd >= 0) {
		/* Records need their code_index in order. */
		for (size_t off = 0; off < jd.n;) {
			struct jd_code_load r;
			memcpy(&r, jd.p + off, sizeof r);
			r.code_index = jd_index++;
			memcpy(jd.p + off, &r, sizeof r);
			off += r.total_size;
		}
		if (write_all(jd_fd, jd.p, jd.n) != 0) {
			fprintf(stderr, "gorc: perf support: writing the jitdump file: %s\n", strerror(errno));
			close(jd_fd);
			jd_fd = -1;
			jd_failed = 1;
		}
	}
	pthread_mutex_unlock(&perf_mu);
out:
	free(map.p);
	free(jd.p);
	return res;
}

void gorc_debug_bootstrap(uint64_t *out) {
	out[0] = (uint64_t)(uintptr_t)&gorc_svc_gdb_register;
	out[1] = (uint64_t)(uintptr_t)&gorc_svc_gdb_deregister;
	out[2] = (uint64_t)(uintptr_t)&gorc_svc_perf_map;
}
