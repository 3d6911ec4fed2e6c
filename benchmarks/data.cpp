// SPDX-License-Identifier: BSL-1.0
// Benchmarks of the data layer: SVJ-like generation (1 and 2 threads), exact density ratio,
// region masks, row selection, and min-max / standardize fit + transform on 10^6 x 7 float events.
// Peer: tools/peers/data_peer.py (numpy / scikit-learn), see docs/performance.md "Data layer".
#include "support/bench_main.hpp"

#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/synthetic/svj_like.hpp>
#include <hepad/data/table.hpp>
#include <hepad/pre/minmax.hpp>
#include <hepad/pre/standardize.hpp>

namespace {
using namespace hepad::data::synthetic;

long n_events() { return hepad_bench::size(1000000, 2000); }

const hepad::data::table<float>& events() {
  static const auto t = svj_like{}.background<float>(svj_sample::mc, n_events(), hepad::rng(1));
  return t;
}

void bm_generate(benchmark::State& state) {
  const svj_like g;
  hepad::thread_pool pool(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto t = g.background<float>(svj_sample::data, n_events(), hepad::rng(2), &pool);
    benchmark::DoNotOptimize(t.values().data());
  }
  state.SetItemsProcessed(state.iterations() * n_events());
}

void bm_density_ratio(benchmark::State& state) {
  const svj_like g;
  const auto& t = events();
  for (auto _ : state) {
    auto w = g.log_density_ratio<float>(t.values());
    benchmark::DoNotOptimize(w.data());
  }
  state.SetItemsProcessed(state.iterations() * n_events());
}

void bm_region_mask(benchmark::State& state) {
  const auto sr = svj_like{}.signal_region();
  const auto& t = events();
  for (auto _ : state) {
    auto m = sr.mask(t);
    benchmark::DoNotOptimize(m.bytes().data());
  }
  state.SetItemsProcessed(state.iterations() * n_events());
}

void bm_select_half(benchmark::State& state) {
  const auto& t = events();
  hepad::data::row_mask m(t.size());
  hepad::rng r(3);
  for (std::int64_t i = 0; i < t.size(); ++i) m.set(i, r.bernoulli(0.5));
  for (auto _ : state) {
    auto s = t.select(m);
    benchmark::DoNotOptimize(s.values().data());
  }
  state.SetItemsProcessed(state.iterations() * n_events());
}

template <class P>
void bm_fit_transform(benchmark::State& state) {
  const auto& t = events();
  for (auto _ : state) {
    P p{};
    p.fit(t.values());
    auto y = p.transform(t.values());
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * n_events());
}

void register_all() {
  benchmark::RegisterBenchmark("svj_like/generate_1e6", bm_generate)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
  benchmark::RegisterBenchmark("svj_like/log_density_ratio_1e6", bm_density_ratio)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("region/sr_mask_1e6", bm_region_mask)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("table/select_half_1e6x7", bm_select_half)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("pre/minmax_fit_transform_1e6x7", bm_fit_transform<hepad::pre::minmax>)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("pre/standardize_fit_transform_1e6x7", bm_fit_transform<hepad::pre::standardize>)->Unit(benchmark::kMillisecond);
}

}  // namespace

HEPAD_BENCHMARK_MAIN(register_all)
