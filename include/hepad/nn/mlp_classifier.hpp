// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/mlp_classifier.hpp
/// @brief `nn::mlp_classifier<Optimizer, S>`: a binary MLP classifier trained with (weighted,
/// possibly negatively weighted) BCE, early stopping with restore of the best-validation weights,
/// configurable hidden layers and a seed (the generator passed to `fit`). Models
/// `hepad::classifier`, `weighted_classifier` and `probabilistic_classifier`; `predict_logit`
/// gives log p/(1-p), so likelihood ratios exp(logit) are computed without overflow.
#ifndef HEPAD_NN_MLP_CLASSIFIER_HPP
#define HEPAD_NN_MLP_CLASSIFIER_HPP

#include <hepad/autodiff/activation.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts/dataset.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/nn/losses/bce.hpp>
#include <hepad/nn/mlp.hpp>
#include <hepad/nn/optim/adam.hpp>
#include <hepad/nn/trainer.hpp>

#include <cmath>
#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::nn {

/// Binary MLP classifier (configuration + fitted network).
/// @tparam Optimizer optimizer config (default Adam, lr 1e-3).
/// @tparam S float (default) or double.
template <class Optimizer = adam, class S = float>
struct mlp_classifier {
  using scalar_type = S;

  // --- configuration ---
  std::vector<index_t> hidden{64, 64, 64};        ///< hidden layer widths
  autodiff::activation activation = autodiff::activation::relu;
  double dropout = 0.0;
  initializer init = initializer::torch_default;
  /// Training settings (early stopping on the weighted validation BCE, patience 5, best restore).
  trainer<Optimizer> training{.epochs = 50, .batch_size = 256, .validation_fraction = 0.33, .patience = 5,
                              .min_delta = 1e-5, .progress = false};

  // --- fitted state ---
  std::optional<mlp<S>> network{};  ///< set by fit
  history last_history{};           ///< of the last fit

  static constexpr std::string_view name = "mlp_classifier";
  static constexpr auto fields() {
    return std::tuple{config::field{"hidden", &mlp_classifier::hidden},
                      config::field{"activation", &mlp_classifier::activation},
                      config::field{"dropout", &mlp_classifier::dropout},
                      config::field{"init", &mlp_classifier::init},
                      config::field{"training", &mlp_classifier::training}};
  }

  /// Trains a fresh network on (x, y), labels 0/1. @throws invalid_argument for bad shapes/labels.
  history fit(matrix_cref<S> x, label_cref y, rng& r) { return fit_impl(x, y, nullptr, r); }
  /// Trains with per-event weights (any sign).
  history fit(matrix_cref<S> x, label_cref y, vector_cref<S> w, rng& r) { return fit_impl(x, y, &w, r); }

  /// log p / (1 - p) per event. @throws invalid_argument if not fitted or on a column mismatch.
  [[nodiscard]] vector<S> predict_logit(matrix_cref<S> x) const {
    check_fitted("nn::mlp_classifier::predict_logit");
    const matrix<S> z = network->predict(x);
    return z.col(0);
  }
  /// P(y = 1 | x) per event.
  [[nodiscard]] vector<S> predict_proba(matrix_cref<S> x) const {
    vector<S> z = predict_logit(x);
    for (index_t i = 0; i < z.size(); ++i) z(i) = autodiff::activation_fn<S>::sigmoid(z(i));
    return z;
  }
  /// The classifier score: the probability (monotone in the logit).
  [[nodiscard]] vector<S> predict_score(matrix_cref<S> x) const { return predict_proba(x); }
  [[nodiscard]] bool fitted() const noexcept { return network.has_value(); }

 private:
  void check_fitted(std::string_view fn) const {
    if (!network) throw_invalid_argument(fn, "the classifier is not fitted (call fit first)");
  }
  history fit_impl(matrix_cref<S> x, label_cref y, const vector_cref<S>* w, rng& r) {
    constexpr std::string_view fn = "nn::mlp_classifier::fit";
    check_not_empty(fn, "x", static_cast<std::size_t>(x.rows()));
    check_size(fn, "y", static_cast<std::size_t>(y.size()), static_cast<std::size_t>(x.rows()));
    if (w) check_size(fn, "w", static_cast<std::size_t>(w->size()), static_cast<std::size_t>(x.rows()));
    matrix<S> xs = x;
    matrix<S> ys(x.rows(), 1);
    for (index_t i = 0; i < y.size(); ++i) {
      if (y(i) != 0 && y(i) != 1)
        throw_invalid_argument(fn, hepad::detail::concat("labels must be 0 or 1, got ", y(i), " at row ", i));
      ys(i, 0) = static_cast<S>(y(i));
    }
    vector<S> ws;
    if (w) {
      ws = *w;
      check_all_finite(fn, "w", ws);
    }
    std::vector<index_t> sizes;
    sizes.push_back(x.cols());
    for (auto h : hidden) sizes.push_back(h);
    sizes.push_back(1);
    rng init = r.split(0x1417);
    network.emplace(sizes, init, mlp_options{.hidden = activation, .init = init_scheme(), .dropout = dropout});
    last_history = training.fit(*network, bce_loss{}, make_data(xs, ys, ws), r);
    return last_history;
  }
  initializer init_scheme() const noexcept { return init; }
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_MLP_CLASSIFIER_HPP
