#include <map>
#include <sstream>
#include <string>
std::map<std::string, int> count_words(const std::string &text) {
	std::map<std::string, int> m;
	std::istringstream is(text);
	std::string w;
	while (is >> w)
		m[w]++;
	return m;
}
