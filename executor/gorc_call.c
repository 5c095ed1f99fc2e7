/* gorc executor: the typed-call service (see gorc_call.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gorc_call.h"

static void call_tls_sync(void);

static gorc_wrapper_result call_err(const char *msg) {
	gorc_wrapper_result r = {0};
	r.error = strdup(msg);
	return r;
}

static uint64_t le64(const uint8_t *p) {
	uint64_t x = 0;
	for (int b = 7; b >= 0; b--) x = (x << 8) | p[b];
	return x;
}

gorc_wrapper_result gorc_svc_call(const uint8_t *arg, size_t len) {
	char msg[160];
	if (len % 8 != 0 || len < 32) {
		snprintf(msg, sizeof msg, "call: %zu argument bytes, want 8*(4+nint+nfloat+nstack)", len);
		return call_err(msg);
	}
	uint64_t fn = le64(arg), nint = le64(arg + 8), nfloat = le64(arg + 16), nstack = le64(arg + 24);
	if (fn == 0) return call_err("call: null function address");
	if (nint > GORC_CALL_INT_REGS || nfloat > GORC_CALL_FLOAT_REGS || nstack > GORC_CALL_MAX_STACK) {
		snprintf(msg, sizeof msg, "call: %llu integer, %llu float and %llu stack arguments; at most %d, %d and %d",
			 (unsigned long long)nint, (unsigned long long)nfloat, (unsigned long long)nstack,
			 GORC_CALL_INT_REGS, GORC_CALL_FLOAT_REGS, GORC_CALL_MAX_STACK);
		return call_err(msg);
	}
	if (len != 8 * (4 + nint + nfloat + nstack)) {
		snprintf(msg, sizeof msg, "call: %zu argument bytes for %llu+%llu+%llu arguments, want %llu", len,
			 (unsigned long long)nint, (unsigned long long)nfloat, (unsigned long long)nstack,
			 (unsigned long long)(8 * (4 + nint + nfloat + nstack)));
		return call_err(msg);
	}
	gorc_call_frame f;
	memset(&f, 0, sizeof f);
	f.fn = fn;
	const uint8_t *p = arg + 32;
	for (uint64_t i = 0; i < nint; i++, p += 8) f.ints[i] = le64(p);
	for (uint64_t i = 0; i < nfloat; i++, p += 8) f.floats[i] = le64(p);
	uint64_t stack[GORC_CALL_MAX_STACK];
	for (uint64_t i = 0; i < nstack; i++, p += 8) stack[i] = le64(p);
	f.nstack = nstack;
	call_tls_sync();
	gorc_call_regs(&f, stack);
	gorc_wrapper_result r = {0};
	r.data = malloc(16);
	if (!r.data) return call_err("call: out of memory");
	for (int b = 0; b < 8; b++) {
		r.data[b] = (uint8_t)(f.rax >> (8 * b));
		r.data[8 + b] = (uint8_t)(f.xmm0 >> (8 * b));
	}
	r.size = 16;
	return r;
}

/* ---------- thread-locals (see gorc_call.h) ---------- */

enum { CALL_TLS_MAX = 1024 };
static struct {
	int64_t tpoff;
	uint64_t image, size;
	int ready;
} call_tls[CALL_TLS_MAX];
static unsigned call_ntls;
static unsigned long call_tls_gen; /* bumped when a block becomes ready */
static pthread_mutex_t call_tls_mu = PTHREAD_MUTEX_INITIALIZER;
static __thread unsigned long call_tls_seen;
static __thread uint64_t call_tls_done[CALL_TLS_MAX / 64];

void gorc_call_tls_block(int64_t tpoff, uint64_t image, uint64_t size) {
	pthread_mutex_lock(&call_tls_mu);
	if (call_ntls < CALL_TLS_MAX) {
		call_tls[call_ntls].tpoff = tpoff;
		call_tls[call_ntls].image = image;
		call_tls[call_ntls].size = size;
		call_tls[call_ntls].ready = 0;
		call_ntls++;
	}
	pthread_mutex_unlock(&call_tls_mu);
}

void gorc_call_tls_ready(uint64_t dst, uint64_t size) {
	pthread_mutex_lock(&call_tls_mu);
	for (unsigned i = 0; i < call_ntls; i++)
		if (dst >= call_tls[i].image && dst - call_tls[i].image < call_tls[i].size && !call_tls[i].ready) {
			call_tls[i].ready = 1;
			__atomic_add_fetch(&call_tls_gen, 1, __ATOMIC_RELEASE);
		}
	pthread_mutex_unlock(&call_tls_mu);
	(void)size;
}

static void call_tls_sync(void) {
	if (__atomic_load_n(&call_tls_gen, __ATOMIC_ACQUIRE) == call_tls_seen) return;
	pthread_mutex_lock(&call_tls_mu);
	uint64_t tp = gorc_thread_pointer();
	for (unsigned i = 0; i < call_ntls; i++) {
		uint64_t bit = 1ull << (i % 64);
		if (!call_tls[i].ready || (call_tls_done[i / 64] & bit)) continue;
		memcpy((void *)(uintptr_t)(tp + (uint64_t)call_tls[i].tpoff), (const void *)(uintptr_t)call_tls[i].image,
		       call_tls[i].size);
		call_tls_done[i / 64] |= bit;
	}
	call_tls_seen = call_tls_gen;
	pthread_mutex_unlock(&call_tls_mu);
}

gorc_call_ret gorc_call(uint64_t fn, uint64_t i0, uint64_t i1, uint64_t i2, uint64_t i3, uint64_t i4, uint64_t i5,
			uint64_t f0, uint64_t f1, uint64_t f2, uint64_t f3, uint64_t f4, uint64_t f5, uint64_t f6,
			uint64_t f7, uint64_t nstack, const uint64_t *stack) {
	gorc_call_frame f = {fn, {i0, i1, i2, i3, i4, i5}, {f0, f1, f2, f3, f4, f5, f6, f7}, nstack, 0, 0};
	call_tls_sync();
	gorc_call_regs(&f, stack);
	gorc_call_ret r = {f.rax, f.xmm0};
	return r;
}

uint64_t gorc_svc_call_addr(void) { return (uint64_t)(uintptr_t)&gorc_svc_call; }

double gorc_call_floor(double x) { return (x * x + 1.0) * x - 2.0; }
