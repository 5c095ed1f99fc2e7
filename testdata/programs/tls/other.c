#include <string.h>
__thread int ext_counter = 5;
__thread char ext_name[16];
void set_name(const char *n) { strncpy(ext_name, n, sizeof ext_name - 1); }
