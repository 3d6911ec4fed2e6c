// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/split.hpp
/// @brief Deterministic (seeded) splits of n events: train/validation/test, k-fold, and "the last
/// n rows" hold-outs. Results are row indices; apply them with `table::select`. Not here: batching
/// within an epoch (data/batching.hpp).
#ifndef HEPAD_DATA_SPLIT_HPP
#define HEPAD_DATA_SPLIT_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/random.hpp>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace hepad::data {

/// Row indices of a three-way split.
struct split_indices {
  std::vector<std::int64_t> train, validation, test;
};

/// Fractions of a train/validation/test split (train = the rest).
///
/// Sizes follow scikit-learn's `train_test_split`: n_test = ceil(test * n),
/// n_validation = ceil(validation * n), n_train = n - n_test - n_validation. With `shuffle`, one
/// permutation of 0..n-1 is drawn from the generator and cut into [test | validation | train];
/// without, the rows stay in order and are cut into [train | validation | test].
struct train_validation_test {
  double validation = 0.2;
  double test = 0.0;
  bool shuffle = true;

  static constexpr std::string_view name = "train_validation_test";
  static constexpr auto fields() {
    return std::tuple{config::field{"validation", &train_validation_test::validation},
                      config::field{"test", &train_validation_test::test},
                      config::field{"shuffle", &train_validation_test::shuffle}};
  }

  /// Splits rows 0..n-1. @throws hepad::invalid_argument for fractions outside [0, 1] or summing
  /// above 1.
  [[nodiscard]] split_indices split(std::int64_t n, rng& r) const {
    check_nonnegative("data::train_validation_test", "n", n);
    check_probability("data::train_validation_test", "validation", validation);
    check_probability("data::train_validation_test", "test", test);
    if (validation + test > 1.0)
      throw_invalid_argument("data::train_validation_test",
                             hepad::detail::concat("validation + test must be <= 1, got ", validation + test));
    const auto nd = static_cast<double>(n);
    const auto n_test = static_cast<std::int64_t>(std::ceil(test * nd));
    const auto n_val = (std::min)(n - n_test, static_cast<std::int64_t>(std::ceil(validation * nd)));
    const auto n_train = n - n_test - n_val;
    split_indices out;
    if (shuffle) {
      const auto p = r.permutation(n);
      out.test.assign(p.begin(), p.begin() + n_test);
      out.validation.assign(p.begin() + n_test, p.begin() + n_test + n_val);
      out.train.assign(p.begin() + n_test + n_val, p.end());
    } else {
      std::vector<std::int64_t> p(static_cast<std::size_t>(n));
      std::iota(p.begin(), p.end(), std::int64_t{0});
      out.train.assign(p.begin(), p.begin() + n_train);
      out.validation.assign(p.begin() + n_train, p.begin() + n_train + n_val);
      out.test.assign(p.begin() + n_train + n_val, p.end());
    }
    return out;
  }
};

/// K-fold assignment: every row gets a fold in 0..k-1; fold sizes differ by at most one (the first
/// n mod k folds are one larger, as in scikit-learn's KFold). With `shuffle`, the rows are
/// permuted by the generator before being dealt into consecutive folds.
class kfold {
 public:
  /// @throws hepad::invalid_argument unless 2 <= k <= n.
  kfold(std::int64_t n, int k, rng& r, bool shuffle = true) : k_(k), fold_(static_cast<std::size_t>(n)) {
    check_nonnegative("data::kfold", "n", n);
    check_at_least("data::kfold", "k", k, 2);
    if (k > n) throw_invalid_argument("data::kfold", hepad::detail::concat("k must be <= n = ", n, ", got ", k));
    std::vector<std::int64_t> p;
    if (shuffle) {
      p = r.permutation(n);
    } else {
      p.resize(static_cast<std::size_t>(n));
      std::iota(p.begin(), p.end(), std::int64_t{0});
    }
    std::int64_t pos = 0;
    for (int f = 0; f < k; ++f) {
      const std::int64_t size = n / k + (f < n % k ? 1 : 0);
      for (std::int64_t i = 0; i < size; ++i) fold_[static_cast<std::size_t>(p[static_cast<std::size_t>(pos++)])] = f;
    }
  }
  /// Number of folds.
  [[nodiscard]] int k() const noexcept { return k_; }
  /// Number of rows.
  [[nodiscard]] std::int64_t size() const noexcept { return static_cast<std::int64_t>(fold_.size()); }
  /// Fold of row `i`.
  [[nodiscard]] int fold_of(std::int64_t i) const noexcept { return fold_[static_cast<std::size_t>(i)]; }
  /// The rows of fold `f` (increasing).
  [[nodiscard]] std::vector<std::int64_t> test(int f) const { return rows(f, true); }
  /// The rows of every other fold (increasing).
  [[nodiscard]] std::vector<std::int64_t> train(int f) const { return rows(f, false); }

 private:
  [[nodiscard]] std::vector<std::int64_t> rows(int f, bool in) const {
    check_in_range("data::kfold", "fold", f, 0, k_ - 1);
    std::vector<std::int64_t> out;
    for (std::size_t i = 0; i < fold_.size(); ++i)
      if ((fold_[i] == f) == in) out.push_back(static_cast<std::int64_t>(i));
    return out;
  }
  int k_;
  std::vector<int> fold_;
};

/// Rows 0..n-1 split into the first n - n_last (`first`) and the last n_last (`second`), e.g. the
/// S0 closure hold-out of the last 10,000 control-region rows.
/// @throws hepad::invalid_argument unless 0 <= n_last <= n.
[[nodiscard]] inline std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> split_last(std::int64_t n,
                                                                                              std::int64_t n_last) {
  check_nonnegative("data::split_last", "n_last", n_last);
  if (n_last > n)
    throw_invalid_argument("data::split_last", hepad::detail::concat("n_last must be <= n = ", n, ", got ", n_last));
  std::vector<std::int64_t> a(static_cast<std::size_t>(n - n_last)), b(static_cast<std::size_t>(n_last));
  std::iota(a.begin(), a.end(), std::int64_t{0});
  std::iota(b.begin(), b.end(), n - n_last);
  return {std::move(a), std::move(b)};
}

}  // namespace hepad::data

#endif  // HEPAD_DATA_SPLIT_HPP
