/* bench/sharing.sh: is_odd calls is_even, which another controller links. */
int is_even(int);
int is_odd(int n) { return n == 0 ? 0 : is_even(n - 1); }
