// SPDX-License-Identifier: BSL-1.0
// Benchmarks of the core: random number generation and the thread pool's dispatch overhead.
#include "support/bench_main.hpp"

#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>

#include <vector>

namespace {

void bm_rng_uniform(benchmark::State& state) {
  hepad::rng r(1);
  double s = 0;
  for (auto _ : state) {
    for (int i = 0; i < 1024; ++i) s += r.uniform();
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * 1024);
}

void bm_rng_normal(benchmark::State& state) {
  hepad::rng r(1);
  double s = 0;
  for (auto _ : state) {
    for (int i = 0; i < 1024; ++i) s += r.normal();
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * 1024);
}

void bm_pool_dispatch(benchmark::State& state) {
  hepad::thread_pool pool(static_cast<int>(state.range(0)));
  std::vector<double> out(64);
  for (auto _ : state) {
    pool.run(64, [&](std::int64_t t) { out[static_cast<std::size_t>(t)] = static_cast<double>(t); });
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void register_all() {
  benchmark::RegisterBenchmark("rng/uniform", bm_rng_uniform);
  benchmark::RegisterBenchmark("rng/normal", bm_rng_normal);
  benchmark::RegisterBenchmark("thread_pool/dispatch_64_tasks", bm_pool_dispatch)->Arg(1)->Arg(2);
}

}  // namespace

HEPAD_BENCHMARK_MAIN(register_all)
