#include "shape.h"
#include <cstdio>

int Shape::live = 0;

Shape::Shape(const std::string &n, int i) : name(n), id(i) { live++; }
Shape::~Shape() {
	live--;
	std::printf("~Shape %s (%d live)\n", name.c_str(), live);
}
int Shape::area() const { return 0; }
std::string Shape::describe() const {
	return name + "#" + std::to_string(id) + " area " + std::to_string(area());
}

Square::Square(int s) : Shape("square" + std::to_string(s), s * 10), side(s) {}
Square::~Square() { std::printf("~Square %d\n", side); }
int Square::area() const { return side * side; }
