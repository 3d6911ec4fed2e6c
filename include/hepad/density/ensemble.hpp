// SPDX-License-Identifier: BSL-1.0
/// @file hepad/density/ensemble.hpp
/// @brief `density::ensemble<D>`: M independently seeded copies of any density estimator (flows,
/// KDE, GMM, ...), fitted on the same data, with the averaged density p = (1/M) sum_m p_m and
/// sampling from that mixture. Works for unconditional and conditional members. Not here:
/// bootstrap resampling per member (pass resampled data yourself), weighted averaging.
#ifndef HEPAD_DENSITY_ENSEMBLE_HPP
#define HEPAD_DENSITY_ENSEMBLE_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/concepts/density.hpp>
#include <hepad/core/concepts/fit.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/density/concepts.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepad::density {

/// Ensemble of density estimators.
///
/// Member m is fitted with the generator `r.split(m)` (so members differ in their random
/// initialisation and data order and the result does not depend on `threads`). The ensemble
/// density is the average of the member densities, computed in log space:
/// \f$ \log p = \mathrm{logsumexp}_m \log p_m - \log M \f$. Sampling draws the member of each event
/// uniformly, so samples follow the same mixture. Models the same concepts as `D` (density,
/// sampler, conditional density, differentiable density).
/// @tparam D a density estimator type; @tparam S its scalar type (deduced).
template <class D, class S = density_scalar_t<D>>
class ensemble {
  static_assert(std::is_floating_point_v<S>, "density::ensemble: cannot deduce the scalar type of D: give it as "
                                             "the second template argument (see docs/concepts/density_estimator.md)");

 public:
  using scalar_type = S;

  /// Members given explicitly (at least one).
  explicit ensemble(std::vector<D> members, int threads = 1)
      : members_(std::move(members)), threads_(threads) {
    check_not_empty("density::ensemble", "members", members_.size());
    check_positive("density::ensemble", "threads", threads);
  }
  /// `n_members` copies of `prototype`.
  ensemble(std::int64_t n_members, const D& prototype, int threads = 1)
      : ensemble(copies(n_members, prototype), threads) {}

  /// Fits every member on x (unconditional density).
  auto fit(matrix_cref<S> x, rng& r)
    requires fittable<D, matrix_cref<S>>
  {
    return fit_all(r, [&](D& m, rng& rm) { return hepad::fit(m, rm, x); });
  }
  /// Fits every member on (x, weights) if `a` is a column vector, else on (x, context).
  template <class A>
  auto fit(matrix_cref<S> x, const A& a, rng& r) {
    if constexpr (column_vector_expr<A>) {
      static_assert(fittable<D, matrix_cref<S>, vector_cref<S>>,
                    "density::ensemble: the member type has no weighted fit(x, w)");
      const vector_cref<S> w(a);
      return fit_all(r, [&](D& m, rng& rm) { return hepad::fit(m, rm, x, w); });
    } else {
      static_assert(fittable<D, matrix_cref<S>, matrix_cref<S>>,
                    "density::ensemble: the member type has no conditional fit(x, c)");
      const matrix_cref<S> c(a);
      return fit_all(r, [&](D& m, rng& rm) { return hepad::fit(m, rm, x, c); });
    }
  }
  /// Fits every member on (x, context, weights).
  auto fit(matrix_cref<S> x, matrix_cref<S> c, vector_cref<S> w, rng& r)
    requires fittable<D, matrix_cref<S>, matrix_cref<S>, vector_cref<S>>
  {
    return fit_all(r, [&](D& m, rng& rm) { return hepad::fit(m, rm, x, c, w); });
  }

  /// log of the averaged density.
  [[nodiscard]] vector<S> log_prob(matrix_cref<S> x) const
    requires requires(const D& d) { d.log_prob(x); }
  {
    return average([&](const D& m) { return vector<S>(m.log_prob(x)); }, x.rows());
  }
  [[nodiscard]] vector<S> log_prob(matrix_cref<S> x, matrix_cref<S> c) const
    requires requires(const D& d) { d.log_prob(x, c); }
  {
    return average([&](const D& m) { return vector<S>(m.log_prob(x, c)); }, x.rows());
  }

  /// d log p / dx of the averaged density: the members' gradients weighted by their posterior
  /// share p_m / (M p).
  [[nodiscard]] matrix<S> grad_log_prob(matrix_cref<S> x) const
    requires differentiable_density<D, S>
  {
    return grad_average([&](const D& m) { return std::pair{vector<S>(m.log_prob(x)), matrix<S>(m.grad_log_prob(x))}; });
  }
  [[nodiscard]] matrix<S> grad_log_prob(matrix_cref<S> x, matrix_cref<S> c) const
    requires differentiable_conditional_density<D, S>
  {
    return grad_average([&](const D& m) {
      return std::pair{vector<S>(m.log_prob(x, c)), matrix<S>(m.grad_log_prob(x, c))};
    });
  }

  /// `n` events from the mixture of the members.
  [[nodiscard]] matrix<S> sample(std::int64_t n, rng& r) const
    requires sampler<D, S>
  {
    check_nonnegative("density::ensemble::sample", "n", n);
    const auto who = assign(n, r);
    const std::uint64_t salt = r();  // a fresh stream per call
    matrix<S> out(n, n_features());
    for (std::size_t m = 0; m < members_.size(); ++m) {
      const auto& rows = who[m];
      if (rows.empty()) continue;
      rng rm = r.split(salt).split(m);
      const matrix<S> s = members_[m].sample(static_cast<std::int64_t>(rows.size()), rm);
      for (std::size_t k = 0; k < rows.size(); ++k) out.row(rows[k]) = s.row(static_cast<index_t>(k));
    }
    return out;
  }
  /// One event per context row, each from a uniformly chosen member.
  [[nodiscard]] matrix<S> sample(matrix_cref<S> c, rng& r) const
    requires requires(const D& d, rng& rr) { d.sample(c, rr); }
  {
    const auto who = assign(c.rows(), r);
    const std::uint64_t salt = r();
    matrix<S> out(c.rows(), n_features());
    for (std::size_t m = 0; m < members_.size(); ++m) {
      const auto& rows = who[m];
      if (rows.empty()) continue;
      matrix<S> cm(static_cast<index_t>(rows.size()), c.cols());
      for (std::size_t k = 0; k < rows.size(); ++k) cm.row(static_cast<index_t>(k)) = c.row(rows[k]);
      rng rm = r.split(salt).split(m);
      const matrix<S> s = members_[m].sample(matrix_cref<S>(cm), rm);
      for (std::size_t k = 0; k < rows.size(); ++k) out.row(rows[k]) = s.row(static_cast<index_t>(k));
    }
    return out;
  }

  [[nodiscard]] std::int64_t n_features() const { return members_.front().n_features(); }
  [[nodiscard]] std::int64_t n_context() const
    requires requires(const D& d) { d.n_context(); }
  {
    return members_.front().n_context();
  }
  [[nodiscard]] std::int64_t size() const noexcept { return static_cast<std::int64_t>(members_.size()); }
  [[nodiscard]] D& operator[](std::int64_t m) { return members_.at(static_cast<std::size_t>(m)); }
  [[nodiscard]] const D& operator[](std::int64_t m) const { return members_.at(static_cast<std::size_t>(m)); }
  [[nodiscard]] std::vector<D>& members() noexcept { return members_; }
  [[nodiscard]] const std::vector<D>& members() const noexcept { return members_; }

 private:
  static std::vector<D> copies(std::int64_t n, const D& p) {
    check_positive("density::ensemble", "n_members", n);
    return std::vector<D>(static_cast<std::size_t>(n), p);
  }

  template <class F>
  auto fit_all(rng& r, F&& f) {
    using R = decltype(f(members_.front(), r));
    const auto M = static_cast<std::int64_t>(members_.size());
    thread_pool pool(static_cast<int>((std::min)(static_cast<std::int64_t>(threads_), M)));
    if constexpr (std::is_void_v<R>) {
      pool.run(M, [&](std::int64_t m) {
        rng rm = r.split(static_cast<std::uint64_t>(m));
        f(members_[static_cast<std::size_t>(m)], rm);
      });
    } else {
      std::vector<R> out(static_cast<std::size_t>(M));
      pool.run(M, [&](std::int64_t m) {
        rng rm = r.split(static_cast<std::uint64_t>(m));
        out[static_cast<std::size_t>(m)] = f(members_[static_cast<std::size_t>(m)], rm);
      });
      return out;
    }
  }

  template <class F>
  vector<S> average(F&& lp, index_t n) const {
    const auto M = members_.size();
    std::vector<vector<S>> all;
    all.reserve(M);
    for (const auto& m : members_) all.push_back(lp(m));
    vector<S> out(n);
    const double logM = std::log(static_cast<double>(M));
    std::vector<double> v(M);
    for (index_t i = 0; i < n; ++i) {
      double mx = -std::numeric_limits<double>::infinity();
      for (std::size_t m = 0; m < M; ++m) mx = (std::max)(mx, v[m] = static_cast<double>(all[m](i)));
      if (!std::isfinite(mx)) {
        out(i) = static_cast<S>(mx);
        continue;
      }
      double s = 0.0;
      for (std::size_t m = 0; m < M; ++m) s += std::exp(v[m] - mx);
      out(i) = static_cast<S>(mx + std::log(s) - logM);
    }
    return out;
  }

  template <class F>
  matrix<S> grad_average(F&& f) const {
    std::vector<std::pair<vector<S>, matrix<S>>> all;
    for (const auto& m : members_) all.push_back(f(m));
    const index_t n = all.front().first.size();
    matrix<S> g = matrix<S>::Zero(n, all.front().second.cols());
    for (index_t i = 0; i < n; ++i) {
      double mx = -std::numeric_limits<double>::infinity();
      for (const auto& a : all) mx = (std::max)(mx, static_cast<double>(a.first(i)));
      double s = 0.0;
      for (const auto& a : all) s += std::exp(static_cast<double>(a.first(i)) - mx);
      for (const auto& a : all)
        g.row(i) += static_cast<S>(std::exp(static_cast<double>(a.first(i)) - mx) / s) * a.second.row(i);
    }
    return g;
  }

  std::vector<std::vector<index_t>> assign(index_t n, rng& r) const {
    std::vector<std::vector<index_t>> who(members_.size());
    for (index_t i = 0; i < n; ++i) who[r.uniform_int(members_.size())].push_back(i);
    return who;
  }

  std::vector<D> members_;
  int threads_ = 1;
};

}  // namespace hepad::density

#endif  // HEPAD_DENSITY_ENSEMBLE_HPP
