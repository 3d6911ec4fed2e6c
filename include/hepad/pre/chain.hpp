// SPDX-License-Identifier: BSL-1.0
/// @file hepad/pre/chain.hpp
/// @brief `hepad::pre::chain<P...>`: preprocessors composed at compile time (a tuple, no virtual
/// calls). fit fits each step on the output of the previous one; transform applies them in order,
/// inverse_transform in reverse order, and log|det J| is the sum of the steps' log-Jacobians, each
/// evaluated at that step's input (chain rule). Also `pre::identity`.
#ifndef HEPAD_PRE_CHAIN_HPP
#define HEPAD_PRE_CHAIN_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/concepts/preprocessor.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/data/table.hpp>
#include <hepad/pre/detail/common.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepad::pre {

/// y = x, log|det J| = 0.
struct identity {
  static constexpr bool stateless = true;
  static constexpr std::string_view name = "identity";
  static constexpr auto fields() { return std::tuple{}; }
  [[nodiscard]] bool fitted() const noexcept { return true; }
  template <class D>
  void fit(const Eigen::MatrixBase<D>&) const noexcept {}
  template <class D, class W>
  void fit(const Eigen::MatrixBase<D>&, const Eigen::MatrixBase<W>&) const noexcept {}
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> transform(const Eigen::MatrixBase<D>& x) const {
    return x;
  }
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> inverse_transform(const Eigen::MatrixBase<D>& y) const {
    return y;
  }
  template <class D>
  [[nodiscard]] vector<typename D::Scalar> log_abs_det_jacobian(const Eigen::MatrixBase<D>& x) const {
    return vector<typename D::Scalar>::Zero(x.rows());
  }
  template <class S>
  data::table<S> fit(data::table<S> t) const {
    return t;
  }
  template <class S>
  data::table<S> run(data::table<S> t) const {
    return t;
  }
};

namespace detail {
template <class P>
inline constexpr bool is_stateless_v = stateless_preprocessor<P>;
/// A chain step: an invertible preprocessor for both float and double.
template <class P>
inline constexpr bool is_step_v = invertible_preprocessor<P, double> && invertible_preprocessor<P, float>;
}  // namespace detail

/// Steps `P...` applied in order. Build with `pre::chain(a, b, c)` or `pre::make_chain(a, b, c)`.
/// Steps are stored by value; `get<I>()` reaches them (e.g. to read a fitted scaler's state).
template <class... P>
class chain {
  static_assert(sizeof...(P) >= 1, "hepad::pre::chain needs at least one step");
#ifndef HEPAD_DISABLE_TYPE_CHECKS
  static_assert((detail::is_step_v<P> && ...),
                "hepad::pre::chain: every step must be an invertible preprocessor (fit(x), transform(x), "
                "inverse_transform(x), log_abs_det_jacobian(x) on matrix_cref<float/double>); see "
                "docs/concepts/preprocessor.md");
#endif

 public:
  static constexpr bool stateless = (detail::is_stateless_v<P> && ...);
  static constexpr std::string_view name = "chain";
  static constexpr std::size_t size = sizeof...(P);

  chain() = default;
  explicit chain(P... p) : steps_(std::move(p)...) {}

  template <std::size_t I>
  [[nodiscard]] auto& get() noexcept {
    return std::get<I>(steps_);
  }
  template <std::size_t I>
  [[nodiscard]] const auto& get() const noexcept {
    return std::get<I>(steps_);
  }
  [[nodiscard]] bool fitted() const noexcept {
    return std::apply([](const auto&... s) { return (s.fitted() && ...); }, steps_);
  }

  /// Fits step 0 on x, step 1 on T0(x), ... (intermediate results in double precision).
  template <class D>
  void fit(const Eigen::MatrixBase<D>& x) {
    fit_steps<0>(matrix<double>(x.template cast<double>()), static_cast<const vector<double>*>(nullptr));
  }
  /// Weighted: every step is fitted with the same weights.
  template <class D, class W>
  void fit(const Eigen::MatrixBase<D>& x, const Eigen::MatrixBase<W>& w) {
    const vector<double> wv = w.template cast<double>();
    fit_steps<0>(matrix<double>(x.template cast<double>()), &wv);
  }
  /// T_{k-1}(...T_0(x)); intermediate results are kept in double precision, so a float chain
  /// rounds once, at the end.
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> transform(const Eigen::MatrixBase<D>& x) const {
    return forward<0>(matrix<double>(x.template cast<double>())).template cast<typename D::Scalar>();
  }
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> inverse_transform(const Eigen::MatrixBase<D>& y) const {
    return backward<sizeof...(P)>(matrix<double>(y.template cast<double>())).template cast<typename D::Scalar>();
  }
  /// Sum over steps of log|det J_i| at the step's input (chain rule for square Jacobians).
  /// @throws hepad::not_supported if a step other than the last changes the number of columns
  /// (e.g. `sin_cos` followed by a scaler): the volume factor of an embedding followed by a
  /// non-isometric map is not a sum of per-step terms.
  template <class D>
  [[nodiscard]] vector<typename D::Scalar> log_abs_det_jacobian(const Eigen::MatrixBase<D>& x) const {
    vector<double> acc = vector<double>::Zero(x.rows());
    ldj<0>(matrix<double>(x.template cast<double>()), acc);
    return acc.template cast<typename D::Scalar>();
  }
  /// Output names after all steps (for steps that change the number of columns).
  [[nodiscard]] std::vector<std::string> output_names(std::span<const std::string> in) const {
    std::vector<std::string> names(in.begin(), in.end());
    std::apply([&](const auto&... s) { ((names = detail::output_names(s, names)), ...); }, steps_);
    return names;
  }

  template <class S>
  data::table<S> fit(data::table<S> t) {
    return detail::fit_table(*this, std::move(t));
  }
  template <class S>
  data::table<S> run(data::table<S> t) const {
    return detail::run_table(*this, std::move(t));
  }

 private:
  template <std::size_t I, class S>
  void fit_steps(matrix<S>&& x, const vector<S>* w) {
    if constexpr (I < sizeof...(P)) {
      auto& s = std::get<I>(steps_);
      if (w)
        s.fit(x, *w);
      else
        s.fit(x);
      if constexpr (I + 1 < sizeof...(P)) fit_steps<I + 1>(s.transform(x), w);
    }
  }
  template <std::size_t I, class S>
  matrix<S> forward(matrix<S>&& x) const {
    if constexpr (I == sizeof...(P))
      return std::move(x);
    else
      return forward<I + 1>(std::get<I>(steps_).transform(x));
  }
  template <std::size_t I, class S>
  matrix<S> backward(matrix<S>&& y) const {
    if constexpr (I == 0)
      return std::move(y);
    else
      return backward<I - 1>(std::get<I - 1>(steps_).inverse_transform(y));
  }
  template <std::size_t I, class S>
  void ldj(matrix<S>&& x, vector<S>& acc) const {
    if constexpr (I < sizeof...(P)) {
      const auto& s = std::get<I>(steps_);
      acc += s.log_abs_det_jacobian(x);
      if constexpr (I + 1 < sizeof...(P)) {
        matrix<S> y = s.transform(x);
        if (y.cols() != x.cols())
          hepad::detail::raise<not_supported>(hepad::detail::concat(
              "pre::chain::log_abs_det_jacobian: step ", I, " changes the number of columns (", x.cols(), " -> ",
              y.cols(), ") and is not the last step; the chain's volume factor is then not a sum of per-step "
              "log-Jacobians"));
        ldj<I + 1>(std::move(y), acc);
      }
    }
  }

  std::tuple<P...> steps_;
};

template <class... P>
chain(P...) -> chain<P...>;

/// `make_chain(pre::log_transform{...}, pre::standardize{})`.
template <class... P>
[[nodiscard]] inline chain<std::decay_t<P>...> make_chain(P&&... p) {
  return chain<std::decay_t<P>...>(std::forward<P>(p)...);
}

}  // namespace hepad::pre

#endif  // HEPAD_PRE_CHAIN_HPP
