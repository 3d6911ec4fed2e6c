// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/metric.hpp
/// @brief The `metric` concept family: a figure of merit computed from per-event classifier scores,
/// binary labels and weights (AUC, max SIC, SIC at a rejection, FPR at a TPR). The figures
/// themselves are free functions in hepad/stats (`roc_curve`, `auc`, `sic_curve`, ...); a metric
/// *policy* wraps one with its settings so that it can be configured, named and used as a pipeline
/// step. See docs/concepts/metric.md.
#ifndef HEPAD_CORE_CONCEPTS_METRIC_HPP
#define HEPAD_CORE_CONCEPTS_METRIC_HPP

#include <hepad/core/concepts/dataset.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/result.hpp>

#include <concepts>
#include <string_view>

namespace hepad {

/// `M` computes a scalar figure from scores of scalar type `S`, labels (1 = signal) and per-event
/// weights (possibly negative). The figure may be undefined for some inputs (e.g. SIC at a
/// rejection the curve never reaches): it is returned as a `result<double>` whose status says so.
template <class M, class S>
concept metric = requires(const M& m, vector_cref<S> scores, label_cref labels, vector_cref<S> weights) {
  { m.evaluate(scores, labels, weights) } -> std::convertible_to<result<double>>;
};

/// A metric with a registry name: `static constexpr std::string_view name`.
template <class M, class S>
concept named_metric = metric<M, S> && requires {
  { M::name } -> std::convertible_to<std::string_view>;
};

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_METRIC_HPP
