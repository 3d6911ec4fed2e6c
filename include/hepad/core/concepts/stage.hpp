// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/stage.hpp
/// @brief The pipeline `stage` concept family and the calls generic code uses on stages.
/// See docs/concepts/stage.md.
///
/// A stage turns one payload into the next: `run(in[, rng&])`. A *fittable* stage also has
/// `fit(in[, rng&])`, which learns from `in` and returns the output for the next stage (like
/// scikit-learn's `fit_transform`); it is used by `pipeline::fit`, while `pipeline::run` applies the
/// fitted stages.
#ifndef HEPAD_CORE_CONCEPTS_STAGE_HPP
#define HEPAD_CORE_CONCEPTS_STAGE_HPP

#include <hepad/core/random.hpp>

#include <concepts>
#include <string_view>
#include <type_traits>
#include <utility>

namespace hepad {

/// `S` accepts payload `In` in `run`, with or without a generator, and returns a non-void payload.
template <class S, class In>
concept stage = requires(S& s, In&& in, rng& r) {
  { s.run(std::forward<In>(in), r) } -> std::move_constructible;
} || requires(S& s, In&& in) {
  { s.run(std::forward<In>(in)) } -> std::move_constructible;
};

/// A stage that learns from its input: `fit(in[, rng&])` returns the payload for the next stage.
template <class S, class In>
concept fittable_stage = stage<S, In> && (requires(S& s, In&& in, rng& r) {
  { s.fit(std::forward<In>(in), r) } -> std::move_constructible;
} || requires(S& s, In&& in) {
  { s.fit(std::forward<In>(in)) } -> std::move_constructible;
});

/// A stage with a name for registries, logs and error messages: `static constexpr std::string_view name`.
template <class S>
concept named_stage = requires {
  { S::name } -> std::convertible_to<std::string_view>;
};

/// Applies stage `s` to `in`, passing `r` if `run` accepts a generator.
template <class S, class In>
  requires stage<S, In>
inline auto run_stage(S& s, In&& in, rng& r) {
  if constexpr (requires { s.run(std::forward<In>(in), r); })
    return s.run(std::forward<In>(in), r);
  else
    return s.run(std::forward<In>(in));
}

/// Fits stage `s` on `in` and returns its output; a stage that is not fittable is just run.
template <class S, class In>
  requires stage<S, In>
inline auto fit_stage(S& s, In&& in, rng& r) {
  if constexpr (requires { s.fit(std::forward<In>(in), r); })
    return s.fit(std::forward<In>(in), r);
  else if constexpr (requires { s.fit(std::forward<In>(in)); })
    return s.fit(std::forward<In>(in));
  else
    return run_stage(s, std::forward<In>(in), r);
}

/// Payload type that stage `S` produces from `In`.
template <class S, class In>
using stage_output_t = std::remove_cvref_t<decltype(run_stage(std::declval<S&>(), std::declval<In>(),
                                                              std::declval<rng&>()))>;

/// Name of a stage type ("<unnamed stage>" if it has none).
template <class S>
inline constexpr std::string_view stage_name() noexcept {
  if constexpr (named_stage<S>)
    return S::name;
  else
    return "<unnamed stage>";
}

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_STAGE_HPP
