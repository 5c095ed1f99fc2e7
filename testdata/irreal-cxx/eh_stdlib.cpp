// Exceptions thrown inside libstdc++ and caught by JIT'd code, thrown by
// JIT'd code through libstdc++'s frames, and the containers, strings and
// streams around them.
#include <iostream>
#include <sstream>
#include <string>
#include <vector>
#include <map>
#include <memory>
#include <stdexcept>
#include <new>
#include <functional>
#include <algorithm>
#include <exception>

static int counted = 0;
static int *volatile sink;
struct Counted {
  int v;
  Counted(int x) : v(x) { counted++; }
  Counted(const Counted &o) : v(o.v) { counted++; }
  ~Counted() { counted--; }
};

// A stream buffer whose overflow throws: libstdc++'s ostream catches it
// (setting badbit) and rethrows when badbit is in exceptions().
struct Thrower : std::streambuf {
  int n = 0;
  int overflow(int c) override {
    if (++n > 3) throw std::runtime_error("buffer full");
    return c;
  }
};

static std::string describe(const std::exception &e) {
  std::ostringstream os;
  os << "[" << e.what() << "]";
  return os.str();
}

int main() {
  std::vector<int> v{5, 3, 9};
  try {
    std::cout << v.at(1) << "\n";
    std::cout << v.at(10) << "\n";
  } catch (const std::out_of_range &e) {
    std::cout << "out_of_range caught\n";
  }
  const char *inputs[] = {"42", "  -17", "xyz", "99999999999999999999", "7up"};
  for (const char *s : inputs) {
    try {
      std::size_t pos = 0;
      int x = std::stoi(s, &pos);
      std::cout << "stoi(" << s << ") = " << x << " pos " << pos << "\n";
    } catch (const std::invalid_argument &e) {
      std::cout << "invalid_argument for " << s << "\n";
    } catch (const std::out_of_range &e) {
      std::cout << "out_of_range for " << s << "\n";
    }
  }
  try {
    std::size_t huge = static_cast<std::size_t>(-1) / 4;
    volatile std::size_t n = huge;
    sink = new int[n];
    std::cout << "allocated?? " << (sink != nullptr) << "\n";
  } catch (const std::bad_alloc &e) {
    std::cout << "bad_alloc caught\n";
  }
  try {
    std::vector<Counted> cs;
    for (int i = 0; i < 10; i++) cs.emplace_back(i);
    std::cout << "counted " << counted << "\n";
    cs.reserve(static_cast<std::size_t>(-1) / 2);
  } catch (const std::length_error &e) {
    std::cout << "length_error, counted " << counted << "\n";
  }
  std::map<std::string, int> m;
  const char *words[] = {"pear", "apple", "fig", "apple", "kiwi", "fig", "apple"};
  for (auto w : words) m[w]++;
  for (auto &kv : m) std::cout << kv.first << "=" << kv.second << " ";
  std::cout << "\n";
  try {
    std::cout << m.at("banana") << "\n";
  } catch (const std::out_of_range &e) {
    std::cout << "no banana\n";
  }
  std::istringstream in("12 abc");
  in.exceptions(std::ios::failbit);
  int a = 0, b = 0;
  try {
    in >> a >> b;
  } catch (const std::ios_base::failure &e) {
    std::cout << "ios failure after " << a << "\n";
  }
  Thrower tb;
  std::ostream os(&tb);
  os.exceptions(std::ios::badbit);
  try {
    os << "abcdefgh" << std::flush;
    std::cout << "no throw\n";
  } catch (const std::runtime_error &e) {
    std::cout << "through libstdc++: " << describe(e) << "\n";
  }
  std::function<int(int)> f = [](int x) -> int {
    if (x > 2) throw std::logic_error("too big " + std::to_string(x));
    return x * 10;
  };
  for (int i = 0; i < 5; i++) {
    try {
      std::cout << "f(" << i << ") = " << f(i) << "\n";
    } catch (const std::logic_error &e) {
      std::cout << describe(e) << "\n";
    }
  }
  std::vector<int> w{4, 1, 3, 5, 2};
  try {
    std::sort(w.begin(), w.end(), [](int x, int y) {
      if (x == 5 || y == 5) throw 5;
      return x < y;
    });
  } catch (int e) {
    std::cout << "sort threw " << e << "\n";
  }
  std::exception_ptr ep;
  try {
    throw std::domain_error("kept");
  } catch (...) {
    ep = std::current_exception();
  }
  try {
    std::rethrow_exception(ep);
  } catch (const std::domain_error &e) {
    std::cout << "rethrown " << e.what() << "\n";
  }
  try {
    auto p = std::make_unique<Counted>(3);
    auto s = std::make_shared<Counted>(4);
    throw std::runtime_error("with owners " + std::to_string(counted));
  } catch (const std::exception &e) {
    std::cout << e.what() << ", now " << counted << "\n";
  }
  std::string s = "hello";
  for (int i = 0; i < 3; i++) s += " world";
  std::cout << s << " " << s.size() << "\n";
  try {
    s.substr(1000);
  } catch (const std::out_of_range &) {
    std::cout << "substr out of range\n";
  }
  return counted;
}
