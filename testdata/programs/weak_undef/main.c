// weak_undef: weak undefined references to functions and data that no
// object defines resolve to zero.
#include <stdio.h>

extern int missing_function(int) __attribute__((weak));
extern int missing_data __attribute__((weak));
extern int present_function(int) __attribute__((weak));

int present_function(int x) { return x * 3; }

int main(void) {
	if (missing_function)
		printf("missing_function present: %d\n", missing_function(1));
	else
		printf("missing_function is null\n");
	printf("&missing_data is null: %d\n", &missing_data == 0);
	if (present_function)
		printf("present_function(14) = %d\n", present_function(14));
	return 0;
}
