// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/context_weights.hpp
/// @brief `ad::context_weights`: the context-only reweighting of S0 §4.2 used by Generate and
/// Morph. A classifier separates MC-CR contexts (label 0) from data-CR contexts (label 1); its
/// weights w_ctx(c) = exp(logit) are evaluated on the MC-SR contexts (extrapolated) and on the
/// MC-CR hold-out, turning the MC context distribution into a data-like one.
#ifndef HEPAD_AD_CONTEXT_WEIGHTS_HPP
#define HEPAD_AD_CONTEXT_WEIGHTS_HPP

#include <hepad/ad/classifier.hpp>
#include <hepad/ad/detail/cr_classifier.hpp>
#include <hepad/ad/lr_weights.hpp>
#include <hepad/ad/samples.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>

#include <string_view>
#include <tuple>

namespace hepad::ad {

/// Context weights on the MC events a template is built from.
template <class S>
struct context_weight_values {
  vector<S> sr;          ///< per MC-SR event, scaled by `cr_normalisation()` (sum = SR data yield)
  vector<S> cr_holdout;  ///< per MC-CR hold-out event, normalised to the data-CR hold-out count
  weight_summary sr_summary, cr_summary;
  [[nodiscard]] bool empty() const noexcept { return sr.size() == 0; }
};

/// Context-weight policy.
struct context_weights {
  classifier_config classifier = presets::s0_reweight();
  nonfinite_policy nonfinite = nonfinite_policy::zero;

  static constexpr std::string_view name = "context_weights";
  static constexpr auto fields() {
    return std::tuple{config::field{"classifier", &context_weights::classifier},
                      config::field{"nonfinite", &context_weights::nonfinite}};
  }

  /// Trains the context classifier (generator `r.split(0)`).
  template <class S>
  [[nodiscard]] mlp_classifier<S> fit(const extrapolation_samples<S>& s, rng& r) const {
    rng rc = r.split(0);
    return detail::fit_cr_classifier(classifier, s.mc_cr, s.data_cr, s.mc_cr.context_begin(), s.mc_cr.n_context(), rc);
  }
  /// Trains and evaluates the weights.
  template <class S>
  [[nodiscard]] context_weight_values<S> run(const extrapolation_samples<S>& s, rng& r) const {
    return evaluate(fit(s, r), s);
  }
  /// The weights of a trained context classifier.
  template <class S>
  [[nodiscard]] context_weight_values<S> evaluate(const mlp_classifier<S>& c, const extrapolation_samples<S>& s) const {
    context_weight_values<S> v;
    const index_t c0 = s.mc_sr.context_begin(), nc = s.mc_sr.n_context();
    v.sr = detail::cr_weights(c, s.mc_sr, c0, nc, s.cr_normalisation(), nonfinite, &v.sr_summary);
    v.cr_holdout = detail::cr_weights(c, s.mc_cr_holdout, c0, nc, 1.0, nonfinite, &v.cr_summary);
    if (v.cr_summary.sum > 0)
      v.cr_holdout *= static_cast<S>(static_cast<double>(s.data_cr_holdout.size()) / v.cr_summary.sum);
    return v;
  }
};

}  // namespace hepad::ad

#endif  // HEPAD_AD_CONTEXT_WEIGHTS_HPP
