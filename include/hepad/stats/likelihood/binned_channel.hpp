// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/likelihood/binned_channel.hpp
/// @brief `stats::binned_channel`: a HistFactory-style binned Poisson channel, the sum of template
/// samples with modifiers (normfactor, normsys, histosys with interpolation codes 0/1/4, per-bin
/// statistical uncertainties), as a likelihood term: -ln L = Σ_b [ν_b - n_b ln ν_b].
///
/// Expected counts of sample s in bin b:
///   ν_sb = (nom_sb + Σ_additive-histosys Δ_hsb(α_h)) · Π_code1-histosys κ_hsb(α_h)
///          · Π_normsys κ_n(α_n) · Π_normfactor θ_f · γ_b (if the sample takes the staterror),
/// and ν_b = max(Σ_s ν_sb, floor). Parameters are indices into the likelihood's parameter_set;
/// the builder (stats/likelihood/histfactory.hpp) creates them with their constraints.
/// Not here: constraints (parameter_set.hpp) and the composite likelihood (likelihood.hpp).
#ifndef HEPAD_STATS_LIKELIHOOD_BINNED_CHANNEL_HPP
#define HEPAD_STATS_LIKELIHOOD_BINNED_CHANNEL_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/random.hpp>
#include <hepad/stats/likelihood/interpolation.hpp>
#include <hepad/stats/parameter.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace hepad::stats {

/// Poisson negative log-likelihood of one count, ν - n ln ν (no ln n! constant), ν floored.
template <class T>
inline T poisson_nll(const T& nu, double n, double floor = 1e-12) {
  using std::log;
  const T v = nu < floor ? T(floor) : nu;
  return n > 0 ? T(v - n * log(v)) : v;
}

/// One binned channel.
class binned_channel {
 public:
  struct normsys_mod {
    std::size_t parameter;
    double lo, hi;
    interpolation code;
    std::array<double, 6> coef;
  };
  struct histosys_mod {
    std::size_t parameter;
    interpolation code;
    std::vector<double> up_delta, down_delta;  // code 0: u-n, n-d; code 4: S, A; code 1: ln(u/n), ln(d/n)
  };
  struct sample {
    std::string name;
    std::vector<double> nominal;
    std::vector<std::size_t> normfactors;
    std::vector<normsys_mod> normsys;
    std::vector<histosys_mod> histosys;
    bool staterror = false;
  };

  /// @param observed counts per bin (non-negative, finite; need not be integers).
  /// @param floor lower bound applied to each ν_b (keeps ln ν finite).
  binned_channel(std::string name, std::vector<double> observed, double floor = 1e-12)
      : name_(std::move(name)), observed_(std::move(observed)), floor_(floor) {
    constexpr std::string_view fn = "stats::binned_channel";
    check_not_empty(fn, "observed", observed_.size());
    for (double n : observed_) {
      check_nonnegative(fn, "observed count", n);
      check_finite(fn, "observed count", n);
    }
    check_positive(fn, "floor", floor_);
  }

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] std::size_t n_bins() const noexcept { return observed_.size(); }
  [[nodiscard]] std::span<const double> observed() const noexcept { return observed_; }
  [[nodiscard]] std::span<const sample> samples() const noexcept { return samples_; }
  /// Replaces the observed counts. @throws invalid_argument for a size mismatch or bad counts.
  void set_observed(std::span<const double> n) {
    check_size("stats::binned_channel::set_observed", "counts", n.size(), observed_.size());
    for (double v : n) {
      check_nonnegative("stats::binned_channel::set_observed", "count", v);
      check_finite("stats::binned_channel::set_observed", "count", v);
    }
    observed_.assign(n.begin(), n.end());
  }

  /// Adds a sample with its nominal template (one value per bin, finite). Returns its index.
  std::size_t add_sample(std::string name, std::vector<double> nominal) {
    check_size("stats::binned_channel::add_sample", "nominal", nominal.size(), observed_.size());
    for (double v : nominal) check_finite("stats::binned_channel::add_sample", "nominal", v);
    samples_.push_back({std::move(name), std::move(nominal), {}, {}, {}, false});
    return samples_.size() - 1;
  }
  /// Multiplies sample `s` by parameter `p`.
  void add_normfactor(std::size_t s, std::size_t p) { at(s).normfactors.push_back(p); }
  /// Normalisation systematic: factor `hi` at α = +1 and `lo` at α = -1.
  void add_normsys(std::size_t s, std::size_t p, double lo, double hi, interpolation code) {
    constexpr std::string_view fn = "stats::binned_channel::add_normsys";
    check_finite(fn, "lo", lo);
    check_finite(fn, "hi", hi);
    std::array<double, 6> c{};
    if (code != interpolation::piecewise_linear) {
      check_positive(fn, "lo", lo);
      check_positive(fn, "hi", hi);
    }
    if (code == interpolation::polynomial) c = poly6_coefficients(lo, hi);
    at(s).normsys.push_back({p, lo, hi, code, c});
  }
  /// Shape systematic: templates `down` (α = -1) and `up` (α = +1).
  void add_histosys(std::size_t s, std::size_t p, std::span<const double> down, std::span<const double> up, interpolation code) {
    constexpr std::string_view fn = "stats::binned_channel::add_histosys";
    auto& smp = at(s);
    check_size(fn, "down", down.size(), observed_.size());
    check_size(fn, "up", up.size(), observed_.size());
    histosys_mod h{p, code, std::vector<double>(n_bins()), std::vector<double>(n_bins())};
    for (std::size_t b = 0; b < n_bins(); ++b) {
      check_finite(fn, "down", down[b]);
      check_finite(fn, "up", up[b]);
      const double n = smp.nominal[b], u = up[b], d = down[b];
      switch (code) {
        case interpolation::piecewise_linear:
          h.up_delta[b] = u - n;
          h.down_delta[b] = n - d;
          break;
        case interpolation::polynomial:
          h.up_delta[b] = 0.5 * ((u - n) + (n - d));     // S
          h.down_delta[b] = 0.0625 * ((u - n) - (n - d));  // A
          break;
        case interpolation::exponential:
          if (!(n > 0 && u > 0 && d > 0))
            throw_invalid_argument(fn, hepad::detail::concat("code 1 needs positive nominal, up and down in every bin, bin ", b));
          h.up_delta[b] = std::log(u / n);
          h.down_delta[b] = std::log(d / n);
          break;
      }
    }
    smp.histosys.push_back(std::move(h));
  }
  /// Per-bin statistical uncertainty: bin b of every sample flagged by `apply_staterror` is scaled
  /// by `gammas[b]` (parameter indices, one per bin; the builder constrains them).
  void set_staterror(std::vector<std::size_t> gammas) {
    check_size("stats::binned_channel::set_staterror", "gammas", gammas.size(), n_bins());
    gammas_ = std::move(gammas);
  }
  void apply_staterror(std::size_t s) { at(s).staterror = true; }
  [[nodiscard]] std::span<const std::size_t> staterror_parameters() const noexcept { return gammas_; }

  /// The kinks of the channel: α = 0 of every code-0 and code-1 modifier.
  [[nodiscard]] std::vector<kink> kinks() const {
    std::vector<kink> k;
    auto add = [&](std::size_t p) {
      for (const auto& q : k)
        if (q.parameter == p) return;
      k.push_back({p, 0.0});
    };
    for (const auto& s : samples_) {
      for (const auto& m : s.normsys)
        if (m.code != interpolation::polynomial) add(m.parameter);
      for (const auto& h : s.histosys)
        if (h.code != interpolation::polynomial) add(h.parameter);
    }
    return k;
  }

  /// Expected counts ν_b at θ (before the floor).
  template <class T>
  void expected(std::span<const T> theta, std::span<T> nu) const {
    check_size("stats::binned_channel::expected", "nu", nu.size(), n_bins());
    for (auto& v : nu) v = T(0.0);
    for (const auto& s : samples_) {
      const T f = sample_factor(s, theta);
      for (std::size_t b = 0; b < n_bins(); ++b) nu[b] += f * sample_bin(s, theta, b);
    }
  }

  /// -ln L of the channel at θ: Σ_b [ν_b - n_b ln ν_b].
  template <class T>
  [[nodiscard]] T nll(std::span<const T> theta) const {
    // Plan once per evaluation: per-sample scalar factors, and for the code-0 shape systematics
    // the α and the delta template of the side α is on; then one pass over the bins.
    constexpr std::size_t max_s = 8, max_l = 32;
    const std::size_t ns = samples_.size();
    std::size_t nl = 0;
    for (const auto& smp : samples_) nl += smp.histosys.size();
    if (ns > max_s || nl > max_l) return nll_general(theta);
    struct lin {
      const T* a;
      const double* d;
    };
    T fs[max_s];
    lin lins[max_l];
    std::size_t off[max_s + 1];
    bool simple[max_s];
    std::size_t l = 0;
    for (std::size_t k = 0; k < ns; ++k) {
      const auto& smp = samples_[k];
      fs[k] = sample_factor(smp, theta);
      off[k] = l;
      simple[k] = true;
      for (const auto& h : smp.histosys) {
        if (h.code != interpolation::piecewise_linear) {
          simple[k] = false;
          continue;
        }
        const T& a = theta[h.parameter];
        const double* d = a > 0.0 ? h.up_delta.data() : a < 0.0 ? h.down_delta.data() : nullptr;
        if (!d) {  // exactly on the kink: mean of the one-sided slopes
          simple[k] = false;
          continue;
        }
        lins[l++] = {&a, d};
      }
    }
    off[ns] = l;
    const bool stat = !gammas_.empty();
    T total(0.0);
    for (std::size_t b = 0; b < n_bins(); ++b) {
      T nu(0.0);
      for (std::size_t k = 0; k < ns; ++k) {
        const auto& smp = samples_[k];
        if (!simple[k]) {
          nu += fs[k] * sample_bin(smp, theta, b);
          continue;
        }
        T base(smp.nominal[b]);
        for (std::size_t j = off[k]; j < off[k + 1]; ++j) base += *lins[j].a * lins[j].d[b];
        if (stat && smp.staterror) base *= theta[gammas_[b]];
        nu += fs[k] * base;
      }
      total += poisson_nll(nu, observed_[b], floor_);
    }
    return total;
  }

  /// A copy with counts drawn from Poisson(ν_b(θ)).
  [[nodiscard]] binned_channel sample_data(std::span<const double> theta, rng& r) const {
    binned_channel c = *this;
    std::vector<double> nu(n_bins());
    expected<double>(theta, nu);
    for (std::size_t b = 0; b < n_bins(); ++b) c.observed_[b] = static_cast<double>(r.poisson((std::max)(nu[b], 0.0)));
    return c;
  }
  /// A copy with the Asimov counts ν_b(θ).
  [[nodiscard]] binned_channel asimov_data(std::span<const double> theta) const {
    binned_channel c = *this;
    std::vector<double> nu(n_bins());
    expected<double>(theta, nu);
    for (std::size_t b = 0; b < n_bins(); ++b) c.observed_[b] = (std::max)(nu[b], 0.0);
    return c;
  }

 private:
  sample& at(std::size_t s) {
    if (s >= samples_.size())
      hepad::detail::raise<out_of_range>(hepad::detail::concat("stats::binned_channel '", name_, "': no sample ", s));
    return samples_[s];
  }
  template <class T>
  T nll_general(std::span<const T> theta) const {
    std::vector<T> fs(samples_.size());
    for (std::size_t k = 0; k < samples_.size(); ++k) fs[k] = sample_factor(samples_[k], theta);
    T total(0.0);
    for (std::size_t b = 0; b < n_bins(); ++b) {
      T nu(0.0);
      for (std::size_t k = 0; k < samples_.size(); ++k) nu += fs[k] * sample_bin(samples_[k], theta, b);
      total += poisson_nll(nu, observed_[b], floor_);
    }
    return total;
  }
  template <class T>
  static T sample_factor(const sample& s, std::span<const T> theta) {
    T f(1.0);
    for (std::size_t p : s.normfactors) f *= theta[p];
    for (const auto& m : s.normsys) f *= normsys_factor(m.code, theta[m.parameter], m.lo, m.hi, m.coef);
    return f;
  }
  template <class T>
  T sample_bin(const sample& s, std::span<const T> theta, std::size_t b) const {
    using std::exp;
    T base(s.nominal[b]);
    bool has_mult = false;
    T mult(1.0);
    for (const auto& h : s.histosys) {
      const T& a = theta[h.parameter];
      switch (h.code) {
        case interpolation::piecewise_linear:
          base += a * (a > 0.0 ? h.up_delta[b] : a < 0.0 ? h.down_delta[b] : 0.5 * (h.up_delta[b] + h.down_delta[b]));
          break;
        case interpolation::polynomial:
          if (a > 1.0) base += a * (h.up_delta[b] + 8.0 * h.down_delta[b]);        // u - n = S + 8A
          else if (a < -1.0) base += a * (h.up_delta[b] - 8.0 * h.down_delta[b]);  // n - d = S - 8A
          else {
            const T a2 = a * a;
            base += a * (h.up_delta[b] + a * h.down_delta[b] * (15.0 + a2 * (3.0 * a2 - 10.0)));
          }
          break;
        case interpolation::exponential:
          has_mult = true;
          mult *= exp(a > 0.0 ? T(a * h.up_delta[b]) : a < 0.0 ? T(-a * h.down_delta[b]) : T(a * (0.5 * (h.up_delta[b] - h.down_delta[b]))));
          break;
      }
    }
    if (has_mult) base *= mult;
    if (s.staterror && !gammas_.empty()) base *= theta[gammas_[b]];
    return base;
  }

  std::string name_;
  std::vector<double> observed_;
  double floor_;
  std::vector<sample> samples_;
  std::vector<std::size_t> gammas_;
};

}  // namespace hepad::stats

#endif  // HEPAD_STATS_LIKELIHOOD_BINNED_CHANNEL_HPP
