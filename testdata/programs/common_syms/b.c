int counter;
char buffer[64];
void add_b(int n) { counter += n * 10; }
int read_buffer_tail(void) {
	buffer[63] = 9;
	int s = 0;
	for (int i = 1; i < 64; i++)
		s += buffer[i];
	return s;
}
