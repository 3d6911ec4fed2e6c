// SPDX-License-Identifier: BSL-1.0
/// @file hepad/pre/detail/common.hpp
/// @brief Internals shared by the preprocessors: input checks, weighted column moments (negative
/// weights allowed), column selections, column-wise application of a scalar map, and the
/// `data::table` stage glue. Not part of the public API.
#ifndef HEPAD_PRE_DETAIL_COMMON_HPP
#define HEPAD_PRE_DETAIL_COMMON_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/data/table.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepad::pre::detail {

/// @throws hepad::invalid_argument "fn: not fitted (call fit first)" unless `fitted`.
inline void require_fitted(bool fitted, std::string_view fn) {
  if (!fitted) throw_invalid_argument(fn, "the preprocessor is not fitted (call fit first)");
}

/// @throws hepad::invalid_argument if `x` does not have `n` columns.
inline void require_columns(std::string_view fn, std::int64_t got, std::int64_t n) {
  if (got != n)
    throw_invalid_argument(fn, hepad::detail::concat("x must have ", n, " columns (as in fit), got ", got));
}

/// The columns a column-wise preprocessor acts on: `columns` (validated against `n_cols`), or all
/// columns if `columns` is empty. Returned as one flag per column.
inline std::vector<std::uint8_t> active_columns(std::string_view fn, const std::vector<std::int64_t>& columns,
                                                std::int64_t n_cols) {
  std::vector<std::uint8_t> on(static_cast<std::size_t>(n_cols), columns.empty() ? 1 : 0);
  for (const auto j : columns) {
    if (j < 0 || j >= n_cols)
      hepad::detail::raise<out_of_range>(
          hepad::detail::concat(fn, ": columns contains ", j, ", but x has ", n_cols, " columns"));
    on[static_cast<std::size_t>(j)] = 1;
  }
  return on;
}

/// Per-column weighted statistics, accumulated in double.
struct column_stats {
  double total_weight = 0.0;
  std::vector<double> mean{}, variance{}, min{}, max{};
};

/// Weighted mean, (population) variance, min and max of every column of `x`.
///
/// With weights w_i (possibly negative), mean = sum w_i x_i / W and variance =
/// sum w_i (x_i - mean)^2 / W with W = sum w_i: the moments of the distribution the weighted sample
/// represents (as for NLO samples with negative weights). They need W > 0. min and max run over the
/// rows with w_i != 0 (the support of the weighted sample). Without weights every w_i = 1.
/// @throws hepad::invalid_argument for an empty x, a weight-size mismatch, non-finite values or
/// weights, or W <= 0.
template <class DX, class DW = Eigen::Matrix<double, Eigen::Dynamic, 1>>
inline column_stats weighted_stats(std::string_view fn, const Eigen::MatrixBase<DX>& x,
                                   const Eigen::MatrixBase<DW>* w = nullptr) {
  const auto n = x.rows(), d = x.cols();
  if (n == 0) throw_invalid_argument(fn, "x must have at least one row");
  if (w) check_size(fn, "weights", static_cast<std::size_t>(w->size()), static_cast<std::size_t>(n));
  check_all_finite(fn, "x", x.derived());
  if (w) check_all_finite(fn, "weights", w->derived());
  column_stats s;
  s.mean.assign(static_cast<std::size_t>(d), 0.0);
  s.variance.assign(static_cast<std::size_t>(d), 0.0);
  s.min.assign(static_cast<std::size_t>(d), std::numeric_limits<double>::infinity());
  s.max.assign(static_cast<std::size_t>(d), -std::numeric_limits<double>::infinity());
  for (Eigen::Index i = 0; i < n; ++i) {
    const double wi = w ? static_cast<double>((*w)(i)) : 1.0;
    s.total_weight += wi;
    for (Eigen::Index j = 0; j < d; ++j) {
      const double v = static_cast<double>(x(i, j));
      s.mean[static_cast<std::size_t>(j)] += wi * v;
      if (wi != 0.0) {
        s.min[static_cast<std::size_t>(j)] = (std::min)(s.min[static_cast<std::size_t>(j)], v);
        s.max[static_cast<std::size_t>(j)] = (std::max)(s.max[static_cast<std::size_t>(j)], v);
      }
    }
  }
  if (!(s.total_weight > 0.0))
    throw_invalid_argument(fn, hepad::detail::concat("the total weight must be positive, got ", s.total_weight,
                                                     " (weights may be negative, but must sum to a positive "
                                                     "number)"));
  for (auto& m : s.mean) m /= s.total_weight;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double wi = w ? static_cast<double>((*w)(i)) : 1.0;
    for (Eigen::Index j = 0; j < d; ++j) {
      const double r = static_cast<double>(x(i, j)) - s.mean[static_cast<std::size_t>(j)];
      s.variance[static_cast<std::size_t>(j)] += wi * r * r;
    }
  }
  for (auto& v : s.variance) v /= s.total_weight;
  return s;
}

/// Applies `f(j, v) -> double` to the active columns of `x` (others copied), in double precision.
template <class DX, class F>
inline matrix<typename DX::Scalar> map_columns(const Eigen::MatrixBase<DX>& x, const std::vector<std::uint8_t>& on,
                                               F&& f) {
  using S = typename DX::Scalar;
  matrix<S> y(x.rows(), x.cols());
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    for (Eigen::Index j = 0; j < x.cols(); ++j)
      y(i, j) = on[static_cast<std::size_t>(j)] ? static_cast<S>(f(j, static_cast<double>(x(i, j)))) : x(i, j);
  return y;
}

/// Per-row sum over active columns of `g(j, v)` (a log-derivative), in double precision.
template <class DX, class G>
inline vector<typename DX::Scalar> sum_columns(const Eigen::MatrixBase<DX>& x, const std::vector<std::uint8_t>& on,
                                               G&& g) {
  using S = typename DX::Scalar;
  vector<S> out(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    double acc = 0.0;
    for (Eigen::Index j = 0; j < x.cols(); ++j)
      if (on[static_cast<std::size_t>(j)]) acc += g(j, static_cast<double>(x(i, j)));
    out(i) = static_cast<S>(acc);
  }
  return out;
}

/// Throws "fn: x value v at row i, column j is outside the domain ..." (cold path).
[[noreturn]] HEPAD_COLD inline void domain_error(std::string_view fn, double v, Eigen::Index i, Eigen::Index j,
                                                 std::string_view domain) {
  throw_invalid_argument(fn, hepad::detail::concat("x = ", v, " at row ", i, ", column ", j,
                                                   " is outside the domain ", domain));
}

// --- data::table stage glue ------------------------------------------------------------------

/// Replaces the feature block of `t` with `y`. Same width: written in place. Different width (a
/// preprocessor that changes the number of columns): the table is rebuilt with the new feature
/// columns (named `names`) where the old ones were; the context block moves accordingly.
template <class S>
inline data::table<S> replace_features(data::table<S>&& t, matrix<S>&& y, const std::vector<std::string>& names) {
  if (y.cols() == t.n_features()) {
    t.mutable_features() = y;
    return std::move(t);
  }
  const auto fb = t.feature_begin(), nf = t.n_features(), nc = t.n_columns();
  const auto& old = t.column_names();
  std::vector<std::string> cols(old.begin(), old.begin() + fb);
  cols.insert(cols.end(), names.begin(), names.end());
  cols.insert(cols.end(), old.begin() + fb + nf, old.end());
  matrix<S> v(t.size(), nc - nf + y.cols());
  v.leftCols(fb) = t.values().leftCols(fb);
  v.middleCols(fb, y.cols()) = y;
  v.rightCols(nc - fb - nf) = t.values().rightCols(nc - fb - nf);
  data::table<S> out(std::move(cols), std::move(v), vector<S>(t.weights()), label_vector(t.labels()));
  out.set_features(fb, y.cols());
  const auto cb = t.context_begin(), ncx = t.n_context();
  if (ncx > 0) {
    if (cb >= fb + nf)
      out.set_context(cb - nf + y.cols(), ncx);
    else if (cb + ncx <= fb)
      out.set_context(cb, ncx);
    else
      throw_invalid_argument("pre: table stage",
                             "the context block overlaps the features, whose number of columns changes");
  }
  for (const auto& n : t.jagged_names()) out.set_jagged(n, t.jagged_column(n));
  return out;
}

/// Output column names: those of `p.output_names(in)` if `p` has it, else the input names.
template <class P>
inline std::vector<std::string> output_names(const P& p, std::span<const std::string> in) {
  if constexpr (requires { p.output_names(in); })
    return p.output_names(in);
  else
    return std::vector<std::string>(in.begin(), in.end());
}

/// Stage `fit`: fits `p` on the table's features with its weights, then transforms them.
template <class P, class S>
inline data::table<S> fit_table(P& p, data::table<S>&& t) {
  p.fit(t.features(), t.weights());
  auto y = p.transform(t.features());
  const auto names = output_names(p, t.feature_names());
  return replace_features(std::move(t), std::move(y), names);
}

/// Stage `run`: transforms the table's features.
template <class P, class S>
inline data::table<S> run_table(const P& p, data::table<S>&& t) {
  auto y = p.transform(t.features());
  const auto names = output_names(p, t.feature_names());
  return replace_features(std::move(t), std::move(y), names);
}

}  // namespace hepad::pre::detail

#endif  // HEPAD_PRE_DETAIL_COMMON_HPP
