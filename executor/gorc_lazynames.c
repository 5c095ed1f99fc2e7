// gorc executor: the names of lazy trampolines, for the refusal of a lazy
// first call in a process the program forked (forked_reentry in
// gorc_executor.c).
//
// A forked process cannot ask the controller which function a trampoline
// stands for (the connection, or in process the Go runtime, is the
// executor's own process's), so the controller leaves the names in the
// executor's memory beforehand: each block of trampolines has an area of
// fixed-size name slots (one per trampoline, in the same order) that the
// controller fills as it binds a trampoline to a function, and the block
// is registered here (the service __gorc_lazy_names, a finalize action of
// the block's link). Looking a name up reads memory only: no lock, no
// malloc, no system call, so the refusal stays async-signal-safe.

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "gorc_executor.h"

#define MAX_NAME_BLOCKS 4096

struct name_block {
	uint64_t names, size;	    /* the slots: count × slot bytes */
	uint64_t first, count, stride; /* the first trampoline's return address, how many, their spacing */
};

static struct name_block name_blocks[MAX_NAME_BLOCKS];
static int nname_blocks; /* published with a release store after the entry is written */
static pthread_mutex_t name_blocks_mu = PTHREAD_MUTEX_INITIALIZER;

/* Arguments: six little-endian u64 — the slots' address and size, the
 * first trampoline's return address, the trampoline count and stride, and
 * 0 to register or 1 to forget the block (its deallocate action). */
gorc_wrapper_result gorc_svc_lazy_names(const uint8_t *arg, size_t len) {
	uint64_t v[6];
	for (size_t i = 0; i < 6; i++)
		if (len != 48 || !rd_u64(arg, len, i, &v[i])) return wr_err("lazy names: want 48 argument bytes, got %zu", len);
	if (v[3] == 0 || v[4] == 0 || v[1] % v[3] != 0) return wr_err("lazy names: bad block (%llu trampolines, %llu name bytes)", (unsigned long long)v[3], (unsigned long long)v[1]);
	pthread_mutex_lock(&name_blocks_mu);
	int n = nname_blocks;
	if (v[5]) {
		/* Forget: the entry's count goes to 0 first (a reader sees the
		 * block or nothing); free slots are reused by later blocks. */
		for (int i = 0; i < n; i++)
			if (name_blocks[i].names == v[0]) __atomic_store_n(&name_blocks[i].count, 0, __ATOMIC_RELEASE);
	} else {
		int slot = -1;
		for (int i = 0; i < n && slot < 0; i++)
			if (__atomic_load_n(&name_blocks[i].count, __ATOMIC_ACQUIRE) == 0) slot = i;
		if (slot < 0 && n < MAX_NAME_BLOCKS) slot = n++;
		if (slot >= 0) { /* else: no room; the refusal names the trampoline */
			struct name_block *b = &name_blocks[slot];
			b->names = v[0];
			b->size = v[1];
			b->first = v[2];
			b->stride = v[4];
			__atomic_store_n(&b->count, v[3], __ATOMIC_RELEASE);
			__atomic_store_n(&nname_blocks, n, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&name_blocks_mu);
	return wr_ok(NULL, 0);
}

/* The name the controller left for the trampoline whose return address
 * is ret, or NULL (not recorded, or the slot not filled). At most
 * *len bytes, not NUL-terminated when the slot is full. Reads memory
 * only (async-signal-safe). */
const char *gorc_lazy_name_of(uint64_t ret, size_t *len) {
	int n = __atomic_load_n(&nname_blocks, __ATOMIC_ACQUIRE);
	for (int i = 0; i < n; i++) {
		const struct name_block *b = &name_blocks[i];
		uint64_t count = __atomic_load_n(&b->count, __ATOMIC_ACQUIRE);
		if (count == 0 || ret < b->first || (ret - b->first) % b->stride != 0) continue;
		uint64_t k = (ret - b->first) / b->stride;
		if (k >= count) continue;
		uint64_t slot = b->size / count;
		const char *s = (const char *)(uintptr_t)(b->names + k * slot);
		size_t l = strnlen(s, (size_t)slot);
		if (l == 0) return NULL;
		*len = l;
		return s;
	}
	return NULL;
}
