// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/concepts.hpp
/// @brief The concepts of the flows family: `flow_layer` (a bijector that is also trainable on the
/// autodiff tape), `flow_base` (the base distribution of a flow: a density with an input gradient
/// on the tape, optionally sampleable), and `flow_nodes` (what a layer records). The evaluation
/// side is the core `conditional_bijector` concept (hepad/core/concepts/bijector.hpp). See
/// docs/concepts/bijector.md and docs/design/flows.md.
///
/// Direction convention (nflows'): `forward` maps data x to the base space u (the density
/// direction, log p(x) = log p_base(u) + log|det du/dx|); `inverse` maps u to x (sampling).
#ifndef HEPAD_FLOWS_CONCEPTS_HPP
#define HEPAD_FLOWS_CONCEPTS_HPP

#include <hepad/autodiff/parameter.hpp>
#include <hepad/autodiff/tape.hpp>
#include <hepad/core/concepts/bijector.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>

#include <concepts>
#include <cstdint>
#include <vector>

namespace hepad::flows {

/// What a layer records on a tape: its output (n x D) and its per-event log|det J| (n x 1), or an
/// empty `log_det` handle for volume-preserving layers (permutations).
template <class S>
struct flow_nodes {
  autodiff::node<S> value;
  autodiff::node<S> log_det;
};

/// A flow layer: a conditional bijector in the evaluation interface and a recorder of its fused
/// operation on a tape. `forward(tape, x, c, train)` records u = f(x; c) and log|det du/dx| with
/// the reverse pass for x, c and (when `train`) the layer's parameters; with `train == false` the
/// parameters are constants (a frozen layer) while gradients still flow to x and c.
template <class L, class S>
concept flow_layer = conditional_bijector<L, S> &&
    requires(L& l, const L& cl, autodiff::tape<S>& t, autodiff::node<S> n, rng& r) {
      { cl.n_features() } -> std::convertible_to<std::int64_t>;
      { cl.n_context() } -> std::convertible_to<std::int64_t>;
      { l.forward(t, n, n, true) } -> std::convertible_to<flow_nodes<S>>;
      l.reset_parameters(r);
      { l.parameters() } -> std::convertible_to<std::vector<autodiff::parameter<S>*>>;
    };

/// A layer with data-dependent initialisation (ActNorm): `initialize(x, c)` runs once before
/// training, on the first training batch.
template <class L, class S>
concept data_initialized_layer = requires(L& l, matrix_cref<S> x) { l.initialize(x, x); };

/// A layer that behaves differently in training and evaluation (batch normalisation).
template <class L>
concept stateful_layer = requires(L& l) { l.set_training(true); };

/// The base distribution of a flow: log p(u | c) per event (c is ignored by unconditional bases),
/// and its tape version whose reverse pass gives d log p / du (and d/dc).
template <class B, class S>
concept flow_base = requires(const B& cb, B& b, matrix_cref<S> u, autodiff::tape<S>& t, autodiff::node<S> n) {
  { cb.log_prob(u, u) } -> std::convertible_to<vector<S>>;
  { b.log_prob(t, n, n) } -> std::convertible_to<autodiff::node<S>>;
};

/// A base distribution that can draw one event per context row.
template <class B, class S>
concept sampleable_base = flow_base<B, S> && requires(const B& cb, matrix_cref<S> c, rng& r) {
  { cb.sample(c, r) } -> std::convertible_to<matrix<S>>;
};

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_CONCEPTS_HPP
