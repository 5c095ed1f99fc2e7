// weak_override: weak definitions (functions and data) overridden by strong
// definitions in another object, and weak ones used when no strong exists.
#include <stdio.h>

const char *which(void);
const char *only_weak(void);
extern int config_value;
extern int weak_only_value;

int main(void) {
	printf("which: %s\n", which());
	printf("only_weak: %s\n", only_weak());
	printf("config_value: %d\n", config_value);
	printf("weak_only_value: %d\n", weak_only_value);
	return 0;
}
