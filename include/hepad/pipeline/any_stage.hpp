// SPDX-License-Identifier: BSL-1.0
/// @file hepad/pipeline/any_stage.hpp
/// @brief `hepad::any_stage<Payload>`: a type-erased stage for runtime-configured pipelines. The
/// payload is a closed `std::variant` of the payload types the pipeline can carry; each call is one
/// virtual call plus one `std::visit` over that variant.
#ifndef HEPAD_PIPELINE_ANY_STAGE_HPP
#define HEPAD_PIPELINE_ANY_STAGE_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/concepts/stage.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/random.hpp>

#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace hepad {

/// A runtime stage over the payload variant `Payload`.
template <class Payload>
class any_stage {
 public:
  virtual ~any_stage() = default;
  /// Applies the stage (see `run_stage`).
  virtual Payload run(Payload&& in, rng& r) = 0;
  /// Fits the stage and returns its output (see `fit_stage`).
  virtual Payload fit(Payload&& in, rng& r) = 0;
  /// The stage's registry name.
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  /// The stage's resolved configuration (for saving with results).
  [[nodiscard]] virtual config::value config() const = 0;
};

namespace pipeline_detail {
template <class Payload, class S>
class stage_model final : public any_stage<Payload> {
 public:
  explicit stage_model(S s) : s_(std::move(s)) {}
  Payload run(Payload&& in, rng& r) override { return apply<false>(std::move(in), r); }
  Payload fit(Payload&& in, rng& r) override { return apply<true>(std::move(in), r); }
  [[nodiscard]] std::string_view name() const noexcept override { return stage_name<S>(); }
  [[nodiscard]] config::value config() const override {
    if constexpr (config::reflected<S>)
      return config::to_value(s_);
    else
      return config::value(config::value::object{{"name", config::value(stage_name<S>())}});
  }
  S& get() noexcept { return s_; }

 private:
  template <bool Fit>
  Payload apply(Payload&& in, rng& r) {
    return std::visit(
        [&](auto&& x) -> Payload {
          using X = std::remove_cvref_t<decltype(x)>;
          if constexpr (stage<S, X&&>) {
            using Out = stage_output_t<S, X&&>;
            static_assert(std::is_constructible_v<Payload, Out>,
                          "hepad::any_stage: the stage's output type is not an alternative of the "
                          "pipeline's payload variant");
            if constexpr (Fit)
              return Payload(fit_stage(s_, std::move(x), r));
            else
              return Payload(run_stage(s_, std::move(x), r));
          } else {
            hepad::detail::raise<config_error>(hepad::detail::concat(
                "stage '", stage_name<S>(), "' does not accept the payload it was given (payload "
                "alternative #", in.index(), ")"));
          }
        },
        std::move(in));
  }
  S s_;
};
}  // namespace pipeline_detail

/// Wraps a stage object as an `any_stage<Payload>`.
template <class Payload, class S>
inline std::unique_ptr<any_stage<Payload>> make_any_stage(S s) {
  return std::make_unique<pipeline_detail::stage_model<Payload, S>>(std::move(s));
}

}  // namespace hepad

#endif  // HEPAD_PIPELINE_ANY_STAGE_HPP
