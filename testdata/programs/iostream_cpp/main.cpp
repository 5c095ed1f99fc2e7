// iostream_cpp: std::cout/std::cerr (ios_base::Init static constructor),
// STL containers and algorithms, std::string, shared_ptr, lambdas.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

std::map<std::string, int> count_words(const std::string &text);

int main() {
	auto counts = count_words("the cat and the hat and the bat");
	for (const auto &kv : counts)
		std::cout << kv.first << "=" << kv.second << "\n";
	std::vector<int> v(20);
	std::iota(v.begin(), v.end(), 1);
	std::sort(v.begin(), v.end(), [](int a, int b) { return (a % 5) < (b % 5) || ((a % 5) == (b % 5) && a < b); });
	std::ostringstream os;
	for (int x : v)
		os << x << ',';
	std::cout << os.str() << std::endl;
	auto p = std::make_shared<std::string>("shared");
	auto q = p;
	std::cout << *q << " use_count=" << p.use_count() << std::endl;
	std::cerr << "to cerr " << 3.5 << std::endl;
	return static_cast<int>(counts["the"]);
}
