// SPDX-License-Identifier: BSL-1.0
// Benchmarks of hepad/stats: the peer_fit.py model (../shared/peers) - NLL with value, exact
// gradient (forward mode) and exact Hessian; one full toy fit (MIGRAD + HESSE + MINOS); toys in
// parallel; and weighted ROC/AUC on a million events. The side-by-side comparison with iminuit is
// tools/peers/fit_compare.py (examples/fit_toys).
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 false positive inside its AVX-512 intrinsics when Eigen is inlined (PR 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include "support/bench_main.hpp"

#include "../examples/fit_toys/peer_model.hpp"

#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/stats/hesse.hpp>
#include <hepad/stats/minimize.hpp>
#include <hepad/stats/minos.hpp>
#include <hepad/stats/roc.hpp>
#include <hepad/stats/sic.hpp>

#include <vector>

namespace {

namespace st = hepad::stats;

struct peer_toy {
  st::likelihood<st::binned_model> model;
  explicit peer_toy(std::uint64_t seed) : model(make()) {
    const auto t = fit_toys::make_templates();
    std::vector<double> theta0(7, 0.0), nu(fit_toys::n_bins);
    theta0[0] = 1.0;
    model.term<0>().channel(0).expected<double>(theta0, nu);
    hepad::rng r(seed);
    std::vector<double> n(nu.size()), g(6);
    for (std::size_t b = 0; b < n.size(); ++b) n[b] = static_cast<double>(r.poisson(nu[b]));
    for (auto& v : g) v = r.normal();
    model.term<0>().channel(0).set_observed(n);
    model.set_global_observables(g);
  }
  static st::likelihood<st::binned_model> make() {
    return fit_toys::make_model(fit_toys::make_templates(), std::vector<double>(fit_toys::n_bins, 10.0));
  }
};

const std::vector<double> theta{1.1, 0.2, -0.3, 0.4, -0.1, 0.3, -0.2};

void bm_nll_value(benchmark::State& state) {
  peer_toy p(1);
  for (auto _ : state) benchmark::DoNotOptimize(p.model.nll(std::span<const double>(theta)));
  state.SetItemsProcessed(state.iterations());
}
void bm_nll_gradient(benchmark::State& state) {
  peer_toy p(1);
  std::vector<double> g(7);
  for (auto _ : state) {
    benchmark::DoNotOptimize(p.model.nll_gradient(theta, g));
    benchmark::DoNotOptimize(g.data());
  }
  state.SetItemsProcessed(state.iterations());
}
void bm_nll_hessian(benchmark::State& state) {
  peer_toy p(1);
  std::vector<double> g(7), h(49);
  for (auto _ : state) {
    benchmark::DoNotOptimize(p.model.nll_hessian(theta, g, h));
    benchmark::DoNotOptimize(h.data());
  }
  state.SetItemsProcessed(state.iterations());
}
// MIGRAD + HESSE + MINOS(mu) from the peer's start values, as peer_fit.py does per toy
void bm_fit_toy(benchmark::State& state) {
  std::vector<peer_toy> toys;
  for (std::uint64_t i = 0; i < 16; ++i) toys.emplace_back(i + 1);
  std::size_t k = 0;
  for (auto _ : state) {
    const auto& m = toys[k++ % toys.size()].model;
    const auto h = st::hesse(m, st::minimize(m, m.parameters()));
    benchmark::DoNotOptimize(st::minos(m, h, std::size_t{0}).upper.error);
  }
  state.SetItemsProcessed(state.iterations());
}
// the same fits over toys on a thread pool (Arg = threads)
void bm_fit_toys_parallel(benchmark::State& state) {
  const auto n = hepad_bench::size(64, 4);
  std::vector<peer_toy> toys;
  for (long i = 0; i < n; ++i) toys.emplace_back(static_cast<std::uint64_t>(i + 1));
  hepad::thread_pool pool(static_cast<int>(state.range(0)));
  std::vector<double> out(toys.size());
  for (auto _ : state) {
    pool.run(static_cast<std::int64_t>(toys.size()), [&](std::int64_t i) {
      const auto& m = toys[static_cast<std::size_t>(i)].model;
      const auto h = st::hesse(m, st::minimize(m, m.parameters()));
      out[static_cast<std::size_t>(i)] = st::minos(m, h, std::size_t{0}).upper.error;
    });
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(toys.size()));
}
void bm_roc_weighted(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(hepad_bench::size(1000000, 1000));
  hepad::rng r(3);
  std::vector<float> s(n);
  std::vector<int> y(n);
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = r.uniform() < 0.2 ? 1 : 0;
    s[i] = static_cast<float>(r.normal() + y[i]);
    w[i] = 0.5 + r.uniform();
  }
  for (auto _ : state) {
    const auto roc = st::roc_curve(s, y, w);
    benchmark::DoNotOptimize(st::auc(roc));
    benchmark::DoNotOptimize(st::max_sic(roc, 1e-4).value.value);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

void register_all() {
  benchmark::RegisterBenchmark("stats/peer_model/nll_value", bm_nll_value);
  benchmark::RegisterBenchmark("stats/peer_model/nll_gradient_forward", bm_nll_gradient);
  benchmark::RegisterBenchmark("stats/peer_model/nll_hessian_forward", bm_nll_hessian);
  benchmark::RegisterBenchmark("stats/peer_model/fit_migrad_hesse_minos", bm_fit_toy);
  benchmark::RegisterBenchmark("stats/peer_model/fit_toys_parallel", bm_fit_toys_parallel)->Arg(1)->Arg(2)->UseRealTime();
  benchmark::RegisterBenchmark("stats/roc_auc_max_sic_weighted_1M", bm_roc_weighted)->Unit(benchmark::kMillisecond);
}

}  // namespace

HEPAD_BENCHMARK_MAIN(register_all)
