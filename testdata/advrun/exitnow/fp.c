int fp_cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
int helper(int x) { return x + 40; }
int (*const fp_table[2])(const void *, const void *) = {fp_cmp, 0};
int (*fp_helper)(int) = helper;
