const char *which(void) { return "strong override"; }
int config_value = 2;
