// SPDX-License-Identifier: BSL-1.0
// The model of ../shared/peers/peer_fit.py built from hepad's HistFactory blocks (shared by the
// fit_toys example and benchmarks/stats.cpp).
#ifndef HEPAD_EXAMPLES_FIT_TOYS_PEER_MODEL_HPP
#define HEPAD_EXAMPLES_FIT_TOYS_PEER_MODEL_HPP

#include <hepad/stats/likelihood/histfactory.hpp>

#include <cmath>
#include <vector>

namespace fit_toys {

namespace st = hepad::stats;

// --- the peer's model --------------------------------------------------------------------------

inline constexpr int n_bins = 50;

struct templates {
  std::vector<double> s0, b0, up[4], dn[4];  // up/down of t3 (bkg slope), t4 (sig mean), t5 (sig width), t6 (bkg shape)
};

inline double ndtr(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

inline std::vector<double> gauss(double m, double s) {
  std::vector<double> v(n_bins);
  for (int i = 0; i < n_bins; ++i) {
    const double lo = static_cast<double>(i) / n_bins, hi = static_cast<double>(i + 1) / n_bins;
    v[static_cast<std::size_t>(i)] = 100.0 * (ndtr((hi - m) / s) - ndtr((lo - m) / s));
  }
  return v;
}
inline std::vector<double> expo(double lam) {
  std::vector<double> v(n_bins);
  for (int i = 0; i < n_bins; ++i) {
    const double lo = static_cast<double>(i) / n_bins, hi = static_cast<double>(i + 1) / n_bins;
    v[static_cast<std::size_t>(i)] = 1000.0 * (std::exp(-lam * lo) - std::exp(-lam * hi)) / (1.0 - std::exp(-lam));
  }
  return v;
}

inline templates make_templates() {
  templates t;
  t.s0 = gauss(0.5, 0.05);
  t.b0 = expo(3.0);
  std::vector<double> shp_up(n_bins), shp_dn(n_bins);
  for (int i = 0; i < n_bins; ++i) {
    const double xc = (i + 0.5) / n_bins;
    shp_up[static_cast<std::size_t>(i)] = t.b0[static_cast<std::size_t>(i)] * (1 + 0.1 * xc * xc);
    shp_dn[static_cast<std::size_t>(i)] = t.b0[static_cast<std::size_t>(i)] * (1 - 0.05 * xc * xc);
  }
  t.up[0] = expo(2.7), t.dn[0] = expo(3.3);
  t.up[1] = gauss(0.51, 0.05), t.dn[1] = gauss(0.49, 0.05);
  t.up[2] = gauss(0.5, 0.055), t.dn[2] = gauss(0.5, 0.045);
  t.up[3] = shp_up, t.dn[3] = shp_dn;
  return t;
}

// nu = mu (1 + 0.10 t1)(s0 + d4 + d5) + (1 + 0.05 t2)(b0 + d3 + d6), Gaussian constraints on t1..t6,
// piecewise-linear interpolation (code 0), parameter order as the peer's.
inline st::likelihood<st::binned_model> make_model(const templates& t, std::vector<double> observed) {
  using st::interpolation;
  st::histfactory hf;
  auto ch = hf.channel("peer", std::move(observed));
  auto sig = ch.sample("signal", t.s0);
  auto bkg = ch.sample("background", t.b0);
  sig.normfactor("mu").normsys("t1_sig_norm", 0.9, 1.1, interpolation::piecewise_linear);
  bkg.normsys("t2_bkg_norm", 0.95, 1.05, interpolation::piecewise_linear)
      .histosys("t3_bkg_slope", t.dn[0], t.up[0], interpolation::piecewise_linear);
  sig.histosys("t4_sig_mean", t.dn[1], t.up[1], interpolation::piecewise_linear)
      .histosys("t5_sig_width", t.dn[2], t.up[2], interpolation::piecewise_linear);
  bkg.histosys("t6_bkg_shape", t.dn[3], t.up[3], interpolation::piecewise_linear);
  return hf.build("mu");
}

}  // namespace fit_toys

#endif  // HEPAD_EXAMPLES_FIT_TOYS_PEER_MODEL_HPP
