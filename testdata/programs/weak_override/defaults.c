__attribute__((weak)) const char *which(void) { return "weak default"; }
__attribute__((weak)) const char *only_weak(void) { return "weak (no override)"; }
__attribute__((weak)) int config_value = 1;
__attribute__((weak)) int weak_only_value = 77;
