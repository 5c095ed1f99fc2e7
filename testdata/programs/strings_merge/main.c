// strings_merge: identical and suffix-sharing string literals in several
// objects (SHF_MERGE|SHF_STRINGS .rodata.str1.1 sections) and mergeable
// constants (.rodata.cst8/.cst16).
#include <stdio.h>
#include <string.h>

const char *greeting_a(void);
const char *greeting_b(void);
const char *suffix_b(void);
double scale_b(double);

int main(void) {
	const char *x = "hello from a shared literal";
	printf("%s\n%s\n%s\n", x, greeting_a(), greeting_b());
	printf("suffix: %s\n", suffix_b());
	printf("equal contents: %d\n", strcmp(x, greeting_b()) == 0);
	printf("scaled: %.3f\n", scale_b(2.5) * 1.0625);
	printf("%s|%s|%s\n", "literal", "teral", "ral");
	return 0;
}
