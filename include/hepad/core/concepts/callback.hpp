// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/callback.hpp
/// @brief Training callbacks. There is no required member: a callback is any object, and each hook
/// it has is detected at compile time and called by the trainer. A hook that returns `bool` can
/// stop training by returning `true`. See docs/concepts/callback.md.
///
/// Hooks (all optional): `on_begin(const Info&)`, `on_epoch_begin(const Info&)`,
/// `on_step(const Info&)`, `on_epoch_end(const Info&)`, `on_end(const Info&)`, where `Info` is the
/// trainer's progress record (`nn::epoch_info`).
#ifndef HEPAD_CORE_CONCEPTS_CALLBACK_HPP
#define HEPAD_CORE_CONCEPTS_CALLBACK_HPP

#include <concepts>
#include <type_traits>

namespace hepad {

/// `C` has at least one training hook taking `const Info&`.
template <class C, class Info>
concept callback = requires(C& c, const Info& i) { c.on_begin(i); } ||
                   requires(C& c, const Info& i) { c.on_epoch_begin(i); } ||
                   requires(C& c, const Info& i) { c.on_step(i); } ||
                   requires(C& c, const Info& i) { c.on_epoch_end(i); } ||
                   requires(C& c, const Info& i) { c.on_end(i); };

namespace detail {
/// Calls `f()`; returns true if it returned a bool `true` (a request to stop).
template <class F>
inline bool call_hook(F&& f) {
  if constexpr (std::is_convertible_v<std::invoke_result_t<F>, bool>)
    return static_cast<bool>(f());
  else {
    f();
    return false;
  }
}
}  // namespace detail

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_CALLBACK_HPP
