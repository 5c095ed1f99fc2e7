// orcbench: the LLVM 19 ORC counterpart of gorc/orc's benchmarks
// (BenchmarkLookupReady, BenchmarkDefineMaterializeLookup10k), for
// comparing the two session cores on the same machine. Build and run with
// run.sh next to this file.
#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/ExecutorProcessControl.h"
#include "llvm/Support/Error.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace llvm;
using namespace llvm::orc;

namespace {

// ChainUnit defines one symbol that depends on the previous one, like the
// Go benchmark's units.
class ChainUnit : public MaterializationUnit {
public:
  ChainUnit(SymbolStringPtr Name, SymbolStringPtr Prev, JITDylib &JD, uint64_t Addr)
      : MaterializationUnit(Interface(
            SymbolFlagsMap{{Name, JITSymbolFlags::Exported | JITSymbolFlags::Callable}}, nullptr)),
        Name(std::move(Name)), Prev(std::move(Prev)), JD(JD), Addr(Addr) {}
  StringRef getName() const override { return "u"; }
  void materialize(std::unique_ptr<MaterializationResponsibility> R) override {
    cantFail(R->notifyResolved(
        {{Name, {ExecutorAddr(Addr), JITSymbolFlags::Exported | JITSymbolFlags::Callable}}}));
    if (Prev) {
      SymbolDependenceGroup G;
      G.Symbols.insert(Name);
      G.Dependencies[&JD].insert(Prev);
      cantFail(R->notifyEmitted(G));
    } else {
      cantFail(R->notifyEmitted({}));
    }
  }

private:
  void discard(const JITDylib &, const SymbolStringPtr &) override {}
  SymbolStringPtr Name, Prev;
  JITDylib &JD;
  uint64_t Addr;
};

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void benchLookupReady() {
  ExecutionSession ES(std::make_unique<UnsupportedExecutorProcessControl>());
  auto &JD = ES.createBareJITDylib("main");
  SymbolMap M;
  for (int I = 0; I < 1000; ++I)
    M[ES.intern("sym" + std::to_string(I))] = {ExecutorAddr(0x1000 + I), JITSymbolFlags::Exported};
  cantFail(JD.define(absoluteSymbols(std::move(M))));
  auto Name = ES.intern("sym500");
  auto Order = makeJITDylibSearchOrder(&JD);
  cantFail(ES.lookup(Order, Name));
  const int N = 2000000;
  double T0 = now();
  for (int I = 0; I < N; ++I) {
    auto R = ES.lookup(Order, Name);
    if (!R) {
      logAllUnhandledErrors(R.takeError(), errs());
      return;
    }
  }
  double T1 = now();
  printf("LLVM LookupReady                 %10.1f ns/op\n", (T1 - T0) / N * 1e9);
  cantFail(ES.endSession());
}

void benchDefineMaterializeLookup(int N, int Iters) {
  double Total = 0;
  for (int It = 0; It < Iters; ++It) {
    double T0 = now();
    ExecutionSession ES(std::make_unique<UnsupportedExecutorProcessControl>());
    auto &JD = ES.createBareJITDylib("main");
    std::vector<SymbolStringPtr> Names;
    Names.reserve(N);
    for (int K = 0; K < N; ++K)
      Names.push_back(ES.intern("f" + std::to_string(K)));
    for (int K = 0; K < N; ++K)
      cantFail(JD.define(std::make_unique<ChainUnit>(Names[K], K ? Names[K - 1] : SymbolStringPtr(), JD, 0x1000 + 16 * K)));
    SymbolLookupSet Set(Names);
    auto R = ES.lookup(makeJITDylibSearchOrder(&JD, JITDylibLookupFlags::MatchAllSymbols), std::move(Set),
                       LookupKind::Static, SymbolState::Ready);
    if (!R) {
      logAllUnhandledErrors(R.takeError(), errs());
      return;
    }
    if ((int)R->size() != N) {
      fprintf(stderr, "got %u symbols\n", (unsigned)R->size());
      return;
    }
    cantFail(ES.endSession());
    Total += now() - T0;
  }
  printf("LLVM DefineMaterializeLookup%dk %10.2f ms/op\n", N / 1000, Total / Iters * 1e3);
}

} // namespace

int main() {
  benchLookupReady();
  benchDefineMaterializeLookup(10000, 20);
  return 0;
}
