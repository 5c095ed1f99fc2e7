/* A small bytecode interpreter: a stack machine running a loop that
   computes primes, fibonacci numbers and a checksum, with a switch
   dispatch. */
#include <stdio.h>

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, MOD, LT, JZ, JMP, PRINT, HALT, DUP, POP };

static long run(const int *code, long *vars) {
  long stack[64];
  int sp = 0, pc = 0;
  long steps = 0;
  for (;;) {
    steps++;
    switch (code[pc++]) {
    case PUSH: stack[sp++] = code[pc++]; break;
    case LOAD: stack[sp++] = vars[code[pc++]]; break;
    case STORE: vars[code[pc++]] = stack[--sp]; break;
    case ADD: sp--; stack[sp - 1] += stack[sp]; break;
    case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
    case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
    case MOD: sp--; stack[sp - 1] %= stack[sp]; break;
    case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
    case JZ: pc = stack[--sp] ? pc + 1 : code[pc]; break;
    case JMP: pc = code[pc]; break;
    case PRINT: printf("%ld\n", stack[--sp]); break;
    case DUP: stack[sp] = stack[sp - 1]; sp++; break;
    case POP: sp--; break;
    case HALT: return steps;
    default: printf("bad opcode\n"); return -1;
    }
  }
}

int main(void) {
  /* v0 = a, v1 = b, v2 = i: print 30 fibonacci numbers mod 1000003 */
  const int fib[] = {PUSH, 0, STORE, 0, PUSH, 1, STORE, 1, PUSH, 0, STORE, 2,
                     /*12*/ LOAD, 2, PUSH, 30, LT, JZ, 45,
                     LOAD, 0, LOAD, 1, ADD, PUSH, 1000003, MOD, LOAD, 1, STORE, 0, STORE, 1,
                     LOAD, 0, PRINT, LOAD, 2, PUSH, 1, ADD, STORE, 2, JMP, 12,
                     /*45*/ HALT};
  long vars[8] = {0};
  printf("steps %ld\n", run(fib, vars));
  /* sum of i*i mod 7 for i < 5000 */
  const int sq[] = {PUSH, 0, STORE, 0, PUSH, 0, STORE, 1,
                    /*8*/ LOAD, 1, PUSH, 5000, LT, JZ, 36,
                    LOAD, 0, LOAD, 1, DUP, MUL, PUSH, 7, MOD, ADD, STORE, 0,
                    LOAD, 1, PUSH, 1, ADD, STORE, 1, JMP, 8,
                    /*36*/ LOAD, 0, PRINT, HALT};
  printf("steps %ld\n", run(sq, vars));
  return 0;
}
