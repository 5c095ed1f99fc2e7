/* A tentative definition (gcc -fcommon: a common symbol) linked before
 * the archive member that defines the same variable with an initial
 * value (pulled for f): a static linker merges the two into the member's,
 * so c is 5; a JIT that has already placed the common cannot, and gorc
 * refuses with an error naming both definitions. */
int c;
int f(void);
int main(void) { return f() + c; }
