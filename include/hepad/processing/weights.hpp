// SPDX-License-Identifier: BSL-1.0
/// @file hepad/processing/weights.hpp
/// @brief `hepad::processing::event_weights`: per-event weight factors with named systematic
/// variations. The nominal weight is 1.0 (double) times every factor in the order they were added;
/// variation "<name>Up" / "<name>Down" replaces factor <name> by its up / down values.
/// Not here: normalisation to a luminosity (see output.hpp's `normalisation`).
#ifndef HEPAD_PROCESSING_WEIGHTS_HPP
#define HEPAD_PROCESSING_WEIGHTS_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/error.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hepad::processing {

/// Weight factors of the events of one chunk.
class event_weights {
 public:
  explicit event_weights(std::size_t n_events = 0) : n_(n_events) {}

  [[nodiscard]] std::size_t size() const noexcept { return n_; }

  /// Adds factor `name` (one value per event) with optional up/down variations.
  /// @throws hepad::invalid_argument on a size mismatch or a duplicate name.
  void add(std::string name, std::vector<double> nominal, std::vector<double> up = {}, std::vector<double> down = {}) {
    check_size("event_weights::add", "nominal", nominal.size(), n_);
    if (!up.empty()) check_size("event_weights::add", "up", up.size(), n_);
    if (!down.empty()) check_size("event_weights::add", "down", down.size(), n_);
    for (const auto& f : factors_)
      if (f.name == name) throw_invalid_argument("event_weights::add", "duplicate weight factor '" + name + "'");
    factors_.push_back({std::move(name), std::move(nominal), std::move(up), std::move(down)});
  }

  /// Product of all nominal factors (1.0 if none), multiplied in the order added.
  [[nodiscard]] std::vector<double> nominal() const { return product(""); }

  /// Weights of variation "<factor>Up" or "<factor>Down".
  /// @throws hepad::out_of_range if no such variation exists.
  [[nodiscard]] std::vector<double> variation(std::string_view v) const {
    for (const auto& f : factors_)
      if ((!f.up.empty() && v == f.name + "Up") || (!f.down.empty() && v == f.name + "Down")) return product(v);
    hepad::detail::raise<out_of_range>(hepad::detail::concat("event_weights: no variation '", v, "'"));
  }
  /// Names of all variations ("pileupUp", "pileupDown", ...).
  [[nodiscard]] std::vector<std::string> variations() const {
    std::vector<std::string> out;
    for (const auto& f : factors_) {
      if (!f.up.empty()) out.push_back(f.name + "Up");
      if (!f.down.empty()) out.push_back(f.name + "Down");
    }
    return out;
  }
  /// Names of the factors, in order.
  [[nodiscard]] std::vector<std::string> factors() const {
    std::vector<std::string> out;
    for (const auto& f : factors_) out.push_back(f.name);
    return out;
  }

 private:
  struct factor {
    std::string name;
    std::vector<double> nominal, up, down;
  };
  std::vector<double> product(std::string_view v) const {
    std::vector<double> w(n_, 1.0);
    for (const auto& f : factors_) {
      const std::vector<double>* src = &f.nominal;
      if (!v.empty() && v == f.name + "Up") src = &f.up;
      if (!v.empty() && v == f.name + "Down") src = &f.down;
      for (std::size_t i = 0; i < n_; ++i) w[i] *= (*src)[i];
    }
    return w;
  }
  std::size_t n_;
  std::vector<factor> factors_;
};

}  // namespace hepad::processing

#endif  // HEPAD_PROCESSING_WEIGHTS_HPP
