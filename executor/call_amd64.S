// gorc executor: gorc_call_regs, the typed-call routine for x86-64 (System V).
//
// void gorc_call_regs(gorc_call_frame *f /* rdi */, const uint64_t *stack /* rsi */)
//
// Frame layout (gorc_call.h): fn at 0, ints[6] at 8, floats[8] at 56,
// nstack at 120, rax at 128, xmm0 at 136.

#if defined(__x86_64__) && defined(__linux__)
	.text
	.globl	gorc_call_regs
	.type	gorc_call_regs, @function
	.p2align 4
gorc_call_regs:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	pushq	%rbx
	.cfi_offset %rbx, -24
	pushq	%r12
	.cfi_offset %r12, -32
	movq	%rdi, %rbx
	// Room for the stack arguments, 16-byte aligned at the call.
	movq	120(%rbx), %rcx
	leaq	15(,%rcx,8), %rax
	andq	$-16, %rax
	subq	%rax, %rsp
	andq	$-16, %rsp
	xorl	%edx, %edx
1:	cmpq	%rcx, %rdx
	jae	2f
	movq	(%rsi,%rdx,8), %rax
	movq	%rax, (%rsp,%rdx,8)
	incq	%rdx
	jmp	1b
2:	movq	56(%rbx), %xmm0
	movq	64(%rbx), %xmm1
	movq	72(%rbx), %xmm2
	movq	80(%rbx), %xmm3
	movq	88(%rbx), %xmm4
	movq	96(%rbx), %xmm5
	movq	104(%rbx), %xmm6
	movq	112(%rbx), %xmm7
	movq	8(%rbx), %rdi
	movq	16(%rbx), %rsi
	movq	24(%rbx), %rdx
	movq	32(%rbx), %rcx
	movq	40(%rbx), %r8
	movq	48(%rbx), %r9
	movq	0(%rbx), %r11
	movl	$8, %eax
	call	*%r11
	movq	%rax, 128(%rbx)
	movq	%xmm0, 136(%rbx)
	leaq	-16(%rbp), %rsp
	popq	%r12
	popq	%rbx
	popq	%rbp
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size	gorc_call_regs, .-gorc_call_regs
#endif
	.section .note.GNU-stack,"",@progbits
