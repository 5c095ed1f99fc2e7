#include "shape.h"
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

int main() {
	std::map<std::string, int> areas;
	{
		Shape plain("plain", 1);
		Square sq(4);
		std::vector<std::unique_ptr<Shape>> all;
		for (int i = 1; i <= 3; i++)
			all.push_back(std::make_unique<Square>(i));
		all.push_back(std::make_unique<Shape>("dot", 9));
		for (auto &s : all) {
			std::printf("%s\n", s->describe().c_str());
			areas[s->name] = s->area();
		}
		std::printf("%s / %s, live %d\n", plain.describe().c_str(), sq.describe().c_str(), Shape::live);
	}
	int total = 0;
	for (auto &[k, v] : areas) {
		std::printf("%s=%d\n", k.c_str(), v);
		total += v;
	}
	std::printf("total %d, live %d\n", total, Shape::live);
	return total % 7;
}
