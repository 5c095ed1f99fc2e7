// Values live across invokes: loops keeping integers, doubles and
// pointers live across calls that sometimes throw, handlers reading
// them, phis at landing pads (clang -O2 merges pads), and cleanups of
// objects with destructors in every iteration.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

static unsigned seed = 12345;
static unsigned rnd() { seed = seed * 1103515245u + 12345u; return (seed >> 8) & 0xffff; }

struct Tally {
  long *sum;
  long add;
  Tally(long *s, long a) : sum(s), add(a) {}
  ~Tally() { *sum += add; }
};

__attribute__((noinline)) double risky(int i, double x) {
  if (rnd() % 7 == 0) throw std::runtime_error("r" + std::to_string(i));
  if (rnd() % 11 == 0) throw i;
  return x * 0.5 + i;
}

__attribute__((noinline)) long mixed(int n, bool print) {
  unsigned long isum = 0, a = 1, b = 2, c = 3, d = 4, e = 5;
  long dtors = 0, caught = 0;
  double dsum = 0, dprod = 1;
  std::vector<int> seen;
  for (int i = 0; i < n; i++) {
    Tally t(&dtors, i);
    a += i; b ^= a; c += b >> 3; d = d * 3 + c; e += d & 15;
    try {
      double r = risky(i, dsum);
      dsum = dsum * 0.5 + r * 0.25;
      dprod *= 1.0001;
      isum += (long)r & 1023;
    } catch (const std::runtime_error &ex) {
      caught += 1000 + (ex.what()[1] - '0');
      isum += a + b + c + d + e;
      dsum -= 1.25;
    } catch (int k) {
      caught += k;
      seen.push_back(k);
      dprod *= 0.5;
    }
  }
  if (print)
    printf("isum=%lu dtors=%ld caught=%ld dsum=%.6f dprod=%.6f abcde=%lu %lu %lu %lu %lu seen=%zu\n",
         isum, dtors, caught, dsum, dprod, a, b, c, d, e, seen.size());
  return (long)(isum % 1000003) + caught + dtors;
}

struct Node {
  std::string name;
  std::vector<Node *> kids;
  explicit Node(std::string n) : name(std::move(n)) {}
  ~Node() { for (Node *k : kids) delete k; }
};

__attribute__((noinline)) Node *build(int depth, int &budget) {
  Node *n = new Node("n" + std::to_string(depth) + "_" + std::to_string(budget));
  try {
    for (int i = 0; i < 3 && depth > 0; i++) {
      if (--budget < 0) throw std::length_error("budget");
      n->kids.push_back(build(depth - 1, budget));
    }
  } catch (...) {
    delete n;
    throw;
  }
  return n;
}

static int count(Node *n) {
  int c = 1;
  for (Node *k : n->kids) c += count(k);
  return c;
}

// An argument sets the number of rounds (3 by default; more for timing).
int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 3;
  long total = 0;
  for (int round = 0; round < rounds; round++) total += mixed(200 + round % 3 * 50, round < 3);
  printf("total=%ld\n", total);
  for (int b : {10, 39, 100}) {
    int budget = b;
    try {
      Node *t = build(3, budget);
      printf("built %d nodes, budget left %d\n", count(t), budget);
      delete t;
    } catch (const std::length_error &e) {
      printf("gave up: %s (budget %d)\n", e.what(), budget);
    }
  }
  return 0;
}
