// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/module.hpp
/// @brief The `module` concept family: neural-network building blocks recorded on an autodiff
/// tape. See docs/concepts/module.md. The tape, node and parameter types are declared here and
/// defined in hepad/autodiff/; include the module's own header to use it.
#ifndef HEPAD_CORE_CONCEPTS_MODULE_HPP
#define HEPAD_CORE_CONCEPTS_MODULE_HPP

#include <hepad/core/eigen.hpp>

#include <concepts>
#include <string>
#include <vector>

namespace hepad {
namespace autodiff {
template <class S>
class tape;
template <class S>
class node;
template <class S>
struct parameter;
}  // namespace autodiff

/// A differentiable module: `forward(tape, x)` records y = f(x) on the tape (through
/// `tape::parameter` for its trainable parameters) and `parameters()` lists those parameters in a
/// fixed order (used by optimizers, serialization and checkpoints). Training/evaluation mode and
/// the random generator of stochastic layers are properties of the tape, not of the module, so a
/// module can be used by several tapes (threads) at once.
template <class M>
concept module = requires { typename M::scalar_type; } &&
    requires(M& m, autodiff::tape<typename M::scalar_type>& t, autodiff::node<typename M::scalar_type> x) {
      { m.forward(t, x) } -> std::same_as<autodiff::node<typename M::scalar_type>>;
      { m.parameters() } -> std::same_as<std::vector<autodiff::parameter<typename M::scalar_type>*>>;
    };

/// A module with non-trainable state that is saved and restored with it (e.g. batch-norm
/// running statistics).
template <class M>
concept module_with_buffers = module<M> && requires(M& m) {
  { m.buffers() } -> std::same_as<std::vector<matrix<typename M::scalar_type>*>>;
};

/// A module that describes its architecture (written into saved files and compared on load).
template <class M>
concept described_module = module<M> && requires(const M& m) {
  { m.architecture() } -> std::convertible_to<std::string>;
};

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_MODULE_HPP
