#include <stdio.h>
#include "vm.h"

static long fib(long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static long fact(long n) { return n <= 1 ? 1 : n * fact(n - 1); }

int run(const int *code, int n) {
	long stack[64], vars[8] = {0};
	int sp = 0, pc = 0, steps = 0;
	while (pc < n) {
		steps++;
		switch (code[pc++]) {
		case PUSH: stack[sp++] = code[pc++]; break;
		case STORE: vars[code[pc++]] = stack[--sp]; break;
		case LOAD: stack[sp++] = vars[code[pc++]]; break;
		case ADD: sp--; stack[sp - 1] += stack[sp]; break;
		case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
		case JZ: { int t = code[pc++]; if (!stack[--sp]) pc = t; break; }
		case JMP: pc = code[pc]; break;
		case FIB: stack[sp - 1] = fib(stack[sp - 1]); break;
		case FACT: stack[sp - 1] = fact(stack[sp - 1]); break;
		case PRINT: printf("%ld\n", stack[--sp]); break;
		case HALT: return steps;
		default: printf("bad opcode at %d\n", pc - 1); return -1;
		}
	}
	return steps;
}
