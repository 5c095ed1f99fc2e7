enum { PUSH, STORE, LOAD, ADD, LT, JZ, JMP, FIB, FACT, PRINT, HALT };
int run(const int *code, int n);
