// Library exceptions of C++17 (bad_variant_access, bad_optional_access),
// bad_cast from dynamic_cast, typeid, std::regex (its errors and
// matching), unordered_map and iomanip, and threads that throw and catch
// while holding and releasing a mutex. (std::async is left out: its
// call_once reaches libstdc++'s thread-local __once_call, which the JIT
// linker does not resolve.)
#include <cstdio>
#include <variant>
#include <optional>
#include <typeinfo>
#include <thread>
#include <mutex>
#include <stdexcept>
#include <string>
#include <memory>
#include <vector>
#include <sstream>
#include <iostream>
#include <iomanip>
#include <unordered_map>
#include <regex>
struct A { virtual ~A() {} };
struct B : A {};
struct C : A {};
static std::mutex mu;
static int total = 0;
static void worker(int id) {
  for (int i = 0; i < 1000; i++) {
    try {
      if ((i + id) % 7 == 0) throw std::runtime_error("x");
      std::lock_guard<std::mutex> g(mu);
      total += 1;
    } catch (const std::exception &) {
      std::lock_guard<std::mutex> g(mu);
      total += 100;
    }
  }
}
int main() {
  std::variant<int, std::string> v = 5;
  try { std::get<std::string>(v); } catch (const std::bad_variant_access &e) { puts("bad_variant_access"); }
  std::optional<int> o;
  try { o.value(); } catch (const std::bad_optional_access &e) { puts("bad_optional_access"); }
  B b; A &a = b;
  try { (void)dynamic_cast<C &>(a); } catch (const std::bad_cast &e) { puts("bad_cast"); }
  printf("%s\n", typeid(a).name());
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; i++) ts.emplace_back(worker, i);
  for (auto &t : ts) t.join();
  printf("threads: total %d\n", total);
  std::unordered_map<std::string, double> um{{"a", 1.5}, {"b", 2.25}};
  std::ostringstream os; os << std::fixed << std::setprecision(3) << um["a"] + um["b"];
  std::cout << os.str() << std::endl;
  try { std::regex r("(unclosed"); } catch (const std::regex_error &e) { puts("regex_error"); }
  std::regex word("[a-z]+");
  std::string s = "abc 12 def";
  int n = 0; for (std::sregex_iterator it(s.begin(), s.end(), word), end; it != end; ++it) n++;
  printf("words %d\n", n);
  return 0;
}
