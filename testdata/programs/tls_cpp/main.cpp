// tls_cpp: C++ thread_local with dynamic initialization and destructors
// (__tls_init, __cxa_thread_atexit), in the main thread and std::threads.
#include <cstdio>
#include <string>
#include <thread>
#include <vector>
#include <mutex>

struct PerThread {
	std::string tag;
	int uses = 0;
	PerThread() : tag("init") {}
	~PerThread() {
		std::lock_guard<std::mutex> l(mu());
		std::printf("thread_local destroyed after %d uses\n", uses);
	}
	static std::mutex &mu() {
		static std::mutex m;
		return m;
	}
};

thread_local PerThread pt;
thread_local int simple = 7;

int work(int n) {
	for (int i = 0; i < n; i++) {
		pt.uses++;
		simple += 2;
	}
	return simple;
}

int main() {
	std::vector<int> results(3);
	for (int i = 0; i < 3; i++) {
		std::thread t([&results, i] { results[i] = work(i + 1); });
		t.join();
	}
	for (int i = 0; i < 3; i++)
		std::printf("thread %d simple=%d\n", i, results[i]);
	std::printf("main simple=%d uses=%d tag=%s\n", work(10), pt.uses, pt.tag.c_str());
	return 0;
}
