// SPDX-License-Identifier: BSL-1.0
/// @file hepad/density/histogram_density.hpp
/// @brief `density::histogram_density`: a normalised, regularly binned histogram in d dimensions
/// as a density estimator (log_prob piecewise constant, sampling uniform within bins). Not here:
/// variable bin edges, adaptive binning, smoothing beyond a constant pseudo-count.
#ifndef HEPAD_DENSITY_HISTOGRAM_DENSITY_HPP
#define HEPAD_DENSITY_HISTOGRAM_DENSITY_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/density/detail/stats.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::density {

/// Configuration of `histogram_density`.
struct histogram_config {
  /// Bins per dimension.
  std::int64_t n_bins = 20;
  /// Per-dimension range; empty = the data range (the upper edge is included).
  std::vector<double> lower{}, upper{};
  /// Weight added to every bin (0 = none: empty bins then have density 0, log_prob -inf).
  double pseudo_count = 0.0;
  static constexpr std::string_view name = "histogram_density";
  static constexpr auto fields() {
    return std::tuple{config::field{"n_bins", &histogram_config::n_bins},
                      config::field{"lower", &histogram_config::lower},
                      config::field{"upper", &histogram_config::upper},
                      config::field{"pseudo_count", &histogram_config::pseudo_count}};
  }
};

/// Histogram density: \f$ p(x) = (W_b + \alpha) / ((W + B\alpha) V_b) \f$ for x in bin b of volume
/// V_b, 0 outside the range (log_prob = -inf there, the exact log of 0).
///
/// Events outside a user-given range are not counted; the estimate is normalised over the range
/// and the weight fraction outside is reported by `outside_fraction()`. At most 2^26 bins in total.
/// Models `weighted_density`, `sampleable_density`.
/// @tparam S float or double.
template <class S = double>
class histogram_density {
 public:
  using scalar_type = S;
  using config_type = histogram_config;

  explicit histogram_density(histogram_config cfg = {}) : cfg_(std::move(cfg)) {}

  void fit(matrix_cref<S> x) { fit_impl(x, nullptr); }
  void fit(matrix_cref<S> x, vector_cref<S> w) {
    const vector<S> wv = w;
    fit_impl(x, &wv);
  }

  [[nodiscard]] vector<S> log_prob(matrix_cref<S> x) const {
    require_fitted("histogram_density::log_prob");
    detail::check_query<S>("histogram_density::log_prob", x, d_);
    vector<S> out(x.rows());
    for (index_t i = 0; i < x.rows(); ++i) {
      const std::int64_t b = bin_of(x.row(i));
      out(i) = b < 0 ? -std::numeric_limits<S>::infinity() : static_cast<S>(log_density_[static_cast<std::size_t>(b)]);
    }
    return out;
  }

  /// Draws `n` events: a bin with probability proportional to its content, then uniform inside.
  [[nodiscard]] matrix<S> sample(std::int64_t n, rng& r) const {
    require_fitted("histogram_density::sample");
    check_nonnegative("histogram_density::sample", "n", n);
    matrix<S> out(n, d_);
    for (index_t i = 0; i < n; ++i) {
      std::int64_t b = pick_(r);
      for (index_t j = d_ - 1; j >= 0; --j) {
        const std::int64_t k = b % nb_;
        b /= nb_;
        const double u = r.uniform<double>();
        out(i, j) = static_cast<S>(lo_[static_cast<std::size_t>(j)] +
                                   (static_cast<double>(k) + u) * width_[static_cast<std::size_t>(j)]);
      }
    }
    return out;
  }

  [[nodiscard]] std::int64_t n_features() const noexcept { return d_; }
  /// Weight fraction of the training events outside the range.
  [[nodiscard]] double outside_fraction() const noexcept { return outside_; }
  [[nodiscard]] const std::vector<double>& lower() const noexcept { return lo_; }
  [[nodiscard]] const std::vector<double>& upper() const noexcept { return hi_; }
  [[nodiscard]] const histogram_config& config() const noexcept { return cfg_; }

 private:
  void require_fitted(std::string_view fn) const {
    if (d_ == 0) throw_invalid_argument(fn, "the estimator is not fitted (call fit first)");
  }

  template <class Row>
  std::int64_t bin_of(const Row& x) const {
    std::int64_t b = 0;
    for (index_t j = 0; j < d_; ++j) {
      const auto jj = static_cast<std::size_t>(j);
      const double v = static_cast<double>(x(j));
      if (!(v >= lo_[jj] && v <= hi_[jj])) return -1;
      auto k = static_cast<std::int64_t>(std::floor((v - lo_[jj]) / width_[jj]));
      k = (std::min)((std::max)(k, std::int64_t{0}), nb_ - 1);  // upper edge into the last bin
      b = b * nb_ + k;
    }
    return b;
  }

  void fit_impl(matrix_cref<S> x, const vector<S>* w) {
    constexpr std::string_view fn = "histogram_density::fit";
    check_at_least(fn, "n_bins", cfg_.n_bins, 1);
    check_nonnegative(fn, "pseudo_count", cfg_.pseudo_count);
    check_finite(fn, "pseudo_count", cfg_.pseudo_count);
    const detail::dvector wd = detail::checked_weights<S>(fn, x, w);
    const index_t d = x.cols();
    const auto du = static_cast<std::size_t>(d);
    double total_bins = 1.0;
    for (index_t j = 0; j < d; ++j) total_bins *= static_cast<double>(cfg_.n_bins);
    if (total_bins > static_cast<double>(1 << 26))
      throw_invalid_argument(fn, hepad::detail::concat("n_bins^d must be <= 2^26, got ", cfg_.n_bins,
                                                       "^", d, " (use fewer bins or dimensions)"));
    if (cfg_.lower.empty() != cfg_.upper.empty())
      throw_invalid_argument(fn, "lower and upper must be both given or both empty");
    lo_.assign(du, 0.0);
    hi_.assign(du, 0.0);
    width_.assign(du, 0.0);
    if (cfg_.lower.empty()) {
      for (index_t j = 0; j < d; ++j) {
        const auto jj = static_cast<std::size_t>(j);
        lo_[jj] = static_cast<double>(x.col(j).minCoeff());
        hi_[jj] = static_cast<double>(x.col(j).maxCoeff());
        if (!(hi_[jj] > lo_[jj]))
          throw_invalid_argument(fn, hepad::detail::concat("column ", j, " of x is constant (",
                                                           lo_[jj], "); give lower/upper"));
      }
    } else {
      check_size(fn, "lower", cfg_.lower.size(), du);
      check_size(fn, "upper", cfg_.upper.size(), du);
      for (std::size_t j = 0; j < du; ++j) {
        check_finite(fn, "lower", cfg_.lower[j]);
        check_finite(fn, "upper", cfg_.upper[j]);
        if (!(cfg_.upper[j] > cfg_.lower[j]))
          throw_invalid_argument(fn, hepad::detail::concat("upper[", j, "] must be > lower[", j,
                                                           "] = ", cfg_.lower[j], ", got ",
                                                           cfg_.upper[j]));
        lo_[j] = cfg_.lower[j];
        hi_[j] = cfg_.upper[j];
      }
    }
    nb_ = cfg_.n_bins;
    double volume = 1.0;
    for (std::size_t j = 0; j < du; ++j) {
      width_[j] = (hi_[j] - lo_[j]) / static_cast<double>(nb_);
      volume *= width_[j];
    }
    d_ = d;
    const auto B = static_cast<std::size_t>(total_bins);
    detail::dvector content = detail::dvector::Constant(static_cast<index_t>(B), cfg_.pseudo_count);
    double inside = 0.0;
    for (index_t i = 0; i < x.rows(); ++i) {
      const std::int64_t b = bin_of(x.row(i));
      if (b >= 0) {
        content(b) += wd(i);
        inside += wd(i);
      }
    }
    outside_ = 1.0 - inside / wd.sum();
    const double norm = inside + cfg_.pseudo_count * static_cast<double>(B);
    if (!(norm > 0.0)) {
      d_ = 0;
      throw_invalid_argument(fn, "no event falls inside the range and pseudo_count is 0");
    }
    log_density_.resize(B);
    for (std::size_t b = 0; b < B; ++b)
      log_density_[b] = content(static_cast<index_t>(b)) > 0.0
                            ? std::log(content(static_cast<index_t>(b)) / (norm * volume))
                            : -std::numeric_limits<double>::infinity();
    pick_ = detail::weighted_index(content);
  }

  histogram_config cfg_;
  index_t d_ = 0;
  std::int64_t nb_ = 0;
  double outside_ = 0.0;
  std::vector<double> lo_, hi_, width_, log_density_;
  detail::weighted_index pick_;
};

}  // namespace hepad::density

#endif  // HEPAD_DENSITY_HISTOGRAM_DENSITY_HPP
