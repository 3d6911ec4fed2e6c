// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/ideal.hpp
/// @brief `ad::ideal`: the perfect-background baseline of S0 §4.5. The SR events of an independent
/// sample of the data background are the template (weights N_data / N_ideal, so the sum estimates
/// the data background count); the CR template is the first hold-out-sized part of its CR.
#ifndef HEPAD_AD_IDEAL_HPP
#define HEPAD_AD_IDEAL_HPP

#include <hepad/ad/background_template.hpp>
#include <hepad/ad/samples.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/random.hpp>

#include <string>
#include <string_view>
#include <tuple>

namespace hepad::ad {

/// Ideal baseline (policy; nothing to train).
struct ideal {
  static constexpr std::string_view name = "ideal";
  static constexpr auto fields() { return std::tuple{}; }

  /// @throws invalid_argument if the samples have no ideal sample.
  template <class S>
  [[nodiscard]] background_estimate<S> run(const extrapolation_samples<S>& s, rng&) const {
    if (s.ideal_sr.size() == 0) throw_invalid_argument("ad::ideal", "the samples have no ideal background sample");
    background_estimate<S> e;
    e.method = std::string(name);
    e.sr.features = s.ideal_sr.features();
    e.sr.context = s.ideal_sr.context();
    e.sr.weights = vector<S>::Constant(s.ideal_sr.size(), static_cast<S>(s.ideal_weight));
    e.cr.features = s.ideal_cr.features();
    e.cr.context = s.ideal_cr.context();
    e.cr.weights = vector<S>::Ones(s.ideal_cr.size());
    e.add("sr_weight_sum", e.sr.yield());
    return e;
  }
};

}  // namespace hepad::ad

#endif  // HEPAD_AD_IDEAL_HPP
