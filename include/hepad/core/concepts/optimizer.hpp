// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/optimizer.hpp
/// @brief The `gradient_optimizer` concept: a two-level policy. The level-one type is an
/// aggregate config (`nn::adam{.learning_rate = 1e-3}`); its nested `state<S>` is built on a list
/// of parameters and steps them from their accumulated gradients. See docs/concepts/optimizer.md.
#ifndef HEPAD_CORE_CONCEPTS_OPTIMIZER_HPP
#define HEPAD_CORE_CONCEPTS_OPTIMIZER_HPP

#include <hepad/core/concepts/module.hpp>

#include <concepts>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace hepad {

/// `O` is an optimizer config for parameters of scalar `S`:
/// - `o.learning_rate` is the base learning rate (schedules scale it);
/// - `typename O::template state<S>` is constructible from `(const O&, std::vector<parameter<S>*>)`;
/// - `st.step(lr)` applies one update from the parameters' `grad` with learning rate `lr`;
/// - `st.save()` / `st.load(bytes)` serialise the moments for checkpoints.
template <class O, class S>
concept gradient_optimizer = requires(const O& o) {
  { o.learning_rate } -> std::convertible_to<double>;
  { O::name } -> std::convertible_to<std::string_view>;
  typename O::template state<S>;
} && std::constructible_from<typename O::template state<S>, const O&, std::vector<autodiff::parameter<S>*>> &&
    requires(typename O::template state<S>& st, const std::vector<std::uint8_t>& bytes) {
      st.step(1.0);
      { st.save() } -> std::same_as<std::vector<std::uint8_t>>;
      st.load(bytes);
    };

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_OPTIMIZER_HPP
