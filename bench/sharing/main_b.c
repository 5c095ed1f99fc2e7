/* bench/sharing.sh: controller B's program (status 11). */
int is_odd(int);
int main(void) { return 10 + is_odd(1001); }
