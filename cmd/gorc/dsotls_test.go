//go:build cgo

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// dsotlsOnce uses libstdc++'s own thread-local variables
// (std::__once_callable, std::__once_call: std::call_once), std::async,
// std::promise, std::packaged_task and a thread_local with a
// constructor, from several threads.
const dsotlsOnce = `#include <cstdio>
#include <future>
#include <mutex>
#include <thread>
#include <vector>
#include <atomic>
static std::once_flag flag;
static std::atomic<int> calls{0}, ctors{0};
struct Counter {
  int n;
  Counter() : n(100) { ctors++; }
};
thread_local Counter tc;
static int work(int i) {
  std::call_once(flag, [] { calls++; });
  tc.n += i;
  return tc.n;
}
int main() {
  std::vector<std::thread> ts;
  std::vector<int> got(8);
  for (int i = 0; i < 8; i++) ts.emplace_back([i, &got] { got[i] = work(i); });
  for (auto &t : ts) t.join();
  int sum = 0;
  for (int v : got) sum += v;
  auto a = std::async(std::launch::async, [] { return work(5); });
  std::promise<int> p;
  std::future<int> pf = p.get_future();
  std::thread pt([&p] { p.set_value(work(7)); });
  std::packaged_task<int(int)> task([](int x) { return work(x) * 2; });
  std::future<int> tf = task.get_future();
  std::thread tt(std::move(task), 3);
  pt.join();
  tt.join();
  std::once_flag again;
  std::call_once(again, [] { calls++; });
  // The futures are read first: the async task's thread is not joined,
  // and printf's arguments may be evaluated in any order.
  int av = a.get(), pv = pf.get(), tv = tf.get(), mv = tc.n;
  printf("calls=%d sum=%d async=%d promise=%d task=%d main=%d ctors>=%d\n", calls.load(), sum, av, pv, tv, mv,
         ctors.load() >= 12);
  return 0;
}
`

// TestRunLibstdcxxTLS: a C++ program whose code refers to libstdc++'s
// thread-local variables (initial-exec from g++'s default -fPIE, as an
// object and as clang++-19 IR) runs, eager and lazy, in every execution
// mode, with the native build's output.
func TestRunLibstdcxxTLS(t *testing.T) {
	gxx := toolPath(t, "g++")
	clangxx := toolPath(t, "clang++-19")
	dir := t.TempDir()
	src := filepath.Join(dir, "once.cpp")
	if err := os.WriteFile(src, []byte(dsotlsOnce), 0o644); err != nil {
		t.Fatal(err)
	}
	native := filepath.Join(dir, "once-native")
	if out, err := exec.Command(gxx, "-O2", "-o", native, src).CombinedOutput(); err != nil {
		t.Fatalf("g++: %v\n%s", err, out)
	}
	out, err := exec.Command(native).Output()
	if err != nil {
		t.Fatalf("native: %v", err)
	}
	want := string(out)
	var inputs [][]string
	for _, c := range []struct {
		tool, opt, ext string
		flags          []string
	}{
		{gxx, "-O0", ".o", []string{"-c"}},
		{gxx, "-O2", ".o", []string{"-c"}},
		{clangxx, "-O0", ".ll", []string{"-S", "-emit-llvm"}},
		{clangxx, "-O2", ".ll", []string{"-S", "-emit-llvm"}},
	} {
		f := filepath.Join(dir, "once"+filepath.Base(c.tool)+c.opt+c.ext)
		args := append(append([]string{c.opt}, c.flags...), "-o", f, src)
		if out, err := exec.Command(c.tool, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", c.tool, args, err, out)
		}
		in := []string{f}
		if c.ext == ".o" {
			in = append(in, "-lstdc++")
		}
		inputs = append(inputs, in)
	}
	forEachMode(t, execModes(t), func(t *testing.T, em execMode) {
		for _, in := range inputs {
			for _, lazy := range [][]string{nil, {"-lazy"}} {
				release, flags := em.acquire(t)
				args := append(append(append([]string{}, lazy...), flags...), in...)
				got := gorcRunWithin(t, dir, 60*time.Second, args...)
				release()
				if got.status != 0 || got.stdout != want {
					t.Errorf("gorc run %v = status %d stdout %q; native gives %q (stderr %s)",
						args, got.status, got.stdout, want, got.stderr)
				}
			}
		}
	})
}

// dsotlsLib is a user's shared library with __thread variables; its own
// functions read them (general-dynamic, -fPIC) so both views are checked.
const dsotlsLib = `__thread int lib_tv = 100;
__thread long lib_arr[4] = {1, 2, 3, 4};
__thread char lib_big[BIG];
int lib_get(void) { return lib_tv; }
long lib_sum(void) { return lib_arr[0] + lib_arr[1] + lib_arr[2] + lib_arr[3] + lib_big[0]; }
`

// dsotlsMain reads and writes the library's thread-local variables from
// several threads, each of which must see its own copy.
const dsotlsMain = `#include <pthread.h>
#include <stdio.h>
extern __thread int lib_tv;
extern __thread long lib_arr[4];
extern __thread char lib_big[];
int lib_get(void);
long lib_sum(void);
static int res[6];
static void *run(void *p) {
  int i = (int)(long)p;
  int ok = lib_tv == 100 && lib_arr[3] == 4;
  lib_tv = 1000 + i;
  lib_arr[i % 4] = 10 * i;
  lib_big[0] = (char)i;
  for (volatile int k = 0; k < 10000; k++) ;
  ok = ok && lib_tv == 1000 + i && lib_get() == 1000 + i && lib_arr[i % 4] == 10 * i;
  res[i] = ok ? (int)lib_sum() : -1;
  return 0;
}
int main(void) {
  pthread_t t[6];
  for (long i = 0; i < 6; i++) pthread_create(&t[i], 0, run, (void *)i);
  for (int i = 0; i < 6; i++) pthread_join(t[i], 0);
  lib_tv += 1;
  printf("main %d %d %ld:", lib_tv, lib_get(), lib_sum());
  for (int i = 0; i < 6; i++) printf(" %d", res[i]);
  printf("\n");
  return 0;
}
`

// TestRunUserLibraryTLS: JIT'd C code compiled -fPIE (initial-exec) and
// -fPIC (general-dynamic) uses the __thread variables of a shared
// library built here, from several threads, in every execution mode,
// with the native build's output; a library whose TLS block does not fit
// in the static TLS surplus works from -fPIC code and fails from -fPIE
// code with a message naming the symbol, the library and the tunable.
func TestRunUserLibraryTLS(t *testing.T) {
	gcc := toolPath(t, "gcc")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "lib.c"), []byte(dsotlsLib), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.c"), []byte(dsotlsMain), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	// small: 16 bytes of .tbss; big: 4 MiB, more than gorc's surplus (1 MiB).
	for _, lib := range []struct{ name, big string }{{"small", "16"}, {"big", "(4<<20)"}} {
		if err := os.Mkdir(filepath.Join(dir, lib.name), 0o755); err != nil {
			t.Fatal(err)
		}
		run(gcc, "-O1", "-shared", "-fPIC", "-DBIG="+lib.big, "-o", filepath.Join(dir, lib.name, "libdsotls.so"), "lib.c")
	}
	run(gcc, "-O1", "-o", "native", "main.c", "-Lsmall", "-ldsotls", "-pthread")
	cmd := exec.Command(filepath.Join(dir, "native"))
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+filepath.Join(dir, "small"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("native: %v", err)
	}
	want := string(out)
	if !strings.HasPrefix(want, "main 101 101 10:") {
		t.Fatalf("native output %q", want)
	}
	for _, pic := range []string{"-fPIE", "-fPIC"} {
		run(gcc, "-O2", pic, "-c", "-o", "main"+pic+".o", "main.c")
	}
	forEachMode(t, execModes(t), func(t *testing.T, em execMode) {
		for _, c := range []struct {
			pic, lib string
			fail     bool
		}{
			{"-fPIE", "small", false},
			{"-fPIC", "small", false},
			{"-fPIC", "big", false},
			{"-fPIE", "big", true},
		} {
			release, flags := em.acquire(t)
			args := append(append([]string{}, flags...), "main"+c.pic+".o", "-L"+filepath.Join(dir, c.lib), "-ldsotls")
			got := gorcRunWithin(t, dir, 60*time.Second, args...)
			release()
			if !c.fail {
				if got.status != 0 || got.stdout != want {
					t.Errorf("gorc run %v = status %d stdout %q; native gives %q (stderr %s)", args, got.status, got.stdout, want, got.stderr)
				}
				continue
			}
			if got.status != 1 || got.stdout != "" {
				t.Errorf("gorc run %v = status %d stdout %q; want a link failure (stderr %s)", args, got.status, got.stdout, got.stderr)
			}
			for _, w := range []string{"lib_", filepath.Join(dir, c.lib, "libdsotls.so"), "static TLS surplus", "GLIBC_TUNABLES=glibc.rtld.optional_static_tls="} {
				if !strings.Contains(got.stderr, w) {
					t.Errorf("gorc run %v: stderr %q does not name %q", args, got.stderr, w)
				}
			}
		}
	})
}
