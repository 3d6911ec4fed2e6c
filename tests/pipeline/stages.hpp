// SPDX-License-Identifier: BSL-1.0
// Small test stages for the pipeline tests: configurable (field lists), named, some random, one
// fittable, and one that changes the payload type.
#ifndef HEPAD_TESTS_PIPELINE_STAGES_HPP
#define HEPAD_TESTS_PIPELINE_STAGES_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/random.hpp>

#include <numeric>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

namespace hepad_test {

using values = std::vector<double>;

/// Multiplies every value by `factor`.
struct scale {
  double factor = 2.0;
  static constexpr std::string_view name = "scale";
  static constexpr auto fields() { return std::tuple{hepad::config::field{"factor", &scale::factor}}; }
  values run(values v) const {
    for (auto& x : v) x *= factor;
    return v;
  }
};

/// Adds N(0, sigma^2) noise (uses the stage's generator).
struct add_noise {
  double sigma = 1.0;
  static constexpr std::string_view name = "add_noise";
  static constexpr auto fields() { return std::tuple{hepad::config::field{"sigma", &add_noise::sigma}}; }
  values run(values v, hepad::rng& r) const {
    for (auto& x : v) x += sigma * r.normal();
    return v;
  }
};

/// Learns the mean in `fit` and subtracts it in `run`.
struct center {
  double mean = 0.0;
  static constexpr std::string_view name = "center";
  static constexpr auto fields() { return std::tuple{hepad::config::field{"mean", &center::mean}}; }
  values fit(values v) {
    mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    return run(std::move(v));
  }
  values run(values v) const {
    for (auto& x : v) x -= mean;
    return v;
  }
};

/// Sums the values (payload type changes from values to double).
struct total {
  static constexpr std::string_view name = "total";
  static constexpr auto fields() { return std::tuple{}; }
  double run(const values& v) const { return std::accumulate(v.begin(), v.end(), 0.0); }
};

using payload = std::variant<values, double>;

}  // namespace hepad_test

#endif  // HEPAD_TESTS_PIPELINE_STAGES_HPP
