// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/background_template.hpp
/// @brief `ad::background_template<S>`: a weighted sample of feature vectors that stands for the
/// background in a region (the output of every background-extrapolation method), and
/// `ad::background_estimate<S>`: a method's templates for the signal region (used by CWoLa) and
/// for the control-region hold-out (used by the closure test), with the method's diagnostics.
///
/// Normalisation: a template's weights are scaled so that their sum estimates the number of
/// background events of the data in that region (S0 methods get this from the classifier prior
/// ratio and the sample counts; see docs/examples/background_extrapolation.md). The SR classifier
/// rebalances the classes and does not need it; the significance step (ad/significance.hpp)
/// does. Not here: the methods (ad/reweight.hpp, ad/generate.hpp, ...).
#ifndef HEPAD_AD_BACKGROUND_TEMPLATE_HPP
#define HEPAD_AD_BACKGROUND_TEMPLATE_HPP

#include <hepad/ad/lr_weights.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hepad::ad {

/// A weighted set of feature vectors (rows = events).
template <class S>
struct background_template {
  matrix<S> features;  ///< n x D (scaled features)
  vector<S> weights;   ///< n; the sum estimates the data background count in the region
  matrix<S> context;   ///< n x C contexts the events belong to (may be empty)

  [[nodiscard]] index_t size() const noexcept { return features.rows(); }
  [[nodiscard]] bool empty() const noexcept { return features.rows() == 0; }
  /// Sum of the weights: the estimated background yield.
  [[nodiscard]] double yield() const { return static_cast<double>(weights.template cast<double>().sum()); }
  /// Weight summary.
  [[nodiscard]] weight_summary summary() const { return summarize_weights<S>(weights); }
  /// @throws invalid_argument naming `fn` if sizes disagree or weights are not finite.
  void validate(std::string_view fn) const {
    check_size(fn, "template weights", static_cast<std::size_t>(weights.size()), static_cast<std::size_t>(features.rows()));
    if (context.size() > 0)
      check_size(fn, "template contexts", static_cast<std::size_t>(context.rows()), static_cast<std::size_t>(features.rows()));
    check_all_finite(fn, "template weights", weights);
  }
};

/// One diagnostic number of a method (e.g. "sr_weight_mean"), kept for reports.
struct diagnostic {
  std::string name;
  double value = 0;
};

/// A method's output: the SR template for the CWoLa step, the CR template for the closure test
/// (compared with the data-CR hold-out), and diagnostics (weight statistics, non-finite counts,
/// training histories summarised).
template <class S>
struct background_estimate {
  std::string method;               ///< method name ("reweight", "generate", ...)
  background_template<S> sr;        ///< signal-region template
  background_template<S> cr;        ///< control-region hold-out template (may be empty)
  std::vector<diagnostic> diagnostics;

  void add(std::string name, double value) { diagnostics.push_back({std::move(name), value}); }
  /// The value of diagnostic `name`. @throws out_of_range if absent.
  [[nodiscard]] double get(std::string_view name) const {
    for (const auto& d : diagnostics)
      if (d.name == name) return d.value;
    hepad::detail::raise<out_of_range>(hepad::detail::concat("ad::background_estimate: no diagnostic '", name, "'"));
  }
};

}  // namespace hepad::ad

#endif  // HEPAD_AD_BACKGROUND_TEMPLATE_HPP
