// nonpic: a non-PIC small-model object (-fno-pic -mcmodel=small): absolute
// 32-bit sign-extended addresses (R_X86_64_32S) for global arrays and jump
// tables, R_X86_64_32 for address constants. Needs memory below 2 GiB.
#include <stdio.h>

int grid[16][16];
static const char *names[] = {"zero", "one", "two", "three", "four", "five"};
extern int other_table[];
int other_sum(void);

static const char *classify(int v) {
	switch (v % 7) {
	case 0: return "seven-ish";
	case 1: return "one";
	case 2: return "two";
	case 3: return "three";
	case 4: return "four";
	case 5: return "five";
	default: return "six";
	}
}

int main(void) {
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 16; j++)
			grid[i][j] = i * j;
	long s = 0;
	for (int i = 0; i < 16; i++)
		s += grid[i][15 - i];
	printf("grid diag sum=%ld\n", s);
	for (int i = 0; i < 6; i++)
		printf("%s:%s ", names[i], classify(other_table[i]));
	printf("\nother_sum=%d\n", other_sum());
	return 0;
}
