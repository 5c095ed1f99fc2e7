// Class hierarchies and exceptions: multiple and virtual inheritance
// caught by each base, catch by pointer, nested exceptions, a throwing
// constructor in the middle of an array (the built elements destroyed),
// a static local whose initializer throws once (__cxa_guard_abort), a
// destructor that throws with noexcept(false), templates, and iostream
// output.
#include <iostream>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

static int alive = 0;

namespace {
// A type with internal linkage: its type_info is a local symbol.
struct Hidden {
  int v;
};
__attribute__((noinline)) void throwHidden(int v) { throw Hidden{v}; }
} // namespace

struct Named {
  virtual ~Named() {}
  virtual std::string name() const = 0;
};
struct Coded {
  int code = 0;
  virtual ~Coded() {}
};
struct Error : Named, Coded {
  std::string msg;
  Error(std::string m, int c) : msg(std::move(m)) { code = c; }
  std::string name() const override { return "Error(" + msg + ")"; }
};
struct VBase {
  int v = 5;
  virtual ~VBase() {}
};
struct VLeft : virtual VBase {};
struct VRight : virtual VBase {};
struct Diamond : VLeft, VRight {
  Diamond() { v = 77; }
};

struct Piece {
  int id;
  explicit Piece(int i) : id(i) {
    if (i == 4) throw std::runtime_error("piece 4");
    alive++;
  }
  Piece() : Piece(next++) {}
  ~Piece() { alive--; }
  static int next;
};
int Piece::next = 0;

static int attempts = 0;
static int makeOnce() {
  if (++attempts < 3) throw attempts;
  return 42 + attempts;
}
static int lazyValue() {
  static int v = makeOnce();
  return v;
}

struct Loud {
  bool boom;
  explicit Loud(bool b) : boom(b) {}
  ~Loud() noexcept(false) {
    if (boom) throw std::logic_error("from a destructor");
  }
};

template <typename T> T checkedDiv(T a, T b) {
  if (b == T(0)) throw std::domain_error("division by zero");
  return a / b;
}

static void level2(int x) {
  try {
    if (x > 1) throw std::out_of_range("level2 " + std::to_string(x));
  } catch (...) {
    std::throw_with_nested(std::runtime_error("level1"));
  }
}

static void printNested(const std::exception &e, int depth = 0) {
  std::cout << std::string(depth * 2, ' ') << e.what() << "\n";
  try {
    std::rethrow_if_nested(e);
  } catch (const std::exception &inner) {
    printNested(inner, depth + 1);
  }
}

int main() {
  for (int k = 0; k < 3; k++) {
    try {
      if (k == 0) throw Error("named", 1);
      if (k == 1) throw new Error("pointer", 2);
      throw Diamond();
    } catch (const Coded &c) {
      std::cout << "Coded " << c.code << " " << dynamic_cast<const Named &>(c).name() << "\n";
    } catch (Error *e) {
      std::cout << "pointer " << e->name() << " " << e->code << "\n";
      delete e;
    } catch (const VBase &b) {
      std::cout << "virtual base " << b.v << "\n";
    }
  }
  try {
    Piece ps[8];
    std::cout << "all built?\n";
  } catch (const std::runtime_error &e) {
    std::cout << e.what() << ", alive " << alive << "\n";
  }
  for (int i = 0; i < 4; i++) {
    try {
      std::cout << "lazy " << lazyValue() << "\n";
    } catch (int a) {
      std::cout << "init attempt " << a << " failed\n";
    }
  }
  try {
    Loud quiet(false);
    Loud loud(true);
  } catch (const std::logic_error &e) {
    std::cout << "caught " << e.what() << "\n";
  }
  for (int i = 1; i <= 2; i++) {
    try {
      throwHidden(i * 11);
    } catch (const Hidden &h) {
      std::cout << "hidden " << h.v << "\n";
    }
  }
  std::vector<double> results;
  double nums[] = {10, 4, 9, 0, 7};
  for (double d : nums) {
    try {
      results.push_back(checkedDiv(100.0, d));
      std::cout << checkedDiv(100, (int)d) << " ";
    } catch (const std::domain_error &e) {
      std::cout << "[" << e.what() << "] ";
    }
  }
  std::cout << "\n" << results.size() << " results\n";
  try {
    level2(3);
  } catch (const std::exception &e) {
    printNested(e);
  }
  return alive;
}
