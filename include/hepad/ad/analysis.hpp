// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/analysis.hpp
/// @brief The background-extrapolation study as a pipeline. `ad::analysis<S>` is the payload
/// (shared read-only samples, then what each stage adds); the stages are
///
///   ad::with_context_weights{}   trains the context-weight classifier (shared by Generate/Morph)
///   ad::estimate<Method>{}       runs a method (reweight, generate, morph, ideal): SR + CR templates
///   ad::discriminate{}           CWoLa ensemble: template vs SR data
///   ad::score_test{}             averaged scores and S0 §7 metrics on the test set
///   ad::significance_step{}      cut -> background estimate -> discovery significance (optionally
///                                with the template's CR non-closure as systematic, ad/validation.hpp)
///
/// e.g. `hepad::make_pipeline(ad::with_context_weights{}, ad::estimate<ad::generate>{},
/// ad::discriminate{}, ad::score_test{}, ad::significance_step{})` and
/// `p.run(ad::analysis<float>::of(samples), r)`. Every stage models `stage<analysis<S>>` and is a
/// config (name, fields) so the same chain can be built by the runtime registry.
#ifndef HEPAD_AD_ANALYSIS_HPP
#define HEPAD_AD_ANALYSIS_HPP

#include <hepad/ad/background_template.hpp>
#include <hepad/ad/context_weights.hpp>
#include <hepad/ad/cwola.hpp>
#include <hepad/ad/evaluation.hpp>
#include <hepad/ad/samples.hpp>
#include <hepad/ad/significance.hpp>
#include <hepad/ad/validation.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/random.hpp>

#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace hepad::ad {

/// The payload of the study's pipeline.
template <class S>
struct analysis {
  std::shared_ptr<const extrapolation_samples<S>> samples;  ///< inputs (shared, read-only)
  std::shared_ptr<const context_weight_values<S>> context;  ///< context weights (optional)
  background_estimate<S> estimate{};                        ///< the method's templates
  std::optional<cwola_result<S>> cwola{};                   ///< the trained SR classifier
  vector<S> test_scores{};                                  ///< averaged scores on samples->test
  std::optional<score_metrics> metrics{};                   ///< figures of merit on the test set
  std::vector<significance_point> significance{};           ///< the significance scan
  std::vector<validation_point> validation{};               ///< CR non-closure per cut (optional)

  /// A payload holding `s`.
  [[nodiscard]] static analysis of(std::shared_ptr<const extrapolation_samples<S>> s) {
    analysis a;
    a.samples = std::move(s);
    return a;
  }
  /// @throws invalid_argument naming `fn` if there are no samples.
  [[nodiscard]] const extrapolation_samples<S>& inputs(std::string_view fn) const {
    if (!samples) throw_invalid_argument(fn, "the analysis has no samples");
    return *samples;
  }
};

/// Stage: trains the context weights once; `estimate<generate>` and `estimate<morph>` use them.
struct with_context_weights {
  context_weights weights{};
  static constexpr std::string_view name = "context_weights";
  static constexpr auto fields() { return std::tuple{config::field{"weights", &with_context_weights::weights}}; }
  template <class S>
  analysis<S> run(analysis<S> a, rng& r) const {
    a.context = std::make_shared<const context_weight_values<S>>(weights.run(a.inputs("ad::with_context_weights"), r));
    return a;
  }
};

/// Stage: runs a background method. Methods taking shared context weights get the payload's.
template <class Method>
struct estimate {
  Method method{};
  static constexpr std::string_view name = Method::name;
  static constexpr auto fields() { return std::tuple{config::field{"method", &estimate::method}}; }
  template <class S>
  analysis<S> run(analysis<S> a, rng& r) const {
    const auto& s = a.inputs("ad::estimate");
    if constexpr (requires { method.run(s, r, a.context.get()); })
      a.estimate = method.run(s, r, a.context.get());
    else
      a.estimate = method.run(s, r);
    return a;
  }
};

/// Stage: the CWoLa classifier (template vs SR data).
struct discriminate {
  cwola cwola_config{};
  static constexpr std::string_view name = "cwola";
  static constexpr auto fields() { return std::tuple{config::field{"cwola", &discriminate::cwola_config}}; }
  template <class S>
  analysis<S> run(analysis<S> a, rng& r) const {
    const auto& s = a.inputs("ad::discriminate");
    const matrix<S> x = s.data_sr.features();
    a.cwola = cwola_config.run(a.estimate.sr, x, r);
    return a;
  }
};

/// Stage: averaged scores on the test set and the S0 §7 metrics.
struct score_test {
  evaluation_config evaluation{};
  static constexpr std::string_view name = "score_test";
  static constexpr auto fields() { return std::tuple{config::field{"evaluation", &score_test::evaluation}}; }
  template <class S>
  analysis<S> run(analysis<S> a) const {
    const auto& s = a.inputs("ad::score_test");
    if (!a.cwola) throw_invalid_argument("ad::score_test", "no trained classifier (run ad::discriminate first)");
    a.test_scores = a.cwola->predict_score(s.test.features());
    a.metrics = evaluate_scores<S>(a.test_scores, s.test.labels(), evaluation);
    return a;
  }
};

/// Stage: the significance scan on the out-of-fold scores (needs `cwola.ensemble.folds >= 2`;
/// does nothing when no efficiencies are configured). With `control_region_systematic`, the
/// template's non-closure on the CR hold-out (`validate_template` of the method's CR template
/// against `data_cr_holdout`, same efficiencies) is added per cut as a relative systematic and
/// kept in `validation`; `z_stat` of each point is the significance without it.
struct significance_step {
  significance_config significance{};
  bool control_region_systematic = false;
  static constexpr std::string_view name = "significance";
  static constexpr auto fields() {
    return std::tuple{config::field{"significance", &significance_step::significance},
                      config::field{"control_region_systematic", &significance_step::control_region_systematic}};
  }
  /// @throws invalid_argument without a trained classifier, or with `control_region_systematic`
  /// but no CR template or CR data hold-out.
  template <class S>
  analysis<S> run(analysis<S> a) const {
    constexpr std::string_view fn = "ad::significance_step";
    const auto& s = a.inputs(fn);
    if (!a.cwola) throw_invalid_argument(fn, "no trained classifier (run ad::discriminate first)");
    if (significance.efficiencies.empty()) return a;
    std::vector<double> syst;
    if (control_region_systematic) {
      if (a.estimate.cr.empty() || s.data_cr_holdout.size() == 0)
        throw_invalid_argument(fn, "control_region_systematic needs the method's CR template and the CR data hold-out");
      a.validation = validate_template<S>(*a.cwola, a.estimate.cr, s.data_cr_holdout.features(), significance);
      syst = relative_systematics(a.validation);
    }
    a.significance = significance_scan<S>(*a.cwola, a.estimate.sr, s.data_sr.labels(), significance,
                                          std::span<const double>(syst));
    return a;
  }
};

}  // namespace hepad::ad

#endif  // HEPAD_AD_ANALYSIS_HPP
