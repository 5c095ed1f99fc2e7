// common_syms: tentative definitions compiled with -fcommon, the same name
// in several objects (the largest size wins), merged into one variable.
#include <stdio.h>

int counter;
char buffer[16];
void add_a(int), add_b(int);
int read_buffer_tail(void);

int main(void) {
	add_a(5);
	add_b(7);
	counter += 1;
	printf("counter=%d\n", counter);
	buffer[0] = 'x';
	printf("tail=%d buffer[0]=%c\n", read_buffer_tail(), buffer[0]);
	return 0;
}
