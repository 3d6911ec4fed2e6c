// SPDX-License-Identifier: BSL-1.0
// Benchmarks of the neural-network engine on the peer tasks (../shared/peers/peer_mlp.py and
// peer_autoencoder.py; same architectures, batch sizes and optimizer): one training epoch of the
// 4-64-64-64-1 classifier on 200k events (batch 256), inference on 1M events (batch 4096), one epoch
// of the 8-32-16-4-16-32-8 autoencoder and of the VAE (batch 512), with 1 and 2 threads. Items =
// events; the "GFLOPs" counter uses the peers' FLOP convention. The side-by-side comparison with
// torch is tools/peers/compare_nn.py (examples/nn_vs_torch).
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 false positive inside its AVX-512 intrinsics when Eigen is inlined (PR 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include "support/bench_main.hpp"

#include <hepad/autodiff/ops/random.hpp>
#include <hepad/nn/nn.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace {

namespace ad = hepad::autodiff;
namespace nn = hepad::nn;
using hepad::index_t;
using hepad::matrix;

// peer_mlp.py distribution (two Gaussian mixtures in 4-d); exact values do not matter for timing.
void mlp_data(hepad::rng& r, index_t n, matrix<float>& x, matrix<float>& y) {
  x.resize(n, 4);
  y.resize(n, 1);
  const double m[2][2][4] = {{{0, 0, 0, 0}, {2, 0, -1, 0}}, {{.5, .5, 0, 0}, {.5, -.5, .5, .5}}};
  for (index_t i = 0; i < n; ++i) {
    const int l = static_cast<int>(i % 2), k = static_cast<int>(r.uniform_int(2));
    for (int j = 0; j < 4; ++j) x(i, j) = static_cast<float>(m[l][k][j] + r.normal());
    y(i, 0) = static_cast<float>(l);
  }
}

double mlp_train_flop_per_event() {
  const double macs[4] = {4 * 64, 64 * 64, 64 * 64, 64 * 1};
  return 2 * (2 * macs[0] + 3 * (macs[1] + macs[2] + macs[3]));
}

void bm_mlp_train_epoch(benchmark::State& state, int threads, std::int64_t chunks) {
  const index_t n = hepad_bench::size(200000, 2000);
  hepad::rng r(1);
  matrix<float> x, y;
  mlp_data(r, n, x, y);
  nn::mlp<float> net({4, 64, 64, 64, 1}, r);
  nn::trainer<nn::adam> tr{.epochs = 1, .batch_size = 256, .chunks = chunks, .threads = threads,
                           .progress = false, .optimizer = {.learning_rate = 1e-3}};
  const auto data = nn::make_data(x, y);
  for (auto _ : state) {
    auto h = tr.fit(net, nn::bce_loss{}, data, r);
    benchmark::DoNotOptimize(h.train_loss.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["GFLOPs"] = benchmark::Counter(mlp_train_flop_per_event() * static_cast<double>(n) * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

void bm_mlp_inference(benchmark::State& state) {
  const index_t n = hepad_bench::size(1000000, 10000);
  hepad::rng r(2);
  matrix<float> x, y;
  mlp_data(r, n, x, y);
  nn::mlp<float> net({4, 64, 64, 64, 1}, r);
  matrix<float> prob(n, 1);
  for (auto _ : state) {
    for (index_t i = 0; i < n; i += 4096) {
      const index_t m = std::min<index_t>(4096, n - i);
      const matrix<float> s = net.predict(x.middleRows(i, m));
      for (index_t k = 0; k < m; ++k) prob(i + k, 0) = ad::activation_fn<float>::sigmoid(s(k, 0));
    }
    benchmark::DoNotOptimize(prob.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * (4 * 64 + 64 * 64 * 2 + 64) * static_cast<double>(n) * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

// peer_autoencoder.py: 8 standardised features, enc 8-32-16-(4|8), dec 4-16-32-8.
matrix<float> ae_data(hepad::rng& r, index_t n) {
  matrix<float> x(n, 8);
  for (index_t i = 0; i < n; ++i) {
    double z[4];
    for (double& v : z) v = r.normal();
    for (int j = 0; j < 8; ++j) {
      double a = 0, b = 0;
      for (int k = 0; k < 4; ++k) {
        a += std::cos(0.7 * (j + 1) * (k + 1)) * z[k];
        b += std::sin(0.5 * (j + 1) + (k + 1)) * z[k];
      }
      x(i, j) = static_cast<float>(a + 0.3 * b * b + 0.1 * r.normal());
    }
  }
  const Eigen::RowVectorXf mean = x.colwise().mean();
  x.rowwise() -= mean;
  const Eigen::RowVectorXf sd = (x.array().square().colwise().sum() / static_cast<float>(n)).sqrt();
  x.array().rowwise() /= sd.array();
  return x;
}

struct autoencoder {
  using scalar_type = float;
  nn::mlp<float> enc, dec;
  autoencoder(bool vae, hepad::rng& r) : enc({8, 32, 16, vae ? 8 : 4}, r), dec({4, 16, 32, 8}, r) {}
  ad::node<float> forward(ad::tape<float>& t, ad::node<float> x) { return dec.forward(t, enc.forward(t, x)); }
  std::vector<ad::parameter<float>*> parameters() {
    auto p = enc.parameters();
    for (auto* q : dec.parameters()) p.push_back(q);
    return p;
  }
};

struct vae_objective {
  ad::node<float> operator()(ad::tape<float>& t, autoencoder& m, const nn::batch<float>& b) const {
    auto x = b.features(t);
    auto h = m.enc.forward(t, x);
    auto mu = ad::slice_cols(h, 0, 4), logvar = ad::slice_cols(h, 4, 4);
    auto code = mu + ad::exp(logvar * 0.5f) * ad::normal(t, b.size(), 4);
    return nn::sum_squared_error(m.dec.forward(t, code), x) + nn::gaussian_kl(mu, logvar);
  }
};

void bm_ae_train_epoch(benchmark::State& state, bool vae, int threads, std::int64_t chunks) {
  const index_t n = hepad_bench::size(200000, 2000);
  hepad::rng r(3);
  const matrix<float> x = ae_data(r, n);
  autoencoder model(vae, r);
  nn::trainer<nn::adam> tr{.epochs = 1, .batch_size = 512, .chunks = chunks, .threads = threads,
                           .progress = false, .optimizer = {.learning_rate = 1e-3}};
  const auto data = nn::make_data(x);
  for (auto _ : state) {
    nn::history h = vae ? tr.fit(model, vae_objective{}, data, r) : tr.fit(model, nn::mse_loss{}, data, r);
    benchmark::DoNotOptimize(h.train_loss.data());
  }
  const double macs[6] = {8 * 32, 32 * 16, 16.0 * (vae ? 8 : 4), 4 * 16, 16 * 32, 32 * 8};
  double flop_ev = 2 * 2 * macs[0];
  for (int k = 1; k < 6; ++k) flop_ev += 2 * 3 * macs[k];
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["GFLOPs"] = benchmark::Counter(flop_ev * static_cast<double>(n) * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
  for (auto [threads, chunks] : {std::pair{1, 1}, std::pair{1, 2}, std::pair{2, 2}})
    benchmark::RegisterBenchmark(("nn/mlp_peer/train_epoch/threads:" + std::to_string(threads) + "/chunks:" +
                                  std::to_string(chunks)).c_str(),
                                 [=](benchmark::State& s) { bm_mlp_train_epoch(s, threads, chunks); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  benchmark::RegisterBenchmark("nn/mlp_peer/inference_batch4096", bm_mlp_inference)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  for (bool vae : {false, true})
    for (auto [threads, chunks] : {std::pair{1, 1}, std::pair{1, 2}, std::pair{2, 2}})
      benchmark::RegisterBenchmark((std::string(vae ? "nn/vae_peer" : "nn/ae_peer") + "/train_epoch/threads:" +
                                    std::to_string(threads) + "/chunks:" + std::to_string(chunks))
                                       .c_str(),
                                   [=](benchmark::State& s) { bm_ae_train_epoch(s, vae, threads, chunks); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
}

}  // namespace

HEPAD_BENCHMARK_MAIN(register_all)
