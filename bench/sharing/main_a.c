/* bench/sharing.sh: controller A's program (status 10). */
int is_even(int);
int main(void) { return 9 + is_even(1000); }
