// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/likelihood/likelihood.hpp
/// @brief `stats::likelihood<Terms...>`: a sum of likelihood terms (binned channels, unbinned
/// extended terms, any user term) over one `parameter_set` with its constraint terms. It models
/// `likelihood_model` with all refinements its terms allow, and `twice_differentiable_objective`,
/// so it can be handed to `stats::minimize` directly.
///
/// A *term* provides either `template <class T> T nll(std::span<const T>) const` (exact
/// derivatives by forward-mode autodiff, Hessians included if it accepts `dual2`), or
/// `double nll(std::span<const double>) const` together with
/// `double nll_gradient(std::span<const double>, std::span<double>) const` (values and gradients
/// from any model, e.g. a neural network; Hessians of the sum then come from central differences
/// of exact gradients). Optional: `sample_data(θ, rng&)` and `asimov_data(θ)` returning a copy of
/// the term with generated data, enabling toys and Asimov data for the whole likelihood.
/// See docs/concepts/likelihood.md.
#ifndef HEPAD_STATS_LIKELIHOOD_LIKELIHOOD_HPP
#define HEPAD_STATS_LIKELIHOOD_LIKELIHOOD_HPP

#include <hepad/autodiff/forward/derivatives.hpp>
#include <hepad/autodiff/forward/dual.hpp>
#include <hepad/autodiff/forward/dual2.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts/likelihood.hpp>
#include <hepad/core/random.hpp>
#include <hepad/stats/likelihood/parameter_set.hpp>
#include <hepad/stats/objective.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace hepad::stats {

/// A term evaluable with every forward-mode type (exact gradients and Hessians).
template <class T>
concept autodiff_term = requires(const T& t, std::span<const double> p, std::span<const autodiff::forward::dual<double, autodiff_width>> d,
                                 std::span<const autodiff::forward::dual2<autodiff_width>> d2) {
  { t.nll(p) } -> std::convertible_to<double>;
  { t.nll(d) } -> std::convertible_to<autodiff::forward::dual<double, autodiff_width>>;
  { t.nll(d2) } -> std::convertible_to<autodiff::forward::dual2<autodiff_width>>;
};

/// A term that supplies its own gradient.
template <class T>
concept gradient_term = requires(const T& t, std::span<const double> p, std::span<double> g) {
  { t.nll(p) } -> std::convertible_to<double>;
  { t.nll_gradient(p, g) } -> std::convertible_to<double>;
};

/// A likelihood term.
template <class T>
concept likelihood_term = autodiff_term<T> || gradient_term<T>;

/// A term that can draw its data from the model (toys).
template <class T>
concept sampleable_term = requires(const T& t, std::span<const double> p, rng& r) {
  { t.sample_data(p, r) } -> std::convertible_to<T>;
};

/// A term that can replace its data by the expectation (Asimov).
template <class T>
concept asimov_term = requires(const T& t, std::span<const double> p) {
  { t.asimov_data(p) } -> std::convertible_to<T>;
};

namespace detail {
/// Evaluates term `t` with scalar type `S` (a double or a dual): autodiff terms directly, gradient
/// terms by the chain rule on their gradient (first order only).
template <class Term, class S>
S term_nll(const Term& t, std::span<const S> theta) {
  if constexpr (requires { { t.nll(theta) } -> std::convertible_to<S>; }) {
    return t.nll(theta);
  } else {
    using autodiff::forward::dual;
    static_assert(autodiff::forward::is_dual_v<S>,
                  "hepad::stats::likelihood: a term with only nll_gradient cannot give exact second derivatives");
    std::vector<double> x(theta.size()), g(theta.size());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = theta[i].v;
    S out(t.nll_gradient(std::span<const double>(x), std::span<double>(g)));
    for (std::size_t i = 0; i < x.size(); ++i)
      if (g[i] != 0.0)
        for (int k = 0; k < S::size; ++k) out.d[static_cast<std::size_t>(k)] += g[i] * theta[i].d[static_cast<std::size_t>(k)];
    return out;
  }
}
}  // namespace detail

/// The negative log-likelihood -ln L(θ) = Σ constraints + Σ terms (up to a constant).
template <likelihood_term... Terms>
class likelihood {
 public:
  /// True if every term accepts the second-order type (exact Hessians).
  static constexpr bool exact_hessian = (autodiff_term<Terms> && ...);

  /// @param params the parameters and constraints shared by the terms
  /// @param poi index of the parameter of interest
  /// @throws out_of_range if `poi` is not a parameter index.
  likelihood(parameter_set params, std::size_t poi, Terms... terms)
      : params_(std::move(params)), poi_(poi), terms_(std::move(terms)...) {
    (void)params_[poi_];
    refresh();
  }

  // --- likelihood_model ------------------------------------------------------------------------

  /// -ln L at θ for `double` and the forward-mode types.
  template <class T>
  [[nodiscard]] T nll(std::span<const T> theta) const {
    T s = params_.constraint_nll(theta);
    std::apply([&](const auto&... t) { ((s += detail::term_nll(t, theta)), ...); }, terms_);
    return s;
  }
  [[nodiscard]] double nll(std::span<const double> theta) const { return nll<double>(theta); }
  [[nodiscard]] std::size_t n_parameters() const noexcept { return params_.size(); }
  [[nodiscard]] std::span<const std::string> parameter_names() const noexcept { return params_.names(); }
  [[nodiscard]] std::span<const parameter_bounds> bounds() const noexcept { return params_.bounds(); }
  [[nodiscard]] std::span<const double> initial_values() const noexcept { return start_; }
  [[nodiscard]] std::span<const parameter> parameters() const noexcept { return params_.parameters(); }
  [[nodiscard]] std::span<const constraint> constraints() const noexcept { return params_.constraints(); }
  [[nodiscard]] std::size_t poi() const noexcept { return poi_; }
  /// 0.5: the terms are in -ln L units (default). Set 1 with `set_errordef` when they are in
  /// -2 ln L units (e.g. S4's FCN); fits, scans and test statistics follow.
  [[nodiscard]] double errordef() const noexcept { return errordef_; }
  /// @throws invalid_argument unless positive.
  void set_errordef(double e) {
    check_positive("stats::likelihood::set_errordef", "errordef", e);
    errordef_ = e;
  }

  /// Value and exact gradient.
  double nll_gradient(std::span<const double> theta, std::span<double> g) const {
    check_size("stats::likelihood::nll_gradient", "gradient", g.size(), n_parameters());
    return autodiff::forward::gradient<autodiff_width>([this](auto p) { return this->nll(p); }, theta, g);
  }
  /// Value, gradient and Hessian (exact if every term allows it, else central differences of
  /// exact gradients).
  double nll_hessian(std::span<const double> theta, std::span<double> g, std::span<double> h) const {
    const std::size_t n = n_parameters();
    check_size("stats::likelihood::nll_hessian", "gradient", g.size(), n);
    check_size("stats::likelihood::nll_hessian", "hessian", h.size(), n * n);
    if constexpr (exact_hessian) {
      return autodiff::forward::hessian<autodiff_width>([this](auto p) { return this->nll(p); }, theta, g, h);
    } else {
      const double v = nll_gradient(theta, g);
      std::vector<double> x(theta.begin(), theta.end()), gp(n), gm(n);
      for (std::size_t j = 0; j < n; ++j) {
        const double hj = 1e-5 * (std::max)(std::abs(x[j]), params_[j].step);
        const double x0 = x[j];
        x[j] = x0 + hj;
        nll_gradient(x, gp);
        x[j] = x0 - hj;
        nll_gradient(x, gm);
        x[j] = x0;
        for (std::size_t i = 0; i < n; ++i) h[i * n + j] = (gp[i] - gm[i]) / (2 * hj);
      }
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) h[i * n + j] = h[j * n + i] = 0.5 * (h[i * n + j] + h[j * n + i]);
      return v;
    }
  }

  // --- objective (for stats::minimize) ---------------------------------------------------------

  [[nodiscard]] double evaluate(std::span<const double> p) const { return nll(p); }
  double evaluate_with_gradient(std::span<const double> p, std::span<double> g) const { return nll_gradient(p, g); }
  double evaluate_with_hessian(std::span<const double> p, std::span<double> g, std::span<double> h) const {
    return nll_hessian(p, g, h);
  }
  /// Diagonal second derivatives (one cheap pass per parameter) for the minimizer's start metric.
  void diagonal_hessian(std::span<const double> p, std::span<double> d) const
    requires exact_hessian
  {
    using D = autodiff::forward::dual2<1>;
    std::vector<D> x(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
      for (std::size_t j = 0; j < p.size(); ++j) x[j] = D(p[j]);
      x[i].g[0] = 1.0;
      d[i] = nll(std::span<const D>(x)).h[0];
    }
  }

  /// Kinks of all terms that declare them (e.g. code-0 interpolation at α = 0).
  [[nodiscard]] std::vector<kink> kinks() const {
    std::vector<kink> out;
    auto collect = [&](const auto& t) {
      if constexpr (requires { t.kinks(); })
        for (const auto& k : t.kinks()) {
          bool seen = false;
          for (const auto& o : out) seen |= o.parameter == k.parameter && o.value == k.value;
          if (!seen) out.push_back(k);
        }
    };
    std::apply([&](const auto&... t) { (collect(t), ...); }, terms_);
    return out;
  }

  // --- data --------------------------------------------------------------------------------

  /// A pseudo-experiment at θ: every term's data drawn from the model, global observables randomised.
  [[nodiscard]] likelihood sample(std::span<const double> theta, rng& r) const
    requires(sampleable_term<Terms> && ...)
  {
    likelihood out = *this;
    out.params_.sample_global_observables(theta, r);
    std::uint64_t k = 0;
    auto draw = [&](auto& t) {
      rng rk = r.split(k++);
      t = t.sample_data(theta, rk);
    };
    std::apply([&](auto&... t) { (draw(t), ...); }, out.terms_);
    return out;
  }
  /// The Asimov data set at θ: expected data, global observables at θ.
  [[nodiscard]] likelihood asimov(std::span<const double> theta) const
    requires(asimov_term<Terms> && ...)
  {
    likelihood out = *this;
    out.params_.asimov_global_observables(theta);
    std::apply([&](auto&... t) { ((t = t.asimov_data(theta)), ...); }, out.terms_);
    return out;
  }

  // --- access ------------------------------------------------------------------------------

  /// The parameters and constraints (to change bounds, start values, global observables).
  [[nodiscard]] const parameter_set& params() const noexcept { return params_; }
  /// Modifies parameter `i` (start, step, bounds, fixed).
  void set_parameter(std::size_t i, const parameter& p) {
    params_.set(i, p);
    refresh();
  }
  void set_parameter(std::string_view name, const parameter& p) { set_parameter(params_.index(name), p); }
  void set_global_observables(std::span<const double> g) { params_.set_global_observables(g); }
  void set_poi(std::size_t i) {
    (void)params_[i];
    poi_ = i;
  }
  /// Term `I`.
  template <std::size_t I>
  [[nodiscard]] auto& term() noexcept { return std::get<I>(terms_); }
  template <std::size_t I>
  [[nodiscard]] const auto& term() const noexcept { return std::get<I>(terms_); }

 private:
  void refresh() { start_ = params_.initial_values(); }
  parameter_set params_;
  std::size_t poi_;
  std::tuple<Terms...> terms_;
  std::vector<double> start_;
  double errordef_ = 0.5;
};

/// Builds a likelihood whose parameter of interest is called `poi`.
/// @throws out_of_range if there is no such parameter.
template <likelihood_term... Terms>
likelihood<std::remove_cvref_t<Terms>...> make_likelihood(parameter_set params, std::string_view poi, Terms&&... terms) {
  const std::size_t k = params.index(poi);
  return likelihood<std::remove_cvref_t<Terms>...>(std::move(params), k, std::forward<Terms>(terms)...);
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_LIKELIHOOD_LIKELIHOOD_HPP
