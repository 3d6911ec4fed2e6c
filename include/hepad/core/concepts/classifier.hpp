// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/classifier.hpp
/// @brief The `classifier` concept family: fitted on (x, y[, w]), returning one score per event
/// (larger = more signal-like). See docs/concepts/classifier.md.
#ifndef HEPAD_CORE_CONCEPTS_CLASSIFIER_HPP
#define HEPAD_CORE_CONCEPTS_CLASSIFIER_HPP

#include <hepad/core/concepts/dataset.hpp>
#include <hepad/core/concepts/fit.hpp>
#include <hepad/core/eigen.hpp>

#include <concepts>

namespace hepad {

/// A binary classifier on scalar `S`.
template <class C, class S>
concept classifier = fittable<C, matrix_cref<S>, label_cref> && requires(const C& cc, matrix_cref<S> x) {
  { cc.predict_score(x) } -> std::convertible_to<vector<S>>;
};

/// A classifier trained with per-event weights (which may be negative).
template <class C, class S>
concept weighted_classifier = classifier<C, S> && fittable<C, matrix_cref<S>, label_cref, vector_cref<S>>;

/// A classifier whose score is a calibrated probability P(y = 1 | x) (and whose logit is available,
/// so likelihood ratios p/(1-p) = exp(logit) never overflow).
template <class C, class S>
concept probabilistic_classifier = classifier<C, S> && requires(const C& cc, matrix_cref<S> x) {
  { cc.predict_proba(x) } -> std::convertible_to<vector<S>>;
  { cc.predict_logit(x) } -> std::convertible_to<vector<S>>;
};

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_CLASSIFIER_HPP
