// hello: printf, puts, putchar — the smallest program.
#include <stdio.h>

int main(void) {
	puts("hello, world");
	printf("%s %d %5.2f %x %c\n", "printf", 42, 3.14159, 255, 'z');
	for (int i = 0; i < 3; i++)
		putchar('a' + i);
	putchar('\n');
	return 0;
}
