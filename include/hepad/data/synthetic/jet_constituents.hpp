// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/synthetic/jet_constituents.hpp
/// @brief Dijet events as constituent lists (pT, eta, phi) for JetCLR-style work (S2 §9): QCD-like
/// 1-prong jets and 2-prong W' -> X Y signal jets whose two-subjet mass is exactly m_X / m_Y, an
/// underlying event, and the LHCO R&D row layout (700 x (pT, eta, phi) + label).
///
/// Output table (one row per event): truth columns computed from the constituents' massless
/// four-vector sums (jet1 = the heavier jet): jet1_pt, jet1_eta, jet1_phi, jet1_m, jet2_pt,
/// jet2_eta, jet2_phi, jet2_m, m_jj; jagged collections "jet1" and "jet2" (constituents, pT
/// descending) and "particles" (both jets and the underlying event, in random order, as in the
/// LHCO files). Background label 0, signal label 1. Formulas: docs/data/generators.md.
#ifndef HEPAD_DATA_SYNTHETIC_JET_CONSTITUENTS_HPP
#define HEPAD_DATA_SYNTHETIC_JET_CONSTITUENTS_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/jagged.hpp>
#include <hepad/data/synthetic/detail/common.hpp>
#include <hepad/data/table.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::data::synthetic {

/// A massless particle.
struct particle {
  double pt = 0.0, eta = 0.0, phi = 0.0;
};

/// Four-momentum sum of massless particles, as (pt, eta, phi, m).
inline std::array<double, 4> four_vector_sum(const std::vector<particle>& ps) {
  double px = 0, py = 0, pz = 0, e = 0;
  for (const auto& p : ps) {
    px += p.pt * std::cos(p.phi);
    py += p.pt * std::sin(p.phi);
    pz += p.pt * std::sinh(p.eta);
    e += p.pt * std::cosh(p.eta);
  }
  const double pt = std::hypot(px, py);
  const double m2 = e * e - px * px - py * py - pz * pz;
  return {pt, pt > 0 ? std::asinh(pz / pt) : 0.0, std::atan2(py, px), std::sqrt((std::max)(0.0, m2))};
}

/// Invariant mass of two (pt, eta, phi, m) four-vectors.
inline double pair_mass(const std::array<double, 4>& a, const std::array<double, 4>& b) {
  auto comp = [](const std::array<double, 4>& v) {
    const double px = v[0] * std::cos(v[2]), py = v[0] * std::sin(v[2]), pz = v[0] * std::sinh(v[1]);
    return std::array<double, 4>{px, py, pz, std::sqrt(px * px + py * py + pz * pz + v[3] * v[3])};
  };
  const auto p = comp(a), q = comp(b);
  const double e = p[3] + q[3], x = p[0] + q[0], y = p[1] + q[1], z = p[2] + q[2];
  return std::sqrt((std::max)(0.0, e * e - x * x - y * y - z * z));
}

/// Constituent-level dijet generator (S2 §9).
struct jet_constituents {
  // Dijet kinematics (background).
  double trigger_pt = 1200.0;      ///< leading-jet pT = trigger_pt + Exp(pt_excess_mean)
  double pt_excess_mean = 300.0;
  double balance_sd = 0.10;        ///< recoil pT = leading pT * exp(N(0, balance_sd^2))
  double jet_eta_sd = 1.0;         ///< jet axes eta ~ N(0, sd^2) truncated to |eta| < jet_eta_max
  double jet_eta_max = 2.5;
  double phi_balance_sd = 0.1;     ///< phi2 = phi1 + pi + N(0, sd^2)
  // 1-prong (QCD-like) jets.
  double multiplicity = 50.0;      ///< constituents ~ max(1, Poisson(multiplicity))
  double dirichlet_alpha = 0.5;    ///< momentum fractions ~ Dirichlet(alpha, ..., alpha)
  double jet_radius = 0.8;         ///< offsets r ~ jet_radius Beta(1, 3); harder constituents closer
  // 2-prong signal jets.
  double resonance_mass = 3500.0, resonance_width = 100.0;
  double m_x = 500.0, m_y = 100.0;
  double subjet_multiplicity = 25.0;  ///< per subjet, max(1, Poisson)
  double subjet_radius = 0.05;        ///< spread of a subjet's constituents (0: collinear)
  // Underlying event.
  double ue_multiplicity = 60.0;
  double ue_pt_mean = 1.0;
  double ue_eta_max = 4.0;

  static constexpr std::string_view name = "jet_constituents";
  static constexpr auto fields() {
    using j = jet_constituents;
    return std::tuple{
        config::field{"trigger_pt", &j::trigger_pt}, config::field{"pt_excess_mean", &j::pt_excess_mean},
        config::field{"balance_sd", &j::balance_sd}, config::field{"jet_eta_sd", &j::jet_eta_sd},
        config::field{"jet_eta_max", &j::jet_eta_max}, config::field{"phi_balance_sd", &j::phi_balance_sd},
        config::field{"multiplicity", &j::multiplicity}, config::field{"dirichlet_alpha", &j::dirichlet_alpha},
        config::field{"jet_radius", &j::jet_radius}, config::field{"resonance_mass", &j::resonance_mass},
        config::field{"resonance_width", &j::resonance_width}, config::field{"m_x", &j::m_x},
        config::field{"m_y", &j::m_y}, config::field{"subjet_multiplicity", &j::subjet_multiplicity},
        config::field{"subjet_radius", &j::subjet_radius}, config::field{"ue_multiplicity", &j::ue_multiplicity},
        config::field{"ue_pt_mean", &j::ue_pt_mean}, config::field{"ue_eta_max", &j::ue_eta_max}};
  }

  /// Truth column names.
  [[nodiscard]] static const std::vector<std::string>& columns() {
    static const std::vector<std::string> names{"jet1_pt", "jet1_eta", "jet1_phi", "jet1_m", "jet2_pt",
                                                "jet2_eta", "jet2_phi", "jet2_m", "m_jj"};
    return names;
  }

  /// Background (QCD-like) events first .. first + n - 1.
  template <class S>
  [[nodiscard]] table<S> background_range(std::int64_t first, std::int64_t n, const rng& r) const {
    return make<S>(first, n, r.split(1), false);
  }
  template <class S>
  [[nodiscard]] table<S> background(std::int64_t n, const rng& r) const {
    return background_range<S>(0, n, r);
  }
  /// Signal (W' -> X Y, 2-prong jets) events first .. first + n - 1.
  template <class S>
  [[nodiscard]] table<S> signal_range(std::int64_t first, std::int64_t n, const rng& r) const {
    return make<S>(first, n, r.split(2), true);
  }
  template <class S>
  [[nodiscard]] table<S> signal(std::int64_t n, const rng& r) const {
    return signal_range<S>(0, n, r);
  }

  /// A 1-prong jet of transverse momentum `pt` around (eta, phi): Dirichlet momentum fractions,
  /// offsets r = jet_radius Beta(1, 3) (smallest radii to the largest fractions), uniform
  /// azimuth, then shifted so that the pT-weighted centroid is exactly (eta, phi).
  void one_prong(rng& e, double pt, double eta, double phi, std::vector<particle>& out) const {
    spray(e, pt, eta, phi, multiplicity, jet_radius, out);
  }
  /// A 2-prong jet of mass `m`: two massless subjets with pT shares z ~ U(0.2, 0.8) and 1 - z,
  /// pT-weighted centroid at (eta, phi), separated along a random direction by the distance d that
  /// makes their invariant mass exactly `m`; each subjet is sprayed into constituents within
  /// `subjet_radius` (with subjet_radius = 0 the jet mass is exactly m).
  void two_prong(rng& e, double pt, double eta, double phi, double m, std::vector<particle>& out) const {
    const double z = e.uniform(0.2, 0.8), a = e.uniform(0.0, 2.0 * std::numbers::pi);
    const double c = std::cos(a), s = std::sin(a), k = 2.0 * z * (1.0 - z) * pt * pt;
    auto mass2 = [&](double d) { return k * (std::cosh(d * c) - std::cos(d * s)); };
    double hi = std::abs(s) > 1e-12 ? (std::min)(std::numbers::pi / std::abs(s), 6.0) : 6.0, lo = 0.0;
    if (mass2(hi) < m * m)
      throw_invalid_argument("data::synthetic::jet_constituents",
                             hepad::detail::concat("a jet of pT ", pt, " cannot reach mass ", m));
    for (int it = 0; it < 200; ++it) {
      const double mid = 0.5 * (lo + hi);
      (mass2(mid) < m * m ? lo : hi) = mid;
    }
    const double d = 0.5 * (lo + hi);
    spray(e, z * pt, eta + (1.0 - z) * d * c, phi + (1.0 - z) * d * s, subjet_multiplicity, subjet_radius, out);
    spray(e, (1.0 - z) * pt, eta - z * d * c, phi - z * d * s, subjet_multiplicity, subjet_radius, out);
  }

 private:
  static double wrap(double phi) noexcept {
    phi = std::fmod(phi + std::numbers::pi, 2.0 * std::numbers::pi);
    if (phi < 0) phi += 2.0 * std::numbers::pi;
    return phi - std::numbers::pi;
  }
  void spray(rng& e, double pt, double eta, double phi, double mult, double radius, std::vector<particle>& out) const {
    const auto n = (std::max)(std::int64_t{1}, e.poisson(mult));
    std::vector<double> f(static_cast<std::size_t>(n)), r(static_cast<std::size_t>(n));
    double sum = 0.0;
    for (auto& x : f) sum += (x = e.gamma(dirichlet_alpha) + 1e-300);
    for (auto& x : f) x /= sum;
    for (auto& x : r) x = radius * (1.0 - std::cbrt(e.uniform_open0()));  // Beta(1, 3)
    std::sort(f.begin(), f.end(), std::greater<>());
    std::sort(r.begin(), r.end());
    std::vector<double> de(f.size()), dp(f.size());
    double ce = 0.0, cp = 0.0;
    for (std::size_t i = 0; i < f.size(); ++i) {
      const double a = e.uniform(0.0, 2.0 * std::numbers::pi);
      de[i] = r[i] * std::cos(a);
      dp[i] = r[i] * std::sin(a);
      ce += f[i] * de[i];
      cp += f[i] * dp[i];
    }
    for (std::size_t i = 0; i < f.size(); ++i)
      out.push_back(particle{f[i] * pt, eta + de[i] - ce, wrap(phi + dp[i] - cp)});
  }
  double truncated_eta(rng& e) const {
    for (;;) {
      const double x = e.normal(0.0, jet_eta_sd);
      if (std::abs(x) < jet_eta_max) return x;
    }
  }
  // Common pT of two back-to-back jets of masses m1, m2 at eta1, eta2 with pair mass M (bisection).
  static double pt_for_mass(double M, double m1, double m2, double eta1, double eta2) {
    auto mass = [&](double pt) {
      return pair_mass({pt, eta1, 0.0, m1}, {pt, eta2, std::numbers::pi, m2});
    };
    double lo = 0.0, hi = M;
    for (int it = 0; it < 200; ++it) {
      const double mid = 0.5 * (lo + hi);
      (mass(mid) < M ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
  }

  template <class S>
  table<S> make(std::int64_t first, std::int64_t n, const rng& r, bool is_signal) const {
    check_nonnegative("data::synthetic::jet_constituents", "n", n);
    const std::vector<std::string> fields{"pt", "eta", "phi"};
    jagged<S> j1(fields), j2(fields), all(fields);
    matrix<S> v(n, 9);
    std::vector<particle> a, b, ue;
    for (std::int64_t i = 0; i < n; ++i) {
      rng e = r.split(static_cast<std::uint64_t>(first + i));
      a.clear();
      b.clear();
      ue.clear();
      const double phi1 = e.uniform(-std::numbers::pi, std::numbers::pi);
      if (!is_signal) {
        const double pt1 = trigger_pt + e.exponential(pt_excess_mean);
        const double pt2 = pt1 * std::exp(e.normal(0.0, balance_sd));
        const double eta1 = truncated_eta(e), eta2 = truncated_eta(e);
        one_prong(e, pt1, eta1, phi1, a);
        one_prong(e, pt2, eta2, wrap(phi1 + std::numbers::pi + e.normal(0.0, phi_balance_sd)), b);
      } else {
        double pt = 0.0, eta1 = 0.0, eta2 = 0.0;
        const bool x_first = e.bernoulli(0.5);
        const double ma = x_first ? m_x : m_y, mb = x_first ? m_y : m_x;
        do {
          const double M = e.normal(resonance_mass, resonance_width);
          eta1 = truncated_eta(e);
          eta2 = truncated_eta(e);
          pt = M > ma + mb ? pt_for_mass(M, ma, mb, eta1, eta2) : 0.0;
        } while (pt < trigger_pt);
        two_prong(e, pt, eta1, phi1, ma, a);
        two_prong(e, pt, eta2, wrap(phi1 + std::numbers::pi), mb, b);
      }
      const auto n_ue = e.poisson(ue_multiplicity);
      for (std::int64_t k = 0; k < n_ue; ++k)
        ue.push_back(particle{e.exponential(ue_pt_mean), e.uniform(-ue_eta_max, ue_eta_max),
                              e.uniform(-std::numbers::pi, std::numbers::pi)});
      auto va = four_vector_sum(a), vb = four_vector_sum(b);
      if (vb[3] > va[3]) {
        std::swap(a, b);
        std::swap(va, vb);
      }
      for (int k = 0; k < 4; ++k) {
        v(i, k) = static_cast<S>(va[static_cast<std::size_t>(k)]);
        v(i, 4 + k) = static_cast<S>(vb[static_cast<std::size_t>(k)]);
      }
      v(i, 8) = static_cast<S>(pair_mass(va, vb));
      auto by_pt = [](const particle& p, const particle& q) { return p.pt > q.pt; };
      std::sort(a.begin(), a.end(), by_pt);
      std::sort(b.begin(), b.end(), by_pt);
      std::vector<particle> ps;
      ps.reserve(a.size() + b.size() + ue.size());
      ps.insert(ps.end(), a.begin(), a.end());
      ps.insert(ps.end(), b.begin(), b.end());
      ps.insert(ps.end(), ue.begin(), ue.end());
      e.shuffle(ps);
      push(j1, a);
      push(j2, b);
      push(all, ps);
    }
    table<S> t(columns(), std::move(v));
    t.set_labels(is_signal ? 1 : 0);
    t.set_jagged("jet1", std::move(j1)).set_jagged("jet2", std::move(j2)).set_jagged("particles", std::move(all));
    return t;
  }
  template <class S>
  static void push(jagged<S>& j, const std::vector<particle>& ps) {
    j.push_back_empty();
    for (const auto& p : ps) {
      const std::array<S, 3> x{static_cast<S>(p.pt), static_cast<S>(p.eta), static_cast<S>(p.phi)};
      j.push_object(std::span<const S>(x));
    }
  }
};

/// The LHCO R&D row layout (S2 §1.1): per event `slots` x (pT, eta, phi) from the "particles"
/// collection in stored order, zero-padded at the end, then the label: (n x (3 slots + 1)).
/// @throws hepad::invalid_argument if an event has more than `slots` particles.
template <class S>
[[nodiscard]] inline matrix<S> to_lhco_rows(const table<S>& t, std::int64_t slots = 700) {
  const auto& p = t.jagged_column("particles");
  matrix<S> out = matrix<S>::Zero(t.size(), 3 * slots + 1);
  for (std::int64_t i = 0; i < t.size(); ++i) {
    if (p.count(i) > slots)
      throw_invalid_argument("data::synthetic::to_lhco_rows",
                             hepad::detail::concat("event ", i, " has ", p.count(i), " particles, more than ", slots,
                                                   " slots"));
    const auto ev = p[i];
    for (Eigen::Index k = 0; k < ev.rows(); ++k)
      for (int c = 0; c < 3; ++c) out(i, 3 * k + c) = ev(k, c);
    out(i, 3 * slots) = static_cast<S>(t.labels()(i));
  }
  return out;
}

}  // namespace hepad::data::synthetic

#endif  // HEPAD_DATA_SYNTHETIC_JET_CONSTITUENTS_HPP
