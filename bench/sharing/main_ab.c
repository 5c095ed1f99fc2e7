/* bench/sharing.sh: one controller runs both (status 21). */
int is_even(int), is_odd(int);
int main(void) { return 19 + is_even(1000) + is_odd(1001); }
