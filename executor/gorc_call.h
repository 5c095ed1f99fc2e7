/* gorc executor: typed calls into JIT'd code (System V x86-64).
 *
 * gorc_call_regs loads the integer argument registers (rdi, rsi, rdx,
 * rcx, r8, r9) and the vector argument registers (xmm0-7, low 64 bits)
 * from a frame, pushes nstack 8-byte stack arguments (the first at the
 * lowest address, the stack 16-byte aligned at the call), calls fn with
 * al = 8 (an upper bound on the vector registers used, for variadic
 * callees) and stores rax and the low 64 bits of xmm0 back in the frame.
 */
#ifndef GORC_CALL_H
#define GORC_CALL_H

#include <stdint.h>
#include "gorc_executor.h"

enum { GORC_CALL_INT_REGS = 6, GORC_CALL_FLOAT_REGS = 8, GORC_CALL_MAX_STACK = 1024 };

typedef struct {
	uint64_t fn;                          /* offset 0 */
	uint64_t ints[GORC_CALL_INT_REGS];    /* 8 */
	uint64_t floats[GORC_CALL_FLOAT_REGS]; /* 56 */
	uint64_t nstack;                      /* 120 */
	uint64_t rax;                         /* 128 */
	uint64_t xmm0;                        /* 136 */
} gorc_call_frame;

void gorc_call_regs(gorc_call_frame *f, const uint64_t *stack);

/* gorc_call_regs with the registers as arguments (so that a Go caller
 * passes no pointer but the stack slots'), returning rax and xmm0. */
typedef struct {
	uint64_t rax, xmm0;
} gorc_call_ret;
gorc_call_ret gorc_call(uint64_t fn, uint64_t i0, uint64_t i1, uint64_t i2, uint64_t i3, uint64_t i4, uint64_t i5,
			uint64_t f0, uint64_t f1, uint64_t f2, uint64_t f3, uint64_t f4, uint64_t f5, uint64_t f6,
			uint64_t f7, uint64_t nstack, const uint64_t *stack);

/* The typed-call service (a wrapper function): its argument is the
 * little-endian uint64 sequence fn, nint, nfloat, nstack, ints[nint],
 * floats[nfloat], stack[nstack]; its result is 16 bytes: rax, xmm0. */
gorc_wrapper_result gorc_svc_call(const uint8_t *arg, size_t len);
uint64_t gorc_svc_call_addr(void);

/* Thread-locals of typed calls. A typed call runs on an existing thread,
 * whose copy of a JIT'd TLS block glibc initialized when the block's
 * carrier module was loaded, before the linker wrote the block's image.
 * gorc_call_tls_block registers a block (its image and offset from the
 * thread pointer); gorc_call_tls_ready (from the tls-set-image service)
 * marks it written. Before each typed call, a thread copies the image of
 * every written block it has not yet initialized into its own copy. */
void gorc_call_tls_block(int64_t tpoff, uint64_t image, uint64_t size);

/* The benchmark floor: a plain C function called through cgo. */
double gorc_call_floor(double x);

#endif
