// Dynamic exception specifications (C++14; built with -std=c++14):
// landingpad filter clauses. An exception the specification allows
// passes, one it does not goes to the unexpected handler, which rethrows
// it as std::bad_exception (listed in the specification); throw() around
// a call that does not throw.
#include <cstdio>
#include <exception>
#include <stdexcept>

__attribute__((noinline)) void allowed(int x) throw(int, std::bad_exception) {
  if (x) throw x;
}
__attribute__((noinline)) void violates(int x) throw(int, std::bad_exception) {
  if (x) throw 2.5;
}
__attribute__((noinline)) void quiet(int x) throw() { allowed(x); }
static void onUnexpected() {
  puts("unexpected called");
  throw;
}

int main() {
  std::set_unexpected(onUnexpected);
  for (int i = 0; i < 3; i++) {
    try {
      allowed(i);
      printf("allowed(%d) returned\n", i);
    } catch (int e) {
      printf("caught %d\n", e);
    }
  }
  try {
    violates(1);
  } catch (const std::bad_exception &) {
    puts("bad_exception");
  } catch (...) {
    puts("other");
  }
  quiet(0);
  puts("done");
  return 0;
}
