#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* Computed goto (labels as values): a threaded-code bytecode interpreter
   with its dispatch table in a static array, a table of label
   differences (&&l1 - &&l0) as GCC's manual shows, a state machine
   through a label variable compared with &&label, and a goto through a
   global. The output is compared with the native build's. */
enum { PUSH, ADD, SUB, MUL, DUP, SWAP, JNZ, DEC, PRINT, HALT, LOADR, STORER };
static const void *gtable[2];
static long run(const int *code, int trace) {
  static const void *const disp[] = { &&op_push, &&op_add, &&op_sub, &&op_mul, &&op_dup, &&op_swap,
                                      &&op_jnz, &&op_dec, &&op_print, &&op_halt, &&op_loadr, &&op_storer };
  long stack[64]; int sp = 0; const int *pc = code; long reg[4] = {0};
  long steps = 0;
#define NEXT do { steps++; goto *disp[*pc++]; } while (0)
  NEXT;
op_push: stack[sp++] = *pc++; NEXT;
op_add: sp--; stack[sp-1] += stack[sp]; NEXT;
op_sub: sp--; stack[sp-1] -= stack[sp]; NEXT;
op_mul: sp--; stack[sp-1] = (stack[sp-1] * stack[sp]) % 1000003; NEXT;
op_dup: stack[sp] = stack[sp-1]; sp++; NEXT;
op_swap: { long t = stack[sp-1]; stack[sp-1] = stack[sp-2]; stack[sp-2] = t; } NEXT;
op_jnz: { int off = *pc++; if (stack[--sp]) pc = code + off; } NEXT;
op_dec: stack[sp-1]--; NEXT;
op_print: if (trace) printf("top %ld\n", stack[sp-1]); NEXT;
op_loadr: stack[sp++] = reg[*pc++]; NEXT;
op_storer: reg[*pc++] = stack[--sp]; NEXT;
op_halt: return stack[sp-1] * 1000 + steps % 1000;
}
/* Relative-offset table, as GCC's manual shows. */
static int rel(int i) {
  static const int offs[] = { &&l0 - &&l0, &&l1 - &&l0, &&l2 - &&l0 };
  goto *(&&l0 + offs[i]);
l0: return 10;
l1: return 11;
l2: return 12;
}
/* A state machine through a label variable, address compared. */
static int machine(const char *s) {
  void *st = &&start; int n = 0;
  for (; *s; s++) {
    goto *st;
  start: if (*s == 'a') st = &&sawa; continue;
  sawa: if (*s == 'b') { n++; st = &&start; } else if (*s != 'a') st = &&start; continue;
  }
  return n * 10 + (st == &&sawa);
}
int main(void) {
  /* factorial-ish loop: reg0 = 20; acc = 1; while (reg0) { acc = acc*reg0 % p; reg0-- } */
  int prog[] = { PUSH, 1, STORER, 1, PUSH, 20, STORER, 0,
                 /* 8: */ LOADR, 1, LOADR, 0, MUL, STORER, 1, LOADR, 0, DEC, DUP, STORER, 0, JNZ, 8,
                 LOADR, 1, PRINT, HALT };
  long sum = 0;
  for (int i = 0; i < 20000; i++) sum += run(prog, i == 0);
  printf("run %ld\n", sum);
  printf("rel %d %d %d\n", rel(0), rel(1), rel(2));
  printf("machine %d %d\n", machine("abaabxab"), machine("zzza"));
  gtable[0] = &&done;
  goto *gtable[0];
done:
  printf("ok\n");
  return 0;
}
