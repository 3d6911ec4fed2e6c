// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/normalization.hpp
/// @brief Normalisation bijectors: `actnorm<S>` (Glow: per-feature scale and shift, initialised
/// from the first training batch so that it outputs zero mean and unit variance) and
/// `batch_norm<S>` (the MAF paper's batch-normalisation bijector, nflows' `BatchNorm`: batch
/// statistics while training, running averages in evaluation, with the log-det and its gradient
/// through the batch statistics). Not here: LU-linear maps (lu_linear.hpp).
#ifndef HEPAD_FLOWS_NORMALIZATION_HPP
#define HEPAD_FLOWS_NORMALIZATION_HPP

#include <hepad/autodiff/parameter.hpp>
#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts/bijector.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/flows/concepts.hpp>
#include <hepad/flows/detail/tape_support.hpp>
#include <hepad/flows/transformers.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

namespace hepad::flows {

/// ActNorm: u = x exp(s) + b per feature, log|det| = sum s. `initialize(x, c)` (called by the
/// flow trainers on the first training batch, once after each `reset_parameters`) sets
/// s = -log(std x), b = -mean(x) exp(s).
template <class S>
class actnorm {
 public:
  using scalar_type = S;

  actnorm() = default;
  explicit actnorm(index_t n_features, index_t n_context = 0) : C_(n_context) {
    check_positive("flows::actnorm", "n_features", n_features);
    params_.emplace_back("log_scale", 1, n_features);
    params_.emplace_back("shift", 1, n_features);
  }
  [[nodiscard]] std::int64_t n_features() const noexcept { return params_[0].cols(); }
  [[nodiscard]] std::int64_t n_context() const noexcept { return C_; }
  [[nodiscard]] bool initialized() const noexcept { return initialized_; }
  void reset_parameters(rng&) {
    for (auto& p : params_) {
      p.value.setZero();
      p.grad.setZero();
    }
    initialized_ = false;
  }
  [[nodiscard]] std::vector<autodiff::parameter<S>*> parameters() { return {&params_[0], &params_[1]}; }
  /// Data-dependent initialisation (no-op once initialised).
  void initialize(matrix_cref<S> x, matrix_cref<S>) {
    if (initialized_ || x.rows() < 2) return;
    const row_vector<S> mean = x.colwise().mean();
    const row_vector<S> sd = ((x.rowwise() - mean).array().square().colwise().sum() / S(x.rows() - 1)).sqrt();
    for (index_t j = 0; j < n_features(); ++j) {
      const S s = -std::log(sd(j) + S(1e-6));
      params_[0].value(0, j) = s;
      params_[1].value(0, j) = -mean(j) * std::exp(s);
    }
    initialized_ = true;
  }

  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x, matrix_cref<S> = matrix<S>()) const {
    const row_vector<S> e = params_[0].value.row(0).array().exp();
    matrix<S> u = (x.array().rowwise() * e.array()).rowwise() + params_[1].value.row(0).array();
    return {std::move(u), vector<S>::Constant(x.rows(), params_[0].value.sum())};
  }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u, matrix_cref<S> = matrix<S>()) const {
    const row_vector<S> e = (-params_[0].value.row(0).array()).exp();
    matrix<S> x = (u.rowwise() - params_[1].value.row(0)).array().rowwise() * e.array();
    return {std::move(x), vector<S>::Constant(u.rows(), -params_[0].value.sum())};
  }

  flow_nodes<S> forward(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S>, bool train) {
    const index_t n = x.rows(), D = n_features();
    const auto leaves = detail::param_leaves<S>::make(t, params_, train);
    const bool need = leaves.any() || x.requires_grad();
    autodiff::node<S> u = t.make(n, D, need), ld = t.make(n, 1, need);
    const transform_result<S> r = forward(x.value());
    u.mutable_value() = r.value;
    ld.mutable_value() = r.log_det;
    if (!need) return {u, ld};
    const actnorm* self = this;
    detail::on_backward_two(t, u, ld, [self, x, u, ld, n, D, leaves] {
      const auto gu = u.grad();
      const auto gl = ld.grad();
      const auto& s = self->params_[0].value;
      if (x.requires_grad()) {
        S* gx = detail::param_leaves<S>::writable(x);
        for (index_t i = 0; i < n; ++i)
          for (index_t j = 0; j < D; ++j) gx[i * D + j] += gu(i, j) * std::exp(s(0, j));
      }
      if (S* const* pg = leaves.targets()) {
        const auto xv = x.value();
        const S G = gl.sum();
        for (index_t j = 0; j < D; ++j) {
          S gs = G, gb = 0;
          for (index_t i = 0; i < n; ++i) {
            gs += gu(i, j) * xv(i, j) * std::exp(s(0, j));
            gb += gu(i, j);
          }
          pg[0][j] += gs;
          pg[1][j] += gb;
        }
      }
    });
    return {u, ld};
  }

 private:
  index_t C_ = 0;
  std::vector<autodiff::parameter<S>> params_;
  bool initialized_ = false;
};

/// Batch-normalisation bijector (nflows' BatchNorm): u = w (x - mu) / sqrt(v + eps) + b with
/// w = softplus(a) + eps; log|det| = sum log w - 1/2 log(v + eps). On a tape in training mode mu
/// and v are the batch mean and unbiased variance (gradients flow through them) and the running
/// averages are updated with `momentum`; otherwise (evaluation, tape-free calls) the running
/// averages are used. Running variances start at 1 (nflows: 0). Training with a batch split into
/// several parts (`trainer::chunks > 1`) would give each part its own statistics and update the
/// running averages concurrently: the flow trainers reject it.
template <class S>
class batch_norm {
 public:
  using scalar_type = S;

  batch_norm() = default;
  explicit batch_norm(index_t n_features, index_t n_context = 0, double momentum = 0.1, double eps = 1e-5)
      : C_(n_context), momentum_(momentum), eps_(eps) {
    check_positive("flows::batch_norm", "n_features", n_features);
    check_probability("flows::batch_norm", "momentum", momentum);
    check_positive("flows::batch_norm", "eps", eps);
    params_.emplace_back("unconstrained_weight", 1, n_features);
    params_.emplace_back("bias", 1, n_features);
    running_mean_ = matrix<S>::Zero(1, n_features);
    running_var_ = matrix<S>::Ones(1, n_features);
  }
  [[nodiscard]] std::int64_t n_features() const noexcept { return params_[0].cols(); }
  [[nodiscard]] std::int64_t n_context() const noexcept { return C_; }
  void reset_parameters(rng&) {
    params_[0].value.setConstant(static_cast<S>(std::log(std::expm1(1.0 - eps_))));  // w = 1
    params_[1].value.setZero();
    for (auto& p : params_) p.grad.setZero();
    running_mean_.setZero();
    running_var_.setOnes();
  }
  [[nodiscard]] std::vector<autodiff::parameter<S>*> parameters() { return {&params_[0], &params_[1]}; }
  /// Running statistics (saved with the module).
  [[nodiscard]] std::vector<matrix<S>*> buffers() { return {&running_mean_, &running_var_}; }

  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x, matrix_cref<S> = matrix<S>()) const {
    const row_vector<S> w = weight(), sd = (running_var_.row(0).array() + S(eps_)).sqrt();
    const row_vector<S> a = w.array() / sd.array();
    matrix<S> u = ((x.rowwise() - running_mean_.row(0)).array().rowwise() * a.array()).rowwise() +
                  params_[1].value.row(0).array();
    return {std::move(u), vector<S>::Constant(x.rows(), a.array().log().sum())};
  }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u, matrix_cref<S> = matrix<S>()) const {
    const row_vector<S> w = weight(), sd = (running_var_.row(0).array() + S(eps_)).sqrt();
    const row_vector<S> a = sd.array() / w.array();
    matrix<S> x = ((u.rowwise() - params_[1].value.row(0)).array().rowwise() * a.array()).rowwise() +
                  running_mean_.row(0).array();
    return {std::move(x), vector<S>::Constant(u.rows(), a.array().log().sum())};
  }

  flow_nodes<S> forward(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S>, bool train) {
    const index_t n = x.rows(), D = n_features();
    const bool batch_stats = t.training() && n > 1;
    const auto leaves = detail::param_leaves<S>::make(t, params_, train);
    const bool need = leaves.any() || x.requires_grad();
    autodiff::node<S> u = t.make(n, D, need), ld = t.make(n, 1, need);
    const auto xv = x.value();
    row_vector<S> mu = running_mean_.row(0), var = running_var_.row(0);
    if (batch_stats) {
      mu = xv.colwise().mean();
      var = (xv.rowwise() - mu).array().square().colwise().sum() / S(n - 1);
      if (train) {
        running_mean_.row(0) = (S(1) - S(momentum_)) * running_mean_.row(0) + S(momentum_) * mu;
        running_var_.row(0) = (S(1) - S(momentum_)) * running_var_.row(0) + S(momentum_) * var;
      }
    }
    // Saved for the reverse pass: xhat (n x D), sigma and w (D each).
    S* xhat = t.template allocate<S>(static_cast<std::size_t>(n * D));
    S* sig = t.template allocate<S>(static_cast<std::size_t>(2 * D));
    const row_vector<S> w = weight();
    S ldsum = 0;
    for (index_t j = 0; j < D; ++j) {
      sig[j] = std::sqrt(var(j) + S(eps_));
      sig[D + j] = w(j);
      ldsum += std::log(w(j)) - std::log(sig[j]);
    }
    S* uv = u.mutable_value().data();
    for (index_t i = 0; i < n; ++i)
      for (index_t j = 0; j < D; ++j) {
        xhat[i * D + j] = (xv(i, j) - mu(j)) / sig[j];
        uv[i * D + j] = w(j) * xhat[i * D + j] + params_[1].value(0, j);
      }
    ld.mutable_value().setConstant(ldsum);
    if (!need) return {u, ld};
    const batch_norm* self = this;
    detail::on_backward_two(t, u, ld, [self, x, u, ld, n, D, xhat, sig, batch_stats, leaves] {
      const auto gu = u.grad();
      const auto gl = ld.grad();
      const S G = gl.sum();
      if (S* const* pg = leaves.targets()) {
        for (index_t j = 0; j < D; ++j) {
          S gw = G / sig[D + j], gb = 0;
          for (index_t i = 0; i < n; ++i) {
            gw += gu(i, j) * xhat[i * D + j];
            gb += gu(i, j);
          }
          pg[0][j] += gw * detail::sigmoid_(self->params_[0].value(0, j));
          pg[1][j] += gb;
        }
      }
      if (!x.requires_grad()) return;
      S* gx = detail::param_leaves<S>::writable(x);
      for (index_t j = 0; j < D; ++j) {
        const S w = sig[D + j], s = sig[j];
        if (!batch_stats) {
          for (index_t i = 0; i < n; ++i) gx[i * D + j] += gu(i, j) * w / s;
          continue;
        }
        // gxhat = gu w; gx = (gxhat - mean(gxhat) - xhat sum(gxhat xhat) / (n - 1)) / s
        //         - G xhat / (s (n - 1))   (the log-det's dependence on the batch variance).
        S mg = 0, mgx = 0;
        for (index_t i = 0; i < n; ++i) {
          mg += gu(i, j) * w;
          mgx += gu(i, j) * w * xhat[i * D + j];
        }
        mg /= S(n);
        const S nm1 = S(n - 1);
        for (index_t i = 0; i < n; ++i) {
          const S xh = xhat[i * D + j];
          gx[i * D + j] += (gu(i, j) * w - mg - xh * mgx / nm1) / s - G * xh / (s * nm1);
        }
      }
    });
    return {u, ld};
  }

 private:
  row_vector<S> weight() const {
    row_vector<S> w(n_features());
    for (index_t j = 0; j < n_features(); ++j) w(j) = detail::softplus_(params_[0].value(0, j)) + S(eps_);
    return w;
  }

  index_t C_ = 0;
  double momentum_ = 0.1, eps_ = 1e-5;
  std::vector<autodiff::parameter<S>> params_;
  matrix<S> running_mean_, running_var_;
};

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_NORMALIZATION_HPP
