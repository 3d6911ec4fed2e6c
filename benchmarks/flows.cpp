// SPDX-License-Identifier: BSL-1.0
// Flows and density estimators. The MAF benchmarks replicate ../shared/peers/peer_maf.py exactly
// (same generator formula, sizes, architecture, optimiser, batch, epochs; float32; 1 thread):
//   data: c ~ U(-1,1), z ~ N(0, I4); x0 = c + z0; x1 = 0.5 z0^2 + 0.3 c z0 + 0.5 z1;
//         x2 = tanh(x1 - 1) + (0.75 + 0.25 c) z2; x3 = 0.5 x2 + 0.5 (1 + 0.5 c) exp(0.5 z3)
//   flow: 5 MAF layers (reversed between layers), MADE (4 + 1 context) -> 64 -> 64 -> 8,
//         u = (x - m) exp(-a); Adam 1e-3, batch 256, 3 epochs on 200k events; validation 100k.
//   sampling: 1M events at contexts c ~ U(-1, 1).
// With HEPAD_MAF_PEER_DATA=<dir of tools/peers/maf_data.py output> the peer's exact arrays are used.
// Counters: sec_per_epoch (mean of the epochs, shuffle + forward + backward + Adam, as the peer),
// val_nll and true_nll (nats/event), sample_sec. Run side by side with tools/peers/maf_compare.sh.
// Also: KDE and GMM evaluation throughput.
// GCC 12 reports false -W(maybe-)uninitialized warnings inside its AVX-512 intrinsics when Eigen's
// GEMM kernels are inlined with -march=native (GCC bug 105593); silenced before any include.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include "support/bench_main.hpp"

#include <hepad/density/gaussian_mixture.hpp>
#include <hepad/density/kde.hpp>
#include <hepad/flows/config.hpp>
#include <hepad/flows/density_flow.hpp>

#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <cstdint>
#include <numbers>
#include <vector>

namespace {

using hepad::matrix;
using hepad::vector;

struct maf_data {
  matrix<float> x, c;
  double true_nll = 0;
};

// The peer's generator (with hepad's rng: same distribution, different random numbers).
maf_data make_maf_data(std::int64_t n, hepad::rng& r) {
  const double log2pi = std::log(2 * std::numbers::pi);
  maf_data d;
  d.x.resize(n, 4);
  d.c.resize(n, 1);
  double nll = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double c = r.uniform(-1.0, 1.0);
    double z[4];
    for (double& v : z) v = r.normal<double>();
    const double x0 = c + z[0];
    const double x1 = 0.5 * z[0] * z[0] + 0.3 * c * z[0] + 0.5 * z[1];
    const double s2 = 0.75 + 0.25 * c;
    const double x2 = std::tanh(x1 - 1) + s2 * z[2];
    const double s3 = 0.5 * (1 + 0.5 * c);
    const double x3 = 0.5 * x2 + s3 * std::exp(0.5 * z[3]);
    const double y3 = (x3 - 0.5 * x2) / s3;
    nll += 0.5 * (z[0] * z[0] + z[1] * z[1] + z[2] * z[2]) + 1.5 * log2pi + std::log(0.5 * s2) +
           0.5 * std::pow(2 * std::log(y3), 2) + 0.5 * log2pi + std::log(0.5 * y3 * s3);
    d.x(i, 0) = static_cast<float>(x0);
    d.x(i, 1) = static_cast<float>(x1);
    d.x(i, 2) = static_cast<float>(x2);
    d.x(i, 3) = static_cast<float>(x3);
    d.c(i, 0) = static_cast<float>(c);
  }
  d.true_nll = nll / static_cast<double>(n);
  return d;
}

// CPU time of the calling thread (the runs are single-threaded): unlike wall time it does not
// count the time other processes take the core away on a shared machine.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// The peer's own arrays (tools/peers/maf_data.py writes them with numpy, same seed and calls as
// peer_maf.py), if HEPAD_MAF_PEER_DATA names their directory: then both sides train and validate
// on exactly the same events.
bool read_f32(const std::string& path, matrix<float>& m, std::int64_t rows, std::int64_t cols) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  m.resize(rows, cols);
  const auto want = static_cast<std::size_t>(rows * cols);
  const bool ok = std::fread(m.data(), sizeof(float), want, f) == want;
  std::fclose(f);
  return ok;
}
bool load_peer_data(maf_data& train, maf_data& val) {
  const char* dir = std::getenv("HEPAD_MAF_PEER_DATA");
  if (dir == nullptr || hepad_bench::smoke) return false;
  const std::string d(dir);
  std::FILE* f = std::fopen((d + "/meta.json").c_str(), "rb");
  if (f == nullptr) return false;
  char buf[512] = {};
  const std::size_t got = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  const std::string meta(buf, got);
  auto number = [&](const char* key) {
    const auto at = meta.find(key);
    return at == std::string::npos ? -1.0 : std::strtod(meta.c_str() + at + std::strlen(key), nullptr);
  };
  const auto n = static_cast<std::int64_t>(number("\"n\": ")), nv = static_cast<std::int64_t>(number("\"n_val\": "));
  val.true_nll = number("\"true_nll\": ");
  return n > 0 && nv > 0 && read_f32(d + "/x_train.f32", train.x, n, 4) && read_f32(d + "/c_train.f32", train.c, n, 1) &&
         read_f32(d + "/x_val.f32", val.x, nv, 4) && read_f32(d + "/c_val.f32", val.c, nv, 1);
}

struct epoch_timer {
  std::vector<double>* sec;
  std::vector<double>* cpu;
  std::chrono::steady_clock::time_point t0{};
  double c0 = 0;
  bool on_epoch_begin(const hepad::nn::epoch_info&) {
    t0 = std::chrono::steady_clock::now();
    c0 = thread_cpu_seconds();
    return false;
  }
  bool on_epoch_end(const hepad::nn::epoch_info&) {
    // The trainer computes the (absent) validation loss before this hook: nothing else is timed.
    sec->push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    cpu->push_back(thread_cpu_seconds() - c0);
    return false;
  }
};

// Trains the peer MAF and samples with it; reports the peer's figures as counters.
void BM_maf_peer(benchmark::State& state) {
  const std::int64_t n = hepad_bench::size(200000, 3000), n_val = hepad_bench::size(100000, 1000),
                     n_sample = hepad_bench::size(1000000, 5000);
  hepad::rng r(1);
  maf_data train, val;
  const bool peer_data = load_peer_data(train, val);
  if (!peer_data) {
    train = make_maf_data(n, r);
    val = make_maf_data(n_val, r);
  }
  hepad::flows::flow_trainer tr = hepad::flows::presets::peer_maf_training();
  tr.threads = 1;
  for (auto _ : state) {
    hepad::flows::density_flow<float> flow(hepad::flows::presets::peer_maf(), tr);
    hepad::rng fr(1);
    flow.build(4, 1, fr);
    std::vector<double> sec, cpu;
    const auto t0 = std::chrono::steady_clock::now();
    hepad::flows::fit_flow(flow.model(), tr, train.x, train.c, nullptr, fr, epoch_timer{&sec, &cpu});
    const double train_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const vector<float> lp = flow.log_prob(val.x, val.c);
    matrix<float> cs(n_sample, 1);
    for (std::int64_t i = 0; i < n_sample; ++i) cs(i, 0) = fr.uniform(-1.0f, 1.0f);
    const auto t1 = std::chrono::steady_clock::now();
    const double c1 = thread_cpu_seconds();
    const matrix<float> s = flow.sample(cs, fr);
    const double sample_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    const double sample_cpu = thread_cpu_seconds() - c1;
    benchmark::DoNotOptimize(s.data());
    double spe = 0, cpe = 0;
    for (double v : sec) spe += v;
    for (double v : cpu) cpe += v;
    spe /= static_cast<double>(sec.size());
    cpe /= static_cast<double>(cpu.size());
    state.SetIterationTime(train_s + sample_s);
    state.counters["sec_per_epoch"] = spe;
    state.counters["cpu_sec_per_epoch"] = cpe;
    state.counters["sample_cpu_sec"] = sample_cpu;
    state.counters["val_nll"] = -lp.cast<double>().mean();
    state.counters["true_nll"] = val.true_nll;
    state.counters["sample_sec"] = sample_s;
    state.counters["sample_finite"] = s.allFinite() ? 1 : 0;
    state.counters["peer_data"] = peer_data ? 1 : 0;
  }
}

// Evaluation throughput of the trained-size MAF (random parameters): log_prob and sampling.
void BM_maf_log_prob(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  hepad::rng r(2);
  const maf_data d = make_maf_data(n, r);
  hepad::flows::density_flow<float> flow(hepad::flows::presets::peer_maf());
  flow.build(4, 1, r);
  for (auto _ : state) benchmark::DoNotOptimize(flow.log_prob(d.x, d.c).data());
  state.SetItemsProcessed(state.iterations() * n);
}
void BM_maf_sample(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  hepad::rng r(3);
  const maf_data d = make_maf_data(n, r);
  hepad::flows::density_flow<float> flow(hepad::flows::presets::peer_maf());
  flow.build(4, 1, r);
  for (auto _ : state) benchmark::DoNotOptimize(flow.sample(d.c, r).data());
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_kde_log_prob(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  hepad::rng r(4);
  const maf_data d = make_maf_data(n, r);
  hepad::density::gaussian_kde<double> k;
  const matrix<double> x = d.x.cast<double>();
  k.fit(x);
  for (auto _ : state) benchmark::DoNotOptimize(k.log_prob(x).data());
  state.SetItemsProcessed(state.iterations() * n * n);  // kernel evaluations
}

void BM_gmm_fit(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  hepad::rng r(5);
  const matrix<double> x = make_maf_data(n, r).x.cast<double>();
  for (auto _ : state) {
    hepad::density::gaussian_mixture<double> g(hepad::density::gmm_config{.n_components = 8, .max_iterations = 50});
    benchmark::DoNotOptimize(g.fit(x, r).value);
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void register_all() {
  benchmark::RegisterBenchmark("maf_peer", BM_maf_peer)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);
  benchmark::RegisterBenchmark("maf_log_prob", BM_maf_log_prob)->Arg(hepad_bench::size(100000, 2000))->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("maf_sample", BM_maf_sample)->Arg(hepad_bench::size(100000, 2000))->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("kde_log_prob", BM_kde_log_prob)->Arg(hepad_bench::size(5000, 300))->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("gmm_fit", BM_gmm_fit)->Arg(hepad_bench::size(50000, 1000))->Unit(benchmark::kMillisecond);
}

}  // namespace

HEPAD_BENCHMARK_MAIN(register_all)
