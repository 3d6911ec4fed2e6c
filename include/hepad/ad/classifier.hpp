// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/classifier.hpp
/// @brief `ad::classifier_config` (the MLP classifiers of the background-extrapolation study:
/// widths, Adam, batch size, early stopping) and `ad::mlp_classifier<S>`, a binary MLP classifier
/// built from `nn::mlp`, `nn::trainer` and `nn::bce_loss`: weighted binary cross entropy (negative
/// weights allowed), seeded initialisation and data order, early stopping with restore of the
/// best-validation parameters, and a tape-free `predict_logit`. Models
/// `probabilistic_classifier` and `weighted_classifier`.
///
/// Not here: ensembles and CWoLa (ad/cwola.hpp), likelihood-ratio weights (ad/lr_weights.hpp).
#ifndef HEPAD_AD_CLASSIFIER_HPP
#define HEPAD_AD_CLASSIFIER_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts/dataset.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/random.hpp>
#include <hepad/nn/batch.hpp>
#include <hepad/nn/losses/bce.hpp>
#include <hepad/nn/mlp.hpp>
#include <hepad/nn/optim/adam.hpp>
#include <hepad/nn/trainer.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::ad {

/// Architecture and training of an MLP binary classifier (ReLU hidden layers, one logit output,
/// Adam without weight decay, weighted BCE, early stopping on the weighted validation BCE).
///
/// Defaults are the S0 CWoLa / closure / fully supervised classifier (spec §8): [64, 64, 64],
/// lr 1e-3, batch 256, at most 50 epochs, patience 5, min_delta 1e-5, 33 % validation.
struct classifier_config {
  std::vector<std::int64_t> hidden{64, 64, 64};  ///< hidden widths
  double learning_rate = 1e-3;                   ///< Adam learning rate
  std::int64_t batch_size = 256;
  std::int64_t epochs = 50;                      ///< maximum number of epochs
  std::int64_t patience = 5;                     ///< early stopping (0: off)
  double min_delta = 1e-5;                       ///< improvement needed to reset the patience
  double validation_fraction = 0.33;             ///< held out for early stopping when `fit` splits
  bool restore_best = true;                      ///< put back the best-validation parameters (S0 §11.4)
  std::int64_t chunks = 1;                       ///< fixed parts per batch (deterministic data parallelism)
  int threads = 1;                               ///< threads of one training (0: HEPAD_THREADS)

  static constexpr std::string_view name = "classifier";
  static constexpr auto fields() {
    return std::tuple{config::field{"hidden", &classifier_config::hidden},
                      config::field{"learning_rate", &classifier_config::learning_rate},
                      config::field{"batch_size", &classifier_config::batch_size},
                      config::field{"epochs", &classifier_config::epochs},
                      config::field{"patience", &classifier_config::patience},
                      config::field{"min_delta", &classifier_config::min_delta},
                      config::field{"validation_fraction", &classifier_config::validation_fraction},
                      config::field{"restore_best", &classifier_config::restore_best},
                      config::field{"chunks", &classifier_config::chunks},
                      config::field{"threads", &classifier_config::threads}};
  }

  /// @throws invalid_argument naming `fn` and the field.
  void validate(std::string_view fn) const {
    for (std::size_t k = 0; k < hidden.size(); ++k)
      check_positive(fn, hepad::detail::concat("classifier.hidden[", k, "]"), hidden[k]);
    check_positive(fn, "classifier.learning_rate", learning_rate);
    check_positive(fn, "classifier.batch_size", batch_size);
    check_positive(fn, "classifier.epochs", epochs);
    check_nonnegative(fn, "classifier.patience", patience);
    check_nonnegative(fn, "classifier.min_delta", min_delta);
    check_in_range(fn, "classifier.validation_fraction", validation_fraction, 0.0, 0.9);
    check_positive(fn, "classifier.chunks", chunks);
    check_nonnegative(fn, "classifier.threads", threads);
  }
};

/// Ready-made classifier configurations of the S0 study (spec §8).
namespace presets {
/// Reweight and context-weight classifiers: [100, 100, 100], lr 1e-3, batch 512, <= 50 epochs,
/// patience 5, min_delta 1e-5, 33 % validation.
inline classifier_config s0_reweight() {
  classifier_config c;
  c.hidden = {100, 100, 100};
  c.batch_size = 512;
  return c;
}
/// CWoLa, closure and fully supervised classifiers: [64, 64, 64], batch 256.
inline classifier_config s0_cwola() { return classifier_config{}; }
}  // namespace presets

/// Per-event training arrays of a binary classification (views; must outlive the call).
template <class S>
struct labeled_rows {
  matrix_cref<S> x;
  label_cref y;
  vector_cref<S> w;
};

/// A binary MLP classifier trained with weighted BCE (see `classifier_config`).
///
/// Randomness: the network is initialised from `r.split(0)` and trained with `r.split(1)` (data
/// order, validation split); the same generator gives the same classifier for any thread count.
/// @tparam S float (default) or double.
template <class S = float>
class mlp_classifier {
 public:
  using scalar_type = S;

  explicit mlp_classifier(classifier_config cfg = {}) : cfg_(std::move(cfg)) {}

  /// Trains on (x, y, w), holding out `validation_fraction` (a seeded split from `r`) for early
  /// stopping. Labels must be 0 or 1; weights may be negative.
  /// @throws invalid_argument on shape mismatches, bad labels or non-finite inputs;
  /// numerical_error if the training loss becomes non-finite.
  nn::history fit(matrix_cref<S> x, label_cref y, vector_cref<S> w, rng& r) {
    constexpr std::string_view fn = "ad::mlp_classifier::fit";
    check_rows(fn, x, y, w);
    const index_t n = x.rows();
    if (cfg_.validation_fraction <= 0) return run(pack_all(x, y, w), nullptr, r);
    const auto n_val = static_cast<index_t>(std::llround(cfg_.validation_fraction * static_cast<double>(n)));
    if (n_val < 1 || n_val >= n)
      throw_invalid_argument(fn, hepad::detail::concat("validation_fraction ", cfg_.validation_fraction, " of ", n,
                                                       " events leaves an empty training or validation set"));
    rng rs = r.split(0x5e11);
    std::vector<std::int64_t> perm = rs.permutation(n);
    std::vector<std::int64_t> val(perm.begin(), perm.begin() + n_val), tr(perm.begin() + n_val, perm.end());
    std::sort(val.begin(), val.end());
    std::sort(tr.begin(), tr.end());
    return fit_rows(x, y, w, tr, val, r);
  }
  /// Unweighted training.
  nn::history fit(matrix_cref<S> x, label_cref y, rng& r) {
    const vector<S> w = vector<S>::Ones(x.rows());
    return fit(x, y, w, r);
  }
  /// Trains on the rows `train` and validates (early stopping) on the rows `validation` of
  /// (x, y, w); an empty `validation` trains for `epochs` epochs without early stopping.
  nn::history fit_rows(matrix_cref<S> x, label_cref y, vector_cref<S> w, const std::vector<std::int64_t>& train,
                       const std::vector<std::int64_t>& validation, rng& r) {
    constexpr std::string_view fn = "ad::mlp_classifier::fit_rows";
    check_rows(fn, x, y, w);
    check_not_empty(fn, "train rows", train.size());
    const packed tr = pack(fn, x, y, w, train);
    if (validation.empty()) return run(tr, nullptr, r);
    const packed va = pack(fn, x, y, w, validation);
    return run(tr, &va, r);
  }

  /// The logit of P(y = 1 | x) per event (tape-free inference).
  /// @throws invalid_argument if not fitted or the width differs.
  [[nodiscard]] vector<S> predict_logit(matrix_cref<S> x) const {
    if (!fitted_) throw_invalid_argument("ad::mlp_classifier::predict_logit", "the classifier is not fitted");
    const matrix<S> z = net_.predict(x);
    return z.col(0);
  }
  /// P(y = 1 | x) = sigmoid(logit).
  [[nodiscard]] vector<S> predict_proba(matrix_cref<S> x) const {
    vector<S> z = predict_logit(x);
    for (index_t i = 0; i < z.size(); ++i) z(i) = sigmoid(z(i));
    return z;
  }
  /// The score (= `predict_proba`).
  [[nodiscard]] vector<S> predict_score(matrix_cref<S> x) const { return predict_proba(x); }

  [[nodiscard]] bool fitted() const noexcept { return fitted_; }
  [[nodiscard]] const nn::history& history() const noexcept { return history_; }
  [[nodiscard]] const classifier_config& config() const noexcept { return cfg_; }
  [[nodiscard]] const nn::mlp<S>& network() const noexcept { return net_; }

  /// Numerically stable logistic function.
  static S sigmoid(S z) noexcept {
    if (z >= S(0)) return S(1) / (S(1) + std::exp(-z));
    const S e = std::exp(z);
    return e / (S(1) + e);
  }

 private:
  struct packed {
    matrix<S> x, y;
    vector<S> w;
  };

  static void check_rows(std::string_view fn, matrix_cref<S> x, label_cref y, vector_cref<S> w) {
    check_not_empty(fn, "x (rows)", static_cast<std::size_t>(x.rows()));
    check_not_empty(fn, "x (columns)", static_cast<std::size_t>(x.cols()));
    check_size(fn, "labels", static_cast<std::size_t>(y.size()), static_cast<std::size_t>(x.rows()));
    check_size(fn, "weights", static_cast<std::size_t>(w.size()), static_cast<std::size_t>(x.rows()));
    check_all_finite(fn, "x", x);
    check_all_finite(fn, "weights", w);
    for (index_t i = 0; i < y.size(); ++i)
      if (y(i) != 0 && y(i) != 1)
        throw_invalid_argument(fn, hepad::detail::concat("labels must be 0 or 1, got ", y(i), " at row ", i));
  }

  static packed pack(std::string_view fn, matrix_cref<S> x, label_cref y, vector_cref<S> w,
                     const std::vector<std::int64_t>& rows) {
    packed p;
    const auto n = static_cast<index_t>(rows.size());
    p.x.resize(n, x.cols());
    p.y.resize(n, 1);
    p.w.resize(n);
    for (index_t i = 0; i < n; ++i) {
      const std::int64_t r = rows[static_cast<std::size_t>(i)];
      if (r < 0 || r >= x.rows())
        hepad::detail::raise<out_of_range>(hepad::detail::concat(fn, ": row ", r, " out of range [0, ", x.rows(), ")"));
      p.x.row(i) = x.row(r);
      p.y(i, 0) = static_cast<S>(y(r));
      p.w(i) = w(r);
    }
    return p;
  }

  static packed pack_all(matrix_cref<S> x, label_cref y, vector_cref<S> w) {
    packed p;
    p.x = x;
    p.y.resize(x.rows(), 1);
    for (index_t i = 0; i < x.rows(); ++i) p.y(i, 0) = static_cast<S>(y(i));
    p.w = w;
    return p;
  }

  nn::history run(const packed& tr, const packed* va, rng& r) {
    cfg_.validate("ad::mlp_classifier::fit");
    std::vector<index_t> sizes;
    sizes.push_back(tr.x.cols());
    for (const auto h : cfg_.hidden) sizes.push_back(static_cast<index_t>(h));
    sizes.push_back(1);
    rng ri = r.split(0);
    net_ = nn::mlp<S>(sizes, ri);
    nn::trainer<nn::adam> t;
    t.epochs = cfg_.epochs;
    t.batch_size = static_cast<index_t>(cfg_.batch_size);
    t.validation_fraction = 0.0;
    t.patience = va ? cfg_.patience : 0;
    t.min_delta = cfg_.min_delta;
    t.restore_best = cfg_.restore_best;
    t.chunks = cfg_.chunks;
    t.threads = cfg_.threads;
    t.progress = false;
    t.optimizer.learning_rate = cfg_.learning_rate;
    rng rt = r.split(1);
    const auto train = nn::make_data(tr.x, tr.y, tr.w);
    if (va) {
      const auto val = nn::make_data(va->x, va->y, va->w);
      history_ = t.fit(net_, nn::bce_loss{}, train, val, rt);
    } else {
      history_ = t.fit(net_, nn::bce_loss{}, train, rt);
    }
    fitted_ = true;
    return history_;
  }

  classifier_config cfg_;
  nn::mlp<S> net_{};
  nn::history history_{};
  bool fitted_ = false;
};

}  // namespace hepad::ad

#endif  // HEPAD_AD_CLASSIFIER_HPP
