// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/synthetic/higgs_tier_a.hpp
/// @brief The Tier A "HTT-like" generator of S4 §10.2: weighted events of four processes
/// (0 = htautau, 1 = ztautau, 2 = ttbar, 3 = diboson) with the 16 primary (PRI) features in HEPHY's
/// column order, the -25 placeholder for missing jets, per-process weights Y_p / N_p, and optional
/// truth columns (ditau mass, visible fractions). Not here: the kinematic systematics, the
/// post-selection and the 12 derived features (S4 §1.3, §2), which act on this output.
///
/// Physics (massless taus, collinear decays): X -> tau tau isotropic in the X frame; the leptonic
/// tau keeps a fraction x ~ (5 - 9x^2 + 4x^3)/3, the hadronic one x ~ Beta(2, 1.5); MET is the
/// vector sum of the neutrinos plus a Gaussian resolution. Formulas: docs/data/generators.md.
#ifndef HEPAD_DATA_SYNTHETIC_HIGGS_TIER_A_HPP
#define HEPAD_DATA_SYNTHETIC_HIGGS_TIER_A_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/synthetic/detail/common.hpp>
#include <hepad/data/table.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::data::synthetic {

/// Process labels of the Tier A generator (HEPHY's class labels).
enum class higgs_process : int { htautau = 0, ztautau = 1, ttbar = 2, diboson = 3 };

/// The 16 PRI column names in HEPHY order (S4 §1.2, indices 0-15).
inline const std::vector<std::string>& higgs_primary_columns() {
  static const std::vector<std::string> names{
      "PRI_lep_pt",           "PRI_lep_eta",           "PRI_lep_phi",           "PRI_had_pt",
      "PRI_had_eta",          "PRI_had_phi",           "PRI_jet_leading_pt",    "PRI_jet_leading_eta",
      "PRI_jet_leading_phi",  "PRI_jet_subleading_pt", "PRI_jet_subleading_eta", "PRI_jet_subleading_phi",
      "PRI_n_jets",           "PRI_jet_all_pt",        "PRI_met",               "PRI_met_phi"};
  return names;
}

/// Tier A generator (S4 §10.2). Per-process settings are arrays indexed by `higgs_process`.
struct higgs_tier_a {
  std::array<double, 4> yield{1015.0, 1.0024e6, 4.419e4, 3.78e3};  ///< Y_p: sum of weights per process
  double luminosity_scale = 1.0;                                     ///< multiplies every Y_p
  double higgs_mass = 125.0, higgs_width = 1.0;                      ///< H: N(mass, width^2)
  double z_mass = 91.19, z_width = 2.50;                             ///< Z, VV: Breit-Wigner in [50, 200]
  double bw_lo = 50.0, bw_hi = 200.0;
  double ttbar_mass_offset = 40.0, ttbar_mass_shape = 3.0, ttbar_mass_scale = 30.0;  ///< 40 + Gamma(3, 30)
  std::array<double, 4> pt_mean{50.0, 18.0, 100.0, 60.0};  ///< mean of the Gamma(2) pT of X
  double vbf_fraction = 0.15, vbf_pt_mean = 60.0;           ///< H produced by VBF
  double rapidity_sd = 1.5;
  std::array<double, 4> extra_jets{0.9, 0.5, 1.0, 0.7};  ///< Poisson mean of extra jets
  double jet_pt_min = 20.0, jet_pt_mean = 40.0, jet_eta_sd = 2.2, jet_eta_max = 4.7;
  double vbf_deta_min = 3.0, vbf_deta_mean = 1.5, vbf_pt_min = 30.0, vbf_pt_excess = 50.0;
  double ttbar_prompt_fraction = 0.6;  ///< ttbar: the lepton is prompt (x = 1)
  double ttbar_neutrino = 25.0;        ///< Rayleigh scale of the extra ttbar neutrino
  double diboson_neutrino = 20.0;      ///< Rayleigh scale of the extra diboson neutrino
  double met_resolution = 8.0;         ///< Gaussian sd per MET component
  double lep_pt_min = 20.0, had_pt_min = 20.0, eta_max = 2.5;  ///< pre-selection
  bool with_truth = false;  ///< add TRUTH_m_X, TRUTH_x_lep, TRUTH_x_had, TRUTH_vbf

  static constexpr std::string_view name = "higgs_tier_a";
  static constexpr auto fields() {
    using h = higgs_tier_a;
    return std::tuple{
        config::field{"yield", &h::yield}, config::field{"luminosity_scale", &h::luminosity_scale},
        config::field{"higgs_mass", &h::higgs_mass}, config::field{"higgs_width", &h::higgs_width},
        config::field{"z_mass", &h::z_mass}, config::field{"z_width", &h::z_width}, config::field{"bw_lo", &h::bw_lo},
        config::field{"bw_hi", &h::bw_hi}, config::field{"ttbar_mass_offset", &h::ttbar_mass_offset},
        config::field{"ttbar_mass_shape", &h::ttbar_mass_shape},
        config::field{"ttbar_mass_scale", &h::ttbar_mass_scale}, config::field{"pt_mean", &h::pt_mean},
        config::field{"vbf_fraction", &h::vbf_fraction}, config::field{"vbf_pt_mean", &h::vbf_pt_mean},
        config::field{"rapidity_sd", &h::rapidity_sd}, config::field{"extra_jets", &h::extra_jets},
        config::field{"jet_pt_min", &h::jet_pt_min}, config::field{"jet_pt_mean", &h::jet_pt_mean},
        config::field{"jet_eta_sd", &h::jet_eta_sd}, config::field{"jet_eta_max", &h::jet_eta_max},
        config::field{"vbf_deta_min", &h::vbf_deta_min}, config::field{"vbf_deta_mean", &h::vbf_deta_mean},
        config::field{"vbf_pt_min", &h::vbf_pt_min}, config::field{"vbf_pt_excess", &h::vbf_pt_excess},
        config::field{"ttbar_prompt_fraction", &h::ttbar_prompt_fraction},
        config::field{"ttbar_neutrino", &h::ttbar_neutrino}, config::field{"diboson_neutrino", &h::diboson_neutrino},
        config::field{"met_resolution", &h::met_resolution}, config::field{"lep_pt_min", &h::lep_pt_min},
        config::field{"had_pt_min", &h::had_pt_min}, config::field{"eta_max", &h::eta_max},
        config::field{"with_truth", &h::with_truth}};
  }

  /// Column names of the output (16 PRI, then the truth columns if requested).
  [[nodiscard]] std::vector<std::string> column_names() const {
    auto names = higgs_primary_columns();
    if (with_truth)
      for (const char* t : {"TRUTH_m_X", "TRUTH_x_lep", "TRUTH_x_had", "TRUTH_vbf"}) names.emplace_back(t);
    return names;
  }

  /// Events first .. first + n - 1 of a sample of `n_total` events of process `p`: label = p,
  /// weight = yield[p] * luminosity_scale / n_total. Each process has its own stream.
  template <class S>
  [[nodiscard]] table<S> generate_range(higgs_process p, std::int64_t first, std::int64_t n, std::int64_t n_total,
                                        const rng& r, thread_pool* pool = nullptr) const {
    check_positive("data::synthetic::higgs_tier_a", "n_total", n_total);
    if (first + n > n_total)
      throw_invalid_argument("data::synthetic::higgs_tier_a",
                             hepad::detail::concat("events [", first, ", ", first + n, ") exceed n_total = ", n_total));
    auto t = detail::generate<S>(
        column_names(), first, n, r.split(static_cast<std::uint64_t>(p) + 1),
        [&](rng& e, double* row) {
          event(e, p, row);
          return static_cast<int>(p);
        },
        pool);
    t.set_weights(static_cast<S>(yield[static_cast<std::size_t>(p)] * luminosity_scale / static_cast<double>(n_total)));
    t.set_features(0, 16);
    return t;
  }
  /// `n` events of process `p`.
  template <class S>
  [[nodiscard]] table<S> generate(higgs_process p, std::int64_t n, const rng& r, thread_pool* pool = nullptr) const {
    return generate_range<S>(p, 0, n, n, r, pool);
  }
  /// A mixed sample with `counts[p]` events of each process (in process order); each process's
  /// weights sum to its yield.
  template <class S>
  [[nodiscard]] table<S> generate(const std::array<std::int64_t, 4>& counts, const rng& r,
                                  thread_pool* pool = nullptr) const {
    std::vector<table<S>> parts;
    for (int p = 0; p < 4; ++p)
      if (counts[static_cast<std::size_t>(p)] > 0)
        parts.push_back(generate<S>(static_cast<higgs_process>(p), counts[static_cast<std::size_t>(p)], r, pool));
    if (parts.empty()) throw_invalid_argument("data::synthetic::higgs_tier_a", "counts must not all be zero");
    return concat(parts);
  }

  // --- building blocks (public for tests and for reuse) ----------------------------------------

  /// Visible fraction of a leptonic tau decay: density (5 - 9x^2 + 4x^3)/3 on [0, 1]
  /// (rejection from U(0,1) under the bound 5/3; the density is decreasing).
  static double leptonic_fraction(rng& e) {
    for (;;) {
      const double x = e.uniform(), u = e.uniform(0.0, 5.0);
      if (u < 5.0 - 9.0 * x * x + 4.0 * x * x * x) return x;
    }
  }
  /// Visible fraction of a hadronic tau decay: Beta(2, 1.5).
  static double hadronic_fraction(rng& e) {
    const double a = e.gamma(2.0), b = e.gamma(1.5);
    return a / (a + b);
  }
  /// Breit-Wigner (Cauchy) mass truncated to [lo, hi], by inversion of the truncated CDF.
  static double breit_wigner(rng& e, double m0, double gamma, double lo, double hi) {
    const double half = 0.5 * gamma;
    const double flo = std::atan((lo - m0) / half), fhi = std::atan((hi - m0) / half);
    return m0 + half * std::tan(e.uniform(flo, fhi));
  }

 private:
  struct p4 {
    double px = 0, py = 0, pz = 0, e = 0;
    [[nodiscard]] double pt() const { return std::hypot(px, py); }
    [[nodiscard]] double eta() const {
      const double t = pt();
      return t > 0 ? std::asinh(pz / t) : (pz >= 0 ? 1e9 : -1e9);
    }
    [[nodiscard]] double phi() const { return std::atan2(py, px); }
  };
  static p4 scaled(const p4& a, double x) { return p4{x * a.px, x * a.py, x * a.pz, x * a.e}; }
  // Boost of a rest-frame momentum q by the velocity of X (four-vector x with mass m).
  static p4 boost(const p4& q, const p4& x, double m) {
    const double bx = x.px / x.e, by = x.py / x.e, bz = x.pz / x.e, gamma = x.e / m;
    const double bp = bx * q.px + by * q.py + bz * q.pz, b2 = bx * bx + by * by + bz * bz;
    const double g2 = b2 > 0 ? (gamma - 1.0) / b2 : 0.0;
    return p4{q.px + g2 * bp * bx + gamma * bx * q.e, q.py + g2 * bp * by + gamma * by * q.e,
              q.pz + g2 * bp * bz + gamma * bz * q.e, gamma * (q.e + bp)};
  }
  static double rayleigh(rng& e, double s) { return s * std::sqrt(-2.0 * std::log(e.uniform_open0())); }
  double jet_eta(rng& e) const {
    for (;;) {
      const double x = e.normal(0.0, jet_eta_sd);
      if (std::abs(x) < jet_eta_max) return x;
    }
  }

  void event(rng& e, higgs_process proc, double* row) const {
    const auto pi = std::numbers::pi;
    const auto ip = static_cast<std::size_t>(proc);
    for (;;) {  // until the pre-selection passes
      // 1. The ditau system.
      bool vbf = false;
      double m = 0.0, pt_mean_x = pt_mean[ip];
      switch (proc) {
        case higgs_process::htautau:
          m = e.normal(higgs_mass, higgs_width);
          vbf = e.bernoulli(vbf_fraction);
          if (vbf) pt_mean_x = vbf_pt_mean;
          break;
        case higgs_process::ztautau:
        case higgs_process::diboson: m = breit_wigner(e, z_mass, z_width, bw_lo, bw_hi); break;
        case higgs_process::ttbar: m = ttbar_mass_offset + ttbar_mass_scale * e.gamma(ttbar_mass_shape); break;
      }
      const double ptx = 0.5 * pt_mean_x * e.gamma(2.0), y = e.normal(0.0, rapidity_sd), phix = e.uniform(-pi, pi);
      const double mt = std::sqrt(m * m + ptx * ptx);
      const p4 X{ptx * std::cos(phix), ptx * std::sin(phix), mt * std::sinh(y), mt * std::cosh(y)};
      // 2. Isotropic decay to two massless taus.
      const double ct = e.uniform(-1.0, 1.0), st = std::sqrt((std::max)(0.0, 1.0 - ct * ct)), ph = e.uniform(-pi, pi);
      const double ps = 0.5 * m;
      const p4 t1 = boost(p4{ps * st * std::cos(ph), ps * st * std::sin(ph), ps * ct, ps}, X, m);
      const p4 t2 = boost(p4{-ps * st * std::cos(ph), -ps * st * std::sin(ph), -ps * ct, ps}, X, m);
      // 3. Collinear decays: which tau is leptonic, visible fractions.
      const bool first_leptonic = e.bernoulli(0.5);
      const p4& tl = first_leptonic ? t1 : t2;
      const p4& th = first_leptonic ? t2 : t1;
      const bool prompt = proc == higgs_process::ttbar && e.bernoulli(ttbar_prompt_fraction);
      const double xl = prompt ? 1.0 : leptonic_fraction(e);
      const double xh = hadronic_fraction(e);
      const p4 lep = scaled(tl, xl), had = scaled(th, xh);
      // 4. MET: neutrinos, extra neutrinos, resolution.
      double mx = (1.0 - xl) * tl.px + (1.0 - xh) * th.px, my = (1.0 - xl) * tl.py + (1.0 - xh) * th.py;
      if (proc == higgs_process::ttbar || proc == higgs_process::diboson) {
        const double r = rayleigh(e, proc == higgs_process::ttbar ? ttbar_neutrino : diboson_neutrino);
        const double a = e.uniform(-pi, pi);
        mx += r * std::cos(a);
        my += r * std::sin(a);
      }
      mx += e.normal(0.0, met_resolution);
      my += e.normal(0.0, met_resolution);
      // 5. Jets.
      std::vector<std::array<double, 3>> jets;
      const auto n_extra = e.poisson(extra_jets[ip]) + (proc == higgs_process::ttbar ? 2 : 0);
      for (std::int64_t k = 0; k < n_extra; ++k)
        jets.push_back({jet_pt_min + e.exponential(jet_pt_mean), jet_eta(e), e.uniform(-pi, pi)});
      if (vbf) {
        double c, d;
        do {
          d = vbf_deta_min + e.exponential(vbf_deta_mean);
          c = e.normal(0.0, 0.5);
        } while (std::abs(c) + 0.5 * d >= jet_eta_max);
        jets.push_back({vbf_pt_min + e.exponential(vbf_pt_excess), c + 0.5 * d, e.uniform(-pi, pi)});
        jets.push_back({vbf_pt_min + e.exponential(vbf_pt_excess), c - 0.5 * d, e.uniform(-pi, pi)});
      }
      // 6. Pre-selection.
      if (!(lep.pt() > lep_pt_min && std::abs(lep.eta()) < eta_max && had.pt() > had_pt_min &&
            std::abs(had.eta()) < eta_max))
        continue;
      std::erase_if(jets, [&](const auto& j) { return !(j[0] >= jet_pt_min); });
      std::sort(jets.begin(), jets.end(), [](const auto& a, const auto& b) { return a[0] > b[0]; });
      double all = 0.0;
      for (const auto& j : jets) all += j[0];
      row[0] = lep.pt();
      row[1] = lep.eta();
      row[2] = lep.phi();
      row[3] = had.pt();
      row[4] = had.eta();
      row[5] = had.phi();
      for (int k = 0; k < 2; ++k)
        for (int c = 0; c < 3; ++c)
          row[6 + 3 * k + c] = static_cast<std::size_t>(k) < jets.size() ? jets[static_cast<std::size_t>(k)][static_cast<std::size_t>(c)] : -25.0;
      row[12] = static_cast<double>(jets.size());
      row[13] = all;
      row[14] = std::hypot(mx, my);
      row[15] = std::atan2(my, mx);
      if (with_truth) {
        row[16] = m;
        row[17] = xl;
        row[18] = xh;
        row[19] = vbf ? 1.0 : 0.0;
      }
      return;
    }
  }
};

}  // namespace hepad::data::synthetic

#endif  // HEPAD_DATA_SYNTHETIC_HIGGS_TIER_A_HPP
