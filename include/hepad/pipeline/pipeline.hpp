// SPDX-License-Identifier: BSL-1.0
/// @file hepad/pipeline/pipeline.hpp
/// @brief `hepad::make_pipeline(stages...)`: a compile-time chain of stages (a tuple, no virtual
/// calls). Each stage boundary is a concrete payload. A stage that cannot accept its predecessor's
/// output stops compilation with a message naming the stage index, the stage and the payload.
///
/// Randomness: stage `i` receives `r.split(i)`, so a stage's random stream does not depend on how
/// much the other stages drew. The runtime pipeline (pipeline/runtime.hpp) does the same, which is
/// why both paths give identical results.
#ifndef HEPAD_PIPELINE_PIPELINE_HPP
#define HEPAD_PIPELINE_PIPELINE_HPP

#include <hepad/core/concepts/stage.hpp>
#include <hepad/core/random.hpp>

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

namespace hepad {

namespace pipeline_detail {
/// Instantiated for every stage boundary; when stage `Index` (0-based) of type `Stage` does not
/// accept `Payload`, the static_assert fires and the compiler's note shows this template's arguments.
template <std::size_t Index, class Stage, class Payload>
struct stage_check {
  static constexpr bool value = stage<Stage, Payload>;
#ifndef HEPAD_DISABLE_TYPE_CHECKS
  static_assert(value,
                "hepad::make_pipeline: a stage does not accept the output of the stage before it. "
                "The note 'stage_check<I, Stage, Payload>' names the stage index I (0 = first "
                "stage), the stage type and the payload it was given; see docs/concepts/stage.md");
#endif
};

/// Placeholder payload after a failed check (keeps the error to one message).
struct invalid_payload {};
}  // namespace pipeline_detail

/// A fixed sequence of stages. Build it with `make_pipeline`.
template <class... Stages>
class pipeline {
 public:
  static constexpr std::size_t size = sizeof...(Stages);

  pipeline() = default;
  explicit pipeline(Stages... s) : stages_(std::move(s)...) {}

  /// Applies every stage in order. Stage `i` gets `r.split(i)`.
  template <class In>
  auto run(In&& in, rng& r) {
    return step<0, false>(std::forward<In>(in), r);
  }
  /// Fits every fittable stage on its input in order (the output of each fit feeds the next
  /// stage) and returns the final payload.
  template <class In>
  auto fit(In&& in, rng& r) {
    return step<0, true>(std::forward<In>(in), r);
  }

  /// Stage `I`.
  template <std::size_t I>
  auto& get() noexcept {
    return std::get<I>(stages_);
  }
  template <std::size_t I>
  const auto& get() const noexcept {
    return std::get<I>(stages_);
  }

 private:
  template <std::size_t I, bool Fit, class P>
  auto step(P&& p, rng& r) {
    if constexpr (I == size) {
      return std::remove_cvref_t<P>(std::forward<P>(p));
    } else {
      using St = std::tuple_element_t<I, std::tuple<Stages...>>;
      if constexpr (!pipeline_detail::stage_check<I, St, P>::value) {
        return pipeline_detail::invalid_payload{};
      } else {
        rng sub = r.split(I);
        if constexpr (Fit)
          return step<I + 1, Fit>(fit_stage(std::get<I>(stages_), std::forward<P>(p), sub), r);
        else
          return step<I + 1, Fit>(run_stage(std::get<I>(stages_), std::forward<P>(p), sub), r);
      }
    }
  }

  std::tuple<Stages...> stages_;
};

/// Builds a pipeline from stage objects (copied or moved in).
template <class... Stages>
inline auto make_pipeline(Stages&&... s) {
  return pipeline<std::decay_t<Stages>...>(std::forward<Stages>(s)...);
}

namespace pipeline_detail {
template <std::size_t I, class P, class... S>
struct chain;
template <std::size_t I, class P>
struct chain<I, P> {
  using type = P;
};
template <std::size_t I, class P, class S0, bool Ok = stage_check<I, S0, P>::value>
struct next_payload {
  using type = invalid_payload;
};
template <std::size_t I, class P, class S0>
struct next_payload<I, P, S0, true> {
  using type = stage_output_t<S0, P>;
};
template <std::size_t I, class P, class S0, class... S>
struct chain<I, P, S0, S...> {
  using type = typename chain<I + 1, typename next_payload<I, P, S0>::type, S...>::type;
};
template <std::size_t I, class S0, class... S>
struct chain<I, invalid_payload, S0, S...> {
  using type = invalid_payload;
};
}  // namespace pipeline_detail

/// Payload type a pipeline of `Stages...` produces from input `In` (checked stage by stage).
template <class In, class... Stages>
using pipeline_output_t = typename pipeline_detail::chain<0, In, Stages...>::type;

/// Like `make_pipeline`, but checks every stage boundary for input type `In` immediately.
template <class In, class... Stages>
inline auto make_pipeline_for(Stages&&... s) {
  using out = pipeline_output_t<In, std::decay_t<Stages>...>;
  static_assert(!std::is_same_v<out, pipeline_detail::invalid_payload> || sizeof...(Stages) == 0,
                "hepad::make_pipeline_for: see the stage_check error above");
  return make_pipeline(std::forward<Stages>(s)...);
}

}  // namespace hepad

#endif  // HEPAD_PIPELINE_PIPELINE_HPP
