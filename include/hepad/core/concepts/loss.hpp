// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/loss.hpp
/// @brief The `loss` and `training_objective` concepts of neural-network training. See
/// docs/concepts/loss.md. A *loss* scores a model's output against a mini-batch (targets,
/// weights); a *training objective* computes the whole scalar training loss from the model and the batch
/// (maximum likelihood, contrastive, VAE losses). Both return the MEAN over the batch's events, so
/// a trainer can split a batch into chunks and weight each chunk by its share of events.
#ifndef HEPAD_CORE_CONCEPTS_LOSS_HPP
#define HEPAD_CORE_CONCEPTS_LOSS_HPP

#include <hepad/core/concepts/module.hpp>

#include <concepts>

namespace hepad {
namespace nn {
template <class S>
struct batch;
}  // namespace nn

/// `L(prediction, batch)` returns a 1 x 1 node: the (weighted) mean loss of the batch.
template <class L, class S>
concept loss = requires(const L& l, autodiff::node<S> prediction, const nn::batch<S>& b) {
  { l(prediction, b) } -> std::same_as<autodiff::node<S>>;
};

/// `O(tape, model, batch)` records the scalar training objective of `model` on `batch`. (Not to be
/// confused with `hepad::objective`, a function of a parameter vector for minimizers.)
template <class O, class M>
concept training_objective = module<M> &&
    requires(O& o, autodiff::tape<typename M::scalar_type>& t, M& m,
             const nn::batch<typename M::scalar_type>& b) {
      { o(t, m, b) } -> std::same_as<autodiff::node<typename M::scalar_type>>;
    };

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_LOSS_HPP
