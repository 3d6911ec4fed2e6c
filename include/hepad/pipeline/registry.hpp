// SPDX-License-Identifier: BSL-1.0
/// @file hepad/pipeline/registry.hpp
/// @brief Runtime-configured pipelines: `hepad::registry<Stages...>` maps stage names to stage
/// types (a closed set), and `runtime_pipeline<Payload>` holds a sequence of `any_stage`s built from
/// a `config::value` such as
/// @code{.json}
/// {"stages": [{"stage": "standardize"}, {"stage": "mlp_classifier", "epochs": 20}]}
/// @endcode
/// (text parsing is done by an adapter, e.g. hepad/config/json.hpp). Stage `i` receives
/// `r.split(i)` exactly as in the static `pipeline`, so both paths give identical results.
#ifndef HEPAD_PIPELINE_REGISTRY_HPP
#define HEPAD_PIPELINE_REGISTRY_HPP

#include <hepad/config/fields.hpp>
#include <hepad/config/value.hpp>
#include <hepad/core/error.hpp>
#include <hepad/pipeline/any_stage.hpp>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hepad {

/// A sequence of type-erased stages over the payload variant `Payload`.
template <class Payload>
class runtime_pipeline {
 public:
  /// Appends a stage.
  void push_back(std::unique_ptr<any_stage<Payload>> s) { stages_.push_back(std::move(s)); }
  [[nodiscard]] std::size_t size() const noexcept { return stages_.size(); }
  any_stage<Payload>& operator[](std::size_t i) { return *stages_[i]; }

  /// Applies every stage in order; stage `i` gets `r.split(i)`.
  Payload run(Payload in, rng& r) { return go<false>(std::move(in), r); }
  /// Fits every stage in order and returns the final payload.
  Payload fit(Payload in, rng& r) { return go<true>(std::move(in), r); }

  /// Resolved configuration of every stage: {"stages": [...]}.
  [[nodiscard]] config::value config() const {
    config::value::array a;
    for (const auto& s : stages_) a.push_back(s->config());
    return config::value(config::value::object{{"stages", config::value(std::move(a))}});
  }

 private:
  template <bool Fit>
  Payload go(Payload p, rng& r) {
    for (std::size_t i = 0; i < stages_.size(); ++i) {
      rng sub = r.split(i);
      p = Fit ? stages_[i]->fit(std::move(p), sub) : stages_[i]->run(std::move(p), sub);
    }
    return p;
  }
  std::vector<std::unique_ptr<any_stage<Payload>>> stages_;
};

/// A closed set of stage types, looked up by their `name`. Each must be `named_stage` and have a
/// field list (`config::reflected`) so that it can be configured from a `config::value`.
template <class... Stages>
struct registry {
  static_assert((named_stage<Stages> && ...),
                "hepad::registry: every stage needs `static constexpr std::string_view name`");
  static_assert((config::reflected<Stages> && ...),
                "hepad::registry: every stage needs a field list `static constexpr auto fields()`");

  /// Registered names, in registration order.
  static constexpr std::array<std::string_view, sizeof...(Stages)> names{Stages::name...};

  /// Builds the stage called `name` from its configuration `cfg`; `path` prefixes error messages.
  /// @throws hepad::config_error for an unknown name or a bad setting.
  template <class Payload>
  static std::unique_ptr<any_stage<Payload>> make(std::string_view name, const config::value& cfg,
                                                  std::string_view path) {
    std::unique_ptr<any_stage<Payload>> out;
    ((name == Stages::name
          ? void(out = make_any_stage<Payload>(config::from_value<Stages>(cfg, path)))
          : void()),
     ...);
    if (!out) {
      std::string known;
      for (auto n : names) known += hepad::detail::concat(known.empty() ? "" : ", ", n);
      hepad::detail::raise<config_error>(
          hepad::detail::concat(path, ".stage: unknown stage '", name, "' (known: ", known, ")"));
    }
    return out;
  }

  /// Builds a runtime pipeline from {"stages": [{"stage": NAME, ...settings}, ...]} (or from the
  /// array alone).
  template <class Payload>
  static runtime_pipeline<Payload> build(const config::value& spec) {
    const config::value* list = spec.is_array() ? &spec : spec.find("stages");
    if (!list || !list->is_array())
      hepad::detail::raise<config_error>("pipeline: expected an array 'stages'");
    runtime_pipeline<Payload> p;
    const auto& a = std::get<config::value::array>(list->raw());
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string path = hepad::detail::concat("stages[", i, "]");
      const config::value* n = a[i].find("stage");
      if (!n) n = a[i].find("name");
      if (!n || !n->is_string())
        hepad::detail::raise<config_error>(hepad::detail::concat(path, ".stage must be a string"));
      p.push_back(make<Payload>(std::get<std::string>(n->raw()), a[i], path));
    }
    return p;
  }
};

}  // namespace hepad

#endif  // HEPAD_PIPELINE_REGISTRY_HPP
