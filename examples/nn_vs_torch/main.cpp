// SPDX-License-Identifier: BSL-1.0
// nn_vs_torch: hepad's replicas of ../shared/peers/peer_mlp.py and peer_autoencoder.py (same
// architecture, data distribution, batch size, optimizer, epochs, torch default initialisation,
// Adam eps 1e-8, reshuffled epochs with the last partial batch kept), printing one JSON line per
// task with the same keys as the peers. Run side by side with the peers by
// tools/peers/compare_nn.py; the ratios go to docs/performance.md.
//
//   nn_vs_torch [--task mlp|ae|all] [--threads N] [--chunks C] [--n N] [--n-val N] [--n-infer N]
//               [--epochs E] [--batch B] [--seed S]
//
// The epoch timer covers the shuffle, the forward and backward passes and the optimizer steps
// (no validation inside the timed region), as the peers' timers do.
#include <hepad/autodiff/ops/random.hpp>
#include <hepad/nn/nn.hpp>

#include <Eigen/Cholesky>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <numeric>
#include <string>
#include <vector>

namespace ad = hepad::autodiff;
namespace nn = hepad::nn;
using hepad::index_t;
using hepad::matrix;

namespace {

struct options {
  std::string task = "all";
  int threads = 1;
  std::int64_t chunks = 1;
  index_t n = 200000, n_val = 100000, n_infer = 1000000;
  std::int64_t epochs = 5;
  index_t batch = 0;  // 0: the peer's default (256 for the MLP, 512 for the autoencoders)
  std::uint64_t seed = 1;
};

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU time of the whole process (all threads): with one thread, a load-robust companion of the
// wall time on a shared machine (time slices given to other processes are not counted).
double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Per-epoch wall (and CPU) time of the training steps (the trainer calls these hooks around each
// epoch).
struct epoch_timer {
  std::vector<double> sec, cpu;
  double t0 = 0, c0 = 0;
  void on_epoch_begin(const nn::epoch_info&) {
    t0 = now();
    c0 = cpu_now();
  }
  void on_epoch_end(const nn::epoch_info&) {
    sec.push_back(now() - t0);
    cpu.push_back(cpu_now() - c0);
  }
  double mean() const { return std::accumulate(sec.begin(), sec.end(), 0.0) / static_cast<double>(sec.size()); }
  double cpu_mean() const { return std::accumulate(cpu.begin(), cpu.end(), 0.0) / static_cast<double>(cpu.size()); }
  std::string list() const {
    std::string s = "[";
    for (std::size_t i = 0; i < sec.size(); ++i) s += (i ? ", " : "") + std::to_string(sec[i]);
    return s + "]";
  }
};

double auc(const float* s, const float* y, index_t n) {
  std::vector<index_t> idx(static_cast<std::size_t>(n));
  std::iota(idx.begin(), idx.end(), index_t{0});
  std::sort(idx.begin(), idx.end(), [&](index_t a, index_t b) { return s[a] < s[b]; });
  double rank_sum = 0, n1 = 0;
  for (index_t i = 0; i < n;) {
    index_t j = i;
    while (j < n && s[idx[static_cast<std::size_t>(j)]] == s[idx[static_cast<std::size_t>(i)]]) ++j;
    const double mid = 0.5 * static_cast<double>(i + j - 1) + 1;
    for (index_t k = i; k < j; ++k)
      if (y[idx[static_cast<std::size_t>(k)]] > 0.5f) rank_sum += mid;
    i = j;
  }
  for (index_t i = 0; i < n; ++i) n1 += y[i] > 0.5f ? 1 : 0;
  const double n0 = static_cast<double>(n) - n1;
  return (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0);
}

// --- task 1: MLP classifier (peer_mlp.py) ---------------------------------------------------------
void make_mlp_data(hepad::rng& r, index_t n, matrix<float>& x, matrix<float>& y) {
  Eigen::Matrix4d c = Eigen::Matrix4d::Constant(0.5) + 0.5 * Eigen::Matrix4d::Identity();
  const Eigen::Matrix4d lc = c.llt().matrixL();
  const Eigen::Matrix4d li = Eigen::Matrix4d::Identity();
  const Eigen::Matrix4d l08 = std::sqrt(0.8) * Eigen::Matrix4d::Identity();
  const Eigen::Vector4d mean[2][2] = {{{0, 0, 0, 0}, {2, 0, -1, 0}}, {{.5, .5, 0, 0}, {.5, -.5, .5, .5}}};
  const Eigen::Matrix4d* chol[2][2] = {{&li, &lc}, {&lc, &l08}};
  // Exactly half signal, in random order.
  std::vector<int> lab(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) lab[static_cast<std::size_t>(i)] = static_cast<int>(i % 2);
  r.shuffle(lab);
  x.resize(n, 4);
  y.resize(n, 1);
  for (index_t i = 0; i < n; ++i) {
    const int l = lab[static_cast<std::size_t>(i)];
    const int k = static_cast<int>(r.uniform_int(2));
    Eigen::Vector4d z;
    for (int j = 0; j < 4; ++j) z(j) = r.normal();
    const Eigen::Vector4d v = mean[l][k] + *chol[l][k] * z;
    for (int j = 0; j < 4; ++j) x(i, j) = static_cast<float>(v(j));
    y(i, 0) = static_cast<float>(l);
  }
}

void run_mlp(const options& o) {
  hepad::rng r(o.seed);
  matrix<float> x, y, xv, yv, xi, yi;
  make_mlp_data(r, o.n, x, y);
  make_mlp_data(r, o.n_val, xv, yv);
  make_mlp_data(r, o.n_infer, xi, yi);
  const std::vector<index_t> sizes = {4, 64, 64, 64, 1};
  nn::mlp<float> net(sizes, r);
  const index_t batch = o.batch > 0 ? o.batch : 256;
  nn::trainer<nn::adam> tr{.epochs = o.epochs, .batch_size = batch, .chunks = o.chunks, .threads = o.threads,
                           .progress = false, .optimizer = {.learning_rate = 1e-3}};
  epoch_timer timer;
  tr.fit(net, nn::bce_loss{}, nn::make_data(x, y), r, timer);
  const matrix<float> sv = net.predict(xv);
  const double val_auc = auc(sv.data(), yv.data(), o.n_val);
  // Inference: sigmoid(logit) in batches of 4096 (as the peer).
  matrix<float> prob(o.n_infer, 1);
  const double t0 = now(), c0 = cpu_now();
  for (index_t i = 0; i < o.n_infer; i += 4096) {
    const index_t m = std::min<index_t>(4096, o.n_infer - i);
    const matrix<float> s = net.predict(xi.middleRows(i, m));
    for (index_t k = 0; k < m; ++k) prob(i + k, 0) = ad::activation_fn<float>::sigmoid(s(k, 0));
  }
  const double t_inf = now() - t0, c_inf = cpu_now() - c0;
  double macs = 0, train_flop_ev = 0;
  for (std::size_t k = 0; k + 1 < sizes.size(); ++k) {
    const double m = static_cast<double>(sizes[k] * sizes[k + 1]);
    macs += m;
    train_flop_ev += 2 * (k == 0 ? 2 : 3) * m;
  }
  const double spe = timer.mean();
  const double gflop_epoch = train_flop_ev * static_cast<double>(o.n) / 1e9;
  std::printf(
      "{\"task\": \"mlp\", \"impl\": \"hepad\", \"threads\": %d, \"chunks\": %lld, \"n\": %lld, \"epochs\": %lld, "
      "\"sec_per_epoch\": %.4f, \"epoch_sec\": %s, \"train_events_per_s\": %.0f, \"val_auc\": %.5f, "
      "\"infer_n\": %lld, \"infer_events_per_s\": %.0f, \"train_gflop_per_epoch\": %.3f, "
      "\"infer_gflop\": %.3f, \"train_gflops\": %.1f, \"infer_gflops\": %.1f, \"cpu_sec_per_epoch\": %.4f, "
      "\"infer_cpu_events_per_s\": %.0f, \"check\": %.6f}\n",
      o.threads, static_cast<long long>(o.chunks), static_cast<long long>(o.n), static_cast<long long>(o.epochs), spe,
      timer.list().c_str(), static_cast<double>(o.n) / spe, val_auc, static_cast<long long>(o.n_infer),
      static_cast<double>(o.n_infer) / t_inf, gflop_epoch, 2 * macs * static_cast<double>(o.n_infer) / 1e9,
      gflop_epoch / spe, 2 * macs * static_cast<double>(o.n_infer) / 1e9 / t_inf, timer.cpu_mean(),
      static_cast<double>(o.n_infer) / c_inf, prob.mean());
}

// --- task 4: autoencoder and VAE (peer_autoencoder.py) ----------------------------------------------
matrix<double> make_ae_data(hepad::rng& r, index_t n) {
  matrix<double> x(n, 8);
  double ca[8][4], sb[8][4];
  for (int j = 0; j < 8; ++j)
    for (int k = 0; k < 4; ++k) {
      ca[j][k] = std::cos(0.7 * (j + 1) * (k + 1));
      sb[j][k] = std::sin(0.5 * (j + 1) + (k + 1));
    }
  for (index_t i = 0; i < n; ++i) {
    double z[4];
    for (double& v : z) v = r.normal();
    for (int j = 0; j < 8; ++j) {
      double a = 0, b = 0;
      for (int k = 0; k < 4; ++k) {
        a += ca[j][k] * z[k];
        b += sb[j][k] * z[k];
      }
      x(i, j) = a + 0.3 * b * b + 0.1 * r.normal();
    }
  }
  return x;
}

// enc: 8-32-16-(4 | 8), dec: 4-16-32-8; ReLU between layers, none on the code and the output.
struct autoencoder {
  using scalar_type = float;
  nn::mlp<float> enc, dec;
  bool vae = false;
  autoencoder(bool v, hepad::rng& r) : enc({8, 32, 16, v ? 8 : 4}, r), dec({4, 16, 32, 8}, r), vae(v) {}
  ad::node<float> forward(ad::tape<float>& t, ad::node<float> x) {
    auto code = enc.forward(t, x);
    if (vae) code = ad::slice_cols(code, 0, 4);
    return dec.forward(t, code);
  }
  std::vector<ad::parameter<float>*> parameters() {
    auto p = enc.parameters();
    for (auto* q : dec.parameters()) p.push_back(q);
    return p;
  }
};

// loss = mean over events of [ sum_j (x - xhat)^2 + KL ], code = mu + exp(logvar / 2) N(0, 1).
struct vae_objective {
  ad::node<float> operator()(ad::tape<float>& t, autoencoder& m, const nn::batch<float>& b) const {
    auto x = b.features(t);
    auto h = m.enc.forward(t, x);
    auto mu = ad::slice_cols(h, 0, 4);
    auto logvar = ad::slice_cols(h, 4, 4);
    auto eps = ad::normal(t, b.size(), 4);
    auto code = mu + ad::exp(logvar * 0.5f) * eps;
    auto rec = nn::sum_squared_error(m.dec.forward(t, code), x);
    return rec + nn::gaussian_kl(mu, logvar);
  }
};

void run_ae(const options& o) {
  hepad::rng r(o.seed);
  matrix<double> xn = make_ae_data(r, o.n), xvn = make_ae_data(r, o.n_val);
  const Eigen::RowVectorXd mean = xn.colwise().mean();
  const Eigen::RowVectorXd sd = ((xn.rowwise() - mean).array().square().colwise().sum() / static_cast<double>(o.n)).sqrt();
  const matrix<float> x = ((xn.rowwise() - mean).array().rowwise() / sd.array()).cast<float>();
  const matrix<float> xv = ((xvn.rowwise() - mean).array().rowwise() / sd.array()).cast<float>();
  const index_t batch = o.batch > 0 ? o.batch : 512;
  std::string out = "{\"task\": \"autoencoder\", \"impl\": \"hepad\", \"threads\": " + std::to_string(o.threads) +
                    ", \"chunks\": " + std::to_string(o.chunks) + ", \"n\": " + std::to_string(o.n) +
                    ", \"epochs\": " + std::to_string(o.epochs);
  for (bool vae : {false, true}) {
    autoencoder model(vae, r);
    nn::trainer<nn::adam> tr{.epochs = o.epochs, .batch_size = batch, .chunks = o.chunks, .threads = o.threads,
                             .progress = false, .optimizer = {.learning_rate = 1e-3}};
    epoch_timer timer;
    if (vae) tr.fit(model, vae_objective{}, nn::make_data(x), r, timer);
    else tr.fit(model, nn::mse_loss{}, nn::make_data(x), r, timer);
    // Validation MSE per feature (the VAE decodes mu).
    matrix<float> code = model.enc.predict(xv);
    const matrix<float> rec = model.dec.predict(code.leftCols(4));
    const double val_mse = (rec - xv).array().square().mean();
    const std::vector<index_t> ls = {8, 32, 16, 4, 16, 32};
    const std::vector<index_t> rs = {32, 16, vae ? 8 : 4, 16, 32, 8};
    double flop_ev = 0;
    for (std::size_t k = 0; k < ls.size(); ++k) flop_ev += 2.0 * (k == 0 ? 2 : 3) * static_cast<double>(ls[k] * rs[k]);
    const std::string name = vae ? "vae" : "ae";
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  ", \"%s_sec_per_epoch\": %.4f, \"%s_epoch_sec\": %s, \"%s_events_per_s\": %.0f, \"%s_val_mse\": "
                  "%.5f, \"%s_train_gflop_per_epoch\": %.3f, \"%s_cpu_sec_per_epoch\": %.4f",
                  name.c_str(), timer.mean(), name.c_str(), timer.list().c_str(), name.c_str(),
                  static_cast<double>(o.n) / timer.mean(), name.c_str(), val_mse, name.c_str(),
                  flop_ev * static_cast<double>(o.n) / 1e9, name.c_str(), timer.cpu_mean());
    out += buf;
  }
  std::printf("%s}\n", out.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "nn_vs_torch: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--task") o.task = next();
    else if (a == "--threads") o.threads = std::stoi(next());
    else if (a == "--chunks") o.chunks = std::stoll(next());
    else if (a == "--n") o.n = std::stoll(next());
    else if (a == "--n-val") o.n_val = std::stoll(next());
    else if (a == "--n-infer") o.n_infer = std::stoll(next());
    else if (a == "--epochs") o.epochs = std::stoll(next());
    else if (a == "--batch") o.batch = std::stoll(next());
    else if (a == "--seed") o.seed = std::stoull(next());
    else {
      std::fprintf(stderr, "nn_vs_torch: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (o.task == "mlp" || o.task == "all") run_mlp(o);
  if (o.task == "ae" || o.task == "all") run_ae(o);
  return 0;
}
