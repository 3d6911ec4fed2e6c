// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/reweight.hpp
/// @brief `ad::reweight`: the SALAD-style background estimate of S0 §4.1. A classifier separates
/// MC-CR (label 0) from data-CR (label 1) on all columns (context and features); its weights
/// w = f/(1 - f) = exp(logit) are evaluated on the MC-SR events, extrapolating in the context, and
/// the weighted MC-SR features are the SR template. Not here: context-only weights
/// (ad/context_weights.hpp).
#ifndef HEPAD_AD_REWEIGHT_HPP
#define HEPAD_AD_REWEIGHT_HPP

#include <hepad/ad/background_template.hpp>
#include <hepad/ad/classifier.hpp>
#include <hepad/ad/detail/cr_classifier.hpp>
#include <hepad/ad/lr_weights.hpp>
#include <hepad/ad/samples.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/random.hpp>

#include <string_view>
#include <tuple>

namespace hepad::ad {

/// Reweight method (policy). The SR template's weights are scaled by the samples'
/// `cr_normalisation()`, so their sum estimates the data background in the SR; the CR template
/// (the MC-CR hold-out with its weights) is normalised to the data-CR hold-out count.
struct reweight {
  classifier_config classifier = presets::s0_reweight();
  nonfinite_policy nonfinite = nonfinite_policy::zero;

  static constexpr std::string_view name = "reweight";
  static constexpr auto fields() {
    return std::tuple{config::field{"classifier", &reweight::classifier},
                      config::field{"nonfinite", &reweight::nonfinite}};
  }

  /// Trains the CR classifier on all columns (generator `r.split(0)`).
  template <class S>
  [[nodiscard]] mlp_classifier<S> fit(const extrapolation_samples<S>& s, rng& r) const {
    rng rc = r.split(0);
    return detail::fit_cr_classifier(classifier, s.mc_cr, s.data_cr, 0, s.mc_cr.n_columns(), rc);
  }

  /// Trains and returns the SR and CR templates.
  template <class S>
  [[nodiscard]] background_estimate<S> run(const extrapolation_samples<S>& s, rng& r) const {
    const mlp_classifier<S> c = fit(s, r);
    return make_estimate(c, s);
  }

  /// The templates of an already trained classifier.
  template <class S>
  [[nodiscard]] background_estimate<S> make_estimate(const mlp_classifier<S>& c, const extrapolation_samples<S>& s) const {
    background_estimate<S> e;
    e.method = std::string(name);
    const index_t nc = s.mc_sr.n_columns();
    weight_summary ws, wc;
    e.sr.weights = detail::cr_weights(c, s.mc_sr, 0, nc, s.cr_normalisation(), nonfinite, &ws);
    e.sr.features = s.mc_sr.features();
    e.sr.context = s.mc_sr.context();
    e.cr.weights = detail::cr_weights(c, s.mc_cr_holdout, 0, nc, 1.0, nonfinite, &wc);
    if (wc.sum > 0) e.cr.weights *= static_cast<S>(static_cast<double>(s.data_cr_holdout.size()) / wc.sum);
    e.cr.features = s.mc_cr_holdout.features();
    e.cr.context = s.mc_cr_holdout.context();
    detail::add_weight_diagnostics(e, "sr", ws);
    detail::add_weight_diagnostics(e, "cr", wc);
    e.add("best_epoch", static_cast<double>(c.history().best_epoch));
    e.add("epochs_run", static_cast<double>(c.history().epochs_run));
    return e;
  }
};

}  // namespace hepad::ad

#endif  // HEPAD_AD_REWEIGHT_HPP
