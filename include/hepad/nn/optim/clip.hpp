// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/optim/clip.hpp
/// @brief `clip_grad_norm`: rescales all gradients together so that their global L2 norm is at
/// most `max_norm` (torch.nn.utils.clip_grad_norm_). The norm is accumulated in double in
/// parameter order, so it does not depend on threads.
#ifndef HEPAD_NN_OPTIM_CLIP_HPP
#define HEPAD_NN_OPTIM_CLIP_HPP

#include <hepad/autodiff/parameter.hpp>
#include <hepad/core/check.hpp>

#include <cmath>
#include <span>

namespace hepad::nn {

/// Scales every `p->grad` by min(1, max_norm / (norm + 1e-6)); returns the norm before clipping.
/// @throws invalid_argument if max_norm is not positive.
template <class S>
inline double clip_grad_norm(std::span<autodiff::parameter<S>* const> params, double max_norm) {
  check_positive("nn::clip_grad_norm", "max_norm", max_norm);
  double sq = 0;
  for (const auto* p : params)
    for (index_t k = 0; k < p->grad.size(); ++k) {
      const double g = static_cast<double>(p->grad.data()[k]);
      sq += g * g;
    }
  const double norm = std::sqrt(sq);
  const double coef = max_norm / (norm + 1e-6);
  if (coef < 1.0)
    for (auto* p : params) p->grad *= static_cast<S>(coef);
  return norm;
}

}  // namespace hepad::nn

#endif  // HEPAD_NN_OPTIM_CLIP_HPP
