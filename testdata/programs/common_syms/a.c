int counter;
void add_a(int n) { counter += n; }
