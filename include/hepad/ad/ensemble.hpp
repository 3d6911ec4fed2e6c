// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/ensemble.hpp
/// @brief `ad::ensemble_config` and `ad::classifier_ensemble<S>`: N independently seeded MLP
/// classifiers on weighted two-class data with averaged scores (S0 §6.2, §7.1). Each member draws
/// its own validation split (or, as an option, all members share one: the original's
/// random_state 42), balances the classes on its training part, and is trained with weighted BCE
/// and early stopping with best-state restore. With `folds = k >= 2` the events are dealt into k
/// folds and member m trains without fold m mod k, which gives out-of-fold scores for every
/// training event (needed to count events after a cut without the classifier having seen them).
/// Members train in parallel, one thread each; results do not depend on the thread count.
#ifndef HEPAD_AD_ENSEMBLE_HPP
#define HEPAD_AD_ENSEMBLE_HPP

#include <hepad/ad/class_balance.hpp>
#include <hepad/ad/classifier.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts/dataset.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::ad {

/// Settings of an ensemble of classifiers.
struct ensemble_config {
  classifier_config classifier = presets::s0_cwola();
  std::int64_t n_models = 20;              ///< members; scores are averaged
  std::int64_t folds = 0;                  ///< 0: every member sees all events; k >= 2: k-fold cross-prediction
  bool shared_validation_split = false;    ///< all members of a fold use one split (the original's behaviour)
  bool balance = true;                     ///< balance the class totals on each member's training part
  int threads = 0;                         ///< members trained in parallel (0: HEPAD_THREADS)

  static constexpr std::string_view name = "ensemble";
  static constexpr auto fields() {
    return std::tuple{config::field{"classifier", &ensemble_config::classifier},
                      config::field{"n_models", &ensemble_config::n_models},
                      config::field{"folds", &ensemble_config::folds},
                      config::field{"shared_validation_split", &ensemble_config::shared_validation_split},
                      config::field{"balance", &ensemble_config::balance},
                      config::field{"threads", &ensemble_config::threads}};
  }
  void validate(std::string_view fn) const {
    classifier.validate(fn);
    check_positive(fn, "ensemble.n_models", n_models);
    check_nonnegative(fn, "ensemble.folds", folds);
    if (folds == 1) throw_invalid_argument(fn, "ensemble.folds must be 0 (no folds) or >= 2, got 1");
    if (folds >= 2 && n_models < folds)
      throw_invalid_argument(fn, hepad::detail::concat("ensemble.n_models (", n_models, ") must be >= folds (", folds,
                                                       ") so that every fold gets a member"));
    check_nonnegative(fn, "ensemble.threads", threads);
  }
};

/// A trained ensemble.
template <class S = float>
class classifier_ensemble {
 public:
  using scalar_type = S;

  explicit classifier_ensemble(ensemble_config cfg = {}) : cfg_(std::move(cfg)) {}

  /// Trains the members on (x, y, w): member m uses generator `r.split(1).split(m)`; the folds
  /// come from `r.split(2)` and shared validation splits from `r.split(3)`.
  /// @throws invalid_argument for bad settings or inputs (see `mlp_classifier::fit`).
  void fit(matrix_cref<S> x, label_cref y, vector_cref<S> w, rng& r) {
    constexpr std::string_view fn = "ad::classifier_ensemble::fit";
    cfg_.validate(fn);
    const index_t n = x.rows();
    check_size(fn, "labels", static_cast<std::size_t>(y.size()), static_cast<std::size_t>(n));
    check_size(fn, "weights", static_cast<std::size_t>(w.size()), static_cast<std::size_t>(n));
    const std::int64_t k = cfg_.folds;
    fold_.assign(static_cast<std::size_t>(n), -1);
    if (k >= 2) {
      rng rf = r.split(2);
      const auto perm = rf.permutation(n);
      for (index_t i = 0; i < n; ++i) fold_[static_cast<std::size_t>(perm[static_cast<std::size_t>(i)])] = static_cast<int>(i % k);
    }
    models_.assign(static_cast<std::size_t>(cfg_.n_models), mlp_classifier<S>(cfg_.classifier));
    balance_.assign(static_cast<std::size_t>(cfg_.n_models), balance_factors{});
    const int threads = cfg_.threads > 0 ? cfg_.threads : default_threads();
    thread_pool pool((std::max)(1, (std::min)(threads, static_cast<int>(cfg_.n_models))));
    pool.run(cfg_.n_models, [&](std::int64_t m) { fit_member(m, x, y, w, r); });
  }

  /// Average of the members' P(y = 1 | x).
  [[nodiscard]] vector<S> predict_score(matrix_cref<S> x) const {
    require_fitted("predict_score");
    vector<double> acc = vector<double>::Zero(x.rows());
    for (const auto& m : models_) acc += m.predict_proba(x).template cast<double>();
    return (acc / static_cast<double>(models_.size())).template cast<S>();
  }
  /// Average of the members' P(y = 1 | x) over the members of fold group `g` (those that did
  /// not train on fold g). @throws invalid_argument without folds.
  [[nodiscard]] vector<S> predict_score_fold(matrix_cref<S> x, int g) const {
    require_fitted("predict_score_fold");
    if (cfg_.folds < 2) throw_invalid_argument("ad::classifier_ensemble::predict_score_fold", "the ensemble has no folds");
    vector<double> acc = vector<double>::Zero(x.rows());
    int cnt = 0;
    for (std::size_t m = 0; m < models_.size(); ++m)
      if (static_cast<std::int64_t>(m) % cfg_.folds == g) {
        acc += models_[m].predict_proba(x).template cast<double>();
        ++cnt;
      }
    return (acc / static_cast<double>(cnt)).template cast<S>();
  }
  /// Out-of-fold scores of the training events `x` (the rows given to `fit`, in order): each
  /// event is scored by the members that did not train on its fold.
  [[nodiscard]] vector<S> out_of_fold_score(matrix_cref<S> x) const {
    require_fitted("out_of_fold_score");
    check_size("ad::classifier_ensemble::out_of_fold_score", "rows", static_cast<std::size_t>(x.rows()), fold_.size());
    if (cfg_.folds < 2) throw_invalid_argument("ad::classifier_ensemble::out_of_fold_score", "the ensemble has no folds");
    vector<S> out(x.rows());
    for (int g = 0; g < static_cast<int>(cfg_.folds); ++g) {
      std::vector<index_t> rows;
      for (index_t i = 0; i < x.rows(); ++i)
        if (fold_[static_cast<std::size_t>(i)] == g) rows.push_back(i);
      matrix<S> xs(static_cast<index_t>(rows.size()), x.cols());
      for (std::size_t j = 0; j < rows.size(); ++j) xs.row(static_cast<index_t>(j)) = x.row(rows[j]);
      const vector<S> s = predict_score_fold(xs, g);
      for (std::size_t j = 0; j < rows.size(); ++j) out(rows[j]) = s(static_cast<index_t>(j));
    }
    return out;
  }

  /// Fold of training event i (-1 without folds).
  [[nodiscard]] int fold_of(index_t i) const { return fold_.at(static_cast<std::size_t>(i)); }
  [[nodiscard]] const std::vector<int>& folds() const noexcept { return fold_; }
  [[nodiscard]] const std::vector<mlp_classifier<S>>& models() const noexcept { return models_; }
  [[nodiscard]] const std::vector<balance_factors>& balance() const noexcept { return balance_; }
  [[nodiscard]] const ensemble_config& config() const noexcept { return cfg_; }
  [[nodiscard]] bool fitted() const noexcept { return !models_.empty(); }
  /// Mean best epoch over the members (diagnostic).
  [[nodiscard]] double mean_best_epoch() const {
    double s = 0;
    for (const auto& m : models_) s += static_cast<double>(m.history().best_epoch);
    return models_.empty() ? 0.0 : s / static_cast<double>(models_.size());
  }

 private:
  void require_fitted(std::string_view what) const {
    if (models_.empty())
      throw_invalid_argument(hepad::detail::concat("ad::classifier_ensemble::", what), "the ensemble is not fitted");
  }

  void fit_member(std::int64_t m, matrix_cref<S> x, label_cref y, vector_cref<S> w, const rng& r) {
    const std::int64_t k = cfg_.folds;
    const int g = k >= 2 ? static_cast<int>(m % k) : -1;
    std::vector<std::int64_t> rows;
    rows.reserve(static_cast<std::size_t>(x.rows()));
    for (index_t i = 0; i < x.rows(); ++i)
      if (fold_[static_cast<std::size_t>(i)] != g || g < 0) rows.push_back(i);
    // validation split: per member, or shared by the members of a fold group
    rng rm = r.split(1).split(static_cast<std::uint64_t>(m));
    rng rs = cfg_.shared_validation_split ? r.split(3).split(static_cast<std::uint64_t>(g + 1)) : rm.split(7);
    const auto n = static_cast<std::int64_t>(rows.size());
    const auto n_val = static_cast<std::int64_t>(std::llround(cfg_.classifier.validation_fraction * static_cast<double>(n)));
    std::vector<std::int64_t> tr, va;
    if (n_val >= 1 && n_val < n) {
      const auto perm = rs.permutation(n);
      for (std::int64_t j = 0; j < n; ++j)
        (j < n_val ? va : tr).push_back(rows[static_cast<std::size_t>(perm[static_cast<std::size_t>(j)])]);
      std::sort(tr.begin(), tr.end());
      std::sort(va.begin(), va.end());
    } else {
      tr = rows;
    }
    vector<S> wb = w;
    if (cfg_.balance) {
      const balance_factors f = class_balance<S>(y, w, std::span<const std::int64_t>(tr));
      apply_balance<S>(y, wb, f);
      balance_[static_cast<std::size_t>(m)] = f;
    }
    rng rt = rm.split(1);
    models_[static_cast<std::size_t>(m)].fit_rows(x, y, wb, tr, va, rt);
  }

  ensemble_config cfg_;
  std::vector<mlp_classifier<S>> models_;
  std::vector<balance_factors> balance_;
  std::vector<int> fold_;
};

}  // namespace hepad::ad

#endif  // HEPAD_AD_ENSEMBLE_HPP
