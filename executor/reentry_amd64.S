// gorc executor: the lazy-compilation re-entry point for x86-64.
//
// A JIT'd trampoline calls __gorc_reentry (call *%r11 or similar) so that
// the return address on top of the stack points into the trampoline and
// identifies it. __gorc_reentry saves every argument register, asks
// gorc_reentry_resolve(trampoline return address) for the landing address
// (compiling the function on demand), stores it over the trampoline's
// return address, restores the registers and "returns" there: the landing
// function runs with the original caller's arguments and return address.

#if defined(__x86_64__) && defined(__linux__)
#define GORC_REENTRY_PROBE 8192
	.text
	.globl	gorc_reentry
	.type	gorc_reentry, @function
	.p2align 4
gorc_reentry:
	.cfi_startproc
	// Stack probe: a first call needs this much of the thread's stack
	// below the trampoline's return address (these frames, the C
	// resolver, and a helper thread's start when less than 64 KB is
	// left: gorc_reentry_resolve). With less, the read faults here and
	// the crash handler says "stack exhausted in lazy first call of F"
	// (it knows this pc range and finds the trampoline at (%rsp))
	// instead of a fault somewhere in the executor's own code.
	testq	%rax, -GORC_REENTRY_PROBE(%rsp)
	.globl	gorc_reentry_probed
gorc_reentry_probed:
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	pushq	%rbx
	pushq	%rax
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	subq	$136, %rsp
	movdqu	%xmm0, 0(%rsp)
	movdqu	%xmm1, 16(%rsp)
	movdqu	%xmm2, 32(%rsp)
	movdqu	%xmm3, 48(%rsp)
	movdqu	%xmm4, 64(%rsp)
	movdqu	%xmm5, 80(%rsp)
	movdqu	%xmm6, 96(%rsp)
	movdqu	%xmm7, 112(%rsp)
	// Align the stack for the call whatever the entry alignment was; rbx
	// (saved above) keeps the unaligned value.
	movq	%rsp, %rbx
	andq	$-16, %rsp
	pushq	%rbx
	pushq	%rbx
	movq	8(%rbp), %rdi
	call	gorc_reentry_resolve
	popq	%rbx
	movq	%rbx, %rsp
	movq	%rax, 8(%rbp)
	movdqu	0(%rsp), %xmm0
	movdqu	16(%rsp), %xmm1
	movdqu	32(%rsp), %xmm2
	movdqu	48(%rsp), %xmm3
	movdqu	64(%rsp), %xmm4
	movdqu	80(%rsp), %xmm5
	movdqu	96(%rsp), %xmm6
	movdqu	112(%rsp), %xmm7
	addq	$136, %rsp
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	popq	%rax
	popq	%rbx
	popq	%rbp
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size	gorc_reentry, .-gorc_reentry
#endif
	.section .note.GNU-stack,"",@progbits
