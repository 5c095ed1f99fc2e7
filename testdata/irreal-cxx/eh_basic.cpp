// Throw and catch across frames, destructors during unwinding, catch by
// base class, rethrow, nested try blocks, a function-try-block, catch(...)
// and exceptions of scalar and pointer types. Prints what happened; the
// output is compared with the native build's.
#include <cstdio>
#include <cstring>

static int live = 0, made = 0, destroyed = 0;

struct Guard {
  int id;
  explicit Guard(int i) : id(i) { live++; made++; }
  ~Guard() { live--; destroyed++; }
};

struct Base {
  int code;
  explicit Base(int c) : code(c) {}
  virtual ~Base() {}
  virtual const char *name() const { return "Base"; }
};
struct Mid : Base {
  explicit Mid(int c) : Base(c) {}
  const char *name() const override { return "Mid"; }
};
struct Leaf : Mid {
  char tag[16];
  explicit Leaf(int c) : Mid(c) { strcpy(tag, "leaf"); }
  const char *name() const override { return "Leaf"; }
};

__attribute__((noinline)) int depth(int n, int kind) {
  Guard g(n);
  if (n == 0) {
    switch (kind) {
    case 0: throw 7;
    case 1: throw Leaf(11);
    case 2: throw Mid(12);
    case 3: throw 2.5;
    case 4: throw "text";
    case 5: throw Base(13);
    }
    return 100;
  }
  Guard h(n + 1000);
  return depth(n - 1, kind) + 1;
}

static int classify(int kind) {
  try {
    return depth(5, kind);
  } catch (int v) {
    printf("int %d live=%d\n", v, live);
    return -1;
  } catch (const Leaf &l) {
    printf("Leaf %d %s %s live=%d\n", l.code, l.name(), l.tag, live);
    return -2;
  } catch (const Mid &m) {
    printf("Mid-as-Mid %d %s live=%d\n", m.code, m.name(), live);
    return -3;
  } catch (double d) {
    printf("double %g live=%d\n", d, live);
    return -4;
  } catch (const char *s) {
    printf("string %s live=%d\n", s, live);
    return -5;
  } catch (...) {
    printf("something live=%d\n", live);
    return -6;
  }
}

__attribute__((noinline)) void rethrower(int x) {
  Guard g(x);
  try {
    depth(3, 2);
  } catch (Base &b) {
    printf("rethrowing %s %d\n", b.name(), b.code);
    b.code += x;
    throw;
  }
}

struct Widget {
  Guard a, b;
  int v;
  // A function-try-block: the constructor's handler sees the member
  // already built destroyed, and rethrows.
  Widget(int n) try : a(n), b(n + 1), v(n ? depth(2, 0) : 0) {
    printf("widget built\n");
  } catch (int e) {
    printf("widget ctor failed with %d live=%d\n", e, live);
  }
};

static int nested(int n) {
  int r = 0;
  try {
    Guard outer(1);
    try {
      Guard inner(2);
      if (n & 1) throw n;
      r += 10;
    } catch (int v) {
      r += v;
      if (n & 2) throw Leaf(v * 2);
    }
    r += 100;
  } catch (Mid &m) {
    r += m.code * 1000;
  }
  return r;
}

int main() {
  for (int k = 0; k <= 6; k++)
    printf("classify(%d) = %d\n", k, classify(k));
  try {
    rethrower(40);
  } catch (const Mid &m) {
    printf("caught rethrown %s %d live=%d\n", m.name(), m.code, live);
  }
  try {
    Widget w(3);
    printf("unexpected %d\n", w.v);
  } catch (int e) {
    printf("widget threw %d live=%d\n", e, live);
  }
  Widget ok(0);
  printf("widget ok %d\n", ok.v);
  for (int n = 0; n < 4; n++)
    printf("nested(%d) = %d live=%d\n", n, nested(n), live);
  printf("made=%d destroyed=%d live=%d\n", made, destroyed, live);
  return live == 2 ? 0 : 1;
}
