// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/parameter.hpp
/// @brief `hepad::autodiff::parameter<S>`: a trainable matrix that lives outside any tape (in a
/// module), with a persistent gradient accumulator. Not here: how a tape uses it (tape.hpp).
#ifndef HEPAD_AUTODIFF_PARAMETER_HPP
#define HEPAD_AUTODIFF_PARAMETER_HPP

#include <hepad/core/eigen.hpp>

#include <string>
#include <utility>

namespace hepad::autodiff {

/// A trainable matrix and its gradient. Modules own parameters by value; `tape::parameter(p)`
/// exposes one to a tape without copying its value. After a backward pass,
/// `tape::accumulate_parameter_grads()` adds the tape's gradient into `grad`; optimizers read
/// `grad` and update `value`.
/// @tparam S scalar type (float or double).
template <class S>
struct parameter {
  matrix<S> value;   ///< current value
  matrix<S> grad;    ///< accumulated gradient (same shape as `value`)
  std::string name;  ///< name used in checkpoints and messages (e.g. "layers.0.weight")

  parameter() = default;
  /// A zero-initialised `rows x cols` parameter.
  parameter(std::string n, index_t rows, index_t cols)
      : value(matrix<S>::Zero(rows, cols)), grad(matrix<S>::Zero(rows, cols)), name(std::move(n)) {}
  parameter(const parameter&) = default;
  parameter& operator=(const parameter&) = default;
  parameter(parameter&&) noexcept = default;
  parameter& operator=(parameter&&) noexcept = default;

  [[nodiscard]] index_t rows() const noexcept { return value.rows(); }
  [[nodiscard]] index_t cols() const noexcept { return value.cols(); }
  [[nodiscard]] index_t size() const noexcept { return value.size(); }
  /// Sets the gradient to zero.
  void zero_grad() { grad.setZero(); }
};

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_PARAMETER_HPP
