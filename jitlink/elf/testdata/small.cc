// small.cc: C++ seed (COMDAT groups, .gcc_except_table, eh_frame).
// g++ -O2 -c small.cc -o small-cxx.o
#include <stdexcept>
template <class T> T twice(T x) { return x + x; }
int g(int x) { try { if (x) throw std::runtime_error("x"); } catch (...) { return 1; } return twice(x); }
