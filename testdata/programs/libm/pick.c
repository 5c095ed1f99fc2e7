#include <math.h>
double (*pick(int i))(double) {
	static double (*const fns[])(double) = {asin, erf, log1p};
	return fns[i];
}
