#include "reg.h"
REGISTER(gamma, 2)
REGISTER(delta, 4)
