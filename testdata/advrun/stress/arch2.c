int arch_unused(int x) { return x - 1; }
