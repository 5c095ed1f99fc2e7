/* data-only object */
const int table[16] = {1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987};
const char *const names[] = {"zero", "one", "two", "three", 0};
int common_counter;
