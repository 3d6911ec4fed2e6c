// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/batch_norm.hpp
/// @brief `nn::batch_norm<S>`: per-feature normalisation with batch statistics in training mode
/// and running statistics in evaluation mode (torch.nn.BatchNorm1d: momentum 0.1, running
/// variance unbiased, eps 1e-5). The running statistics are buffers (saved with the module) and
/// are updated at `tape::commit()` (the trainer commits every chunk tape in chunk order after each
/// step), never from inside a parallel forward. With `trainer::chunks > 1` each chunk is
/// normalised with its own statistics ("ghost" batch norm); use `chunks = 1` for whole batches.
#ifndef HEPAD_NN_BATCH_NORM_HPP
#define HEPAD_NN_BATCH_NORM_HPP

#include <hepad/autodiff/ops/normalization.hpp>
#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hepad::nn {

/// Batch normalisation of `dim` features.
template <class S = float>
class batch_norm {
 public:
  using scalar_type = S;
  batch_norm() = default;
  explicit batch_norm(index_t dim, double momentum = 0.1, double eps = 1e-5)
      : gamma_("gamma", 1, dim), beta_("beta", 1, dim), mean_(matrix<S>::Zero(1, dim)),
        var_(matrix<S>::Ones(1, dim)), momentum_(momentum), eps_(eps) {
    check_positive("nn::batch_norm", "dim", dim);
    check_in_range("nn::batch_norm", "momentum", momentum, 0.0, 1.0);
    check_positive("nn::batch_norm", "eps", eps);
    gamma_.value.setOnes();
  }
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x) {
    const index_t C = gamma_.cols();
    if (x.cols() != C)
      throw_invalid_argument("nn::batch_norm::forward",
                             hepad::detail::concat("input must have ", C, " columns, got ", x.cols()));
    if (!t.training())
      return autodiff::batch_norm(x, t.parameter(gamma_), t.parameter(beta_), t.view(mean_.data(), 1, C),
                                  t.view(var_.data(), 1, C), static_cast<S>(eps_));
    if (x.rows() < 2)
      throw_invalid_argument("nn::batch_norm::forward", "training mode needs at least 2 rows per batch (chunk)");
    auto [m, v] = autodiff::batch_statistics(x);
    // Running statistics: updated at commit, from values copied now.
    S* stats = t.template allocate<S>(static_cast<std::size_t>(2 * C));
    const S unbias = static_cast<S>(x.rows()) / static_cast<S>(x.rows() - 1);
    for (index_t j = 0; j < C; ++j) {
      stats[j] = m.value()(0, j);
      stats[C + j] = v.value()(0, j) * unbias;
    }
    S* rm = mean_.data();
    S* rv = var_.data();
    const S mom = static_cast<S>(momentum_);
    t.on_commit([stats, rm, rv, mom, C] {
      for (index_t j = 0; j < C; ++j) {
        rm[j] = (S(1) - mom) * rm[j] + mom * stats[j];
        rv[j] = (S(1) - mom) * rv[j] + mom * stats[C + j];
      }
    });
    return autodiff::batch_norm(x, t.parameter(gamma_), t.parameter(beta_), m, v, static_cast<S>(eps_));
  }
  std::vector<autodiff::parameter<S>*> parameters() { return {&gamma_, &beta_}; }
  /// Running mean and variance.
  std::vector<matrix<S>*> buffers() { return {&mean_, &var_}; }
  [[nodiscard]] std::string architecture() const { return hepad::detail::concat("batch_norm(", gamma_.cols(), ")"); }
  void set_name_prefix(std::string_view p) {
    gamma_.name = hepad::detail::concat(p, "gamma");
    beta_.name = hepad::detail::concat(p, "beta");
  }
  [[nodiscard]] const matrix<S>& running_mean() const noexcept { return mean_; }
  [[nodiscard]] const matrix<S>& running_var() const noexcept { return var_; }

 private:
  autodiff::parameter<S> gamma_, beta_;
  matrix<S> mean_, var_;
  double momentum_ = 0.1, eps_ = 1e-5;
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_BATCH_NORM_HPP
