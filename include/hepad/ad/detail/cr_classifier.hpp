// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/detail/cr_classifier.hpp
/// @brief Internal: the MC-vs-data classifier of the control region used by Reweight and the
/// context weights (MC label 0, data label 1, unweighted, unbalanced: the learned prior ratio
/// N_D/N_M is part of the weight), and the evaluation of its weights exp(logit) on other events.
#ifndef HEPAD_AD_DETAIL_CR_CLASSIFIER_HPP
#define HEPAD_AD_DETAIL_CR_CLASSIFIER_HPP

#include <hepad/ad/classifier.hpp>
#include <hepad/ad/lr_weights.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/table.hpp>

#include <string>

namespace hepad::ad::detail {

/// Columns [first, first + n) of mc (label 0) stacked over those of data (label 1).
template <class S>
inline mlp_classifier<S> fit_cr_classifier(const classifier_config& cfg, const data::table<S>& mc,
                                           const data::table<S>& data, index_t first, index_t n, rng& r) {
  const index_t nm = mc.size(), nd = data.size();
  matrix<S> x(nm + nd, n);
  x.topRows(nm) = mc.columns(first, n);
  x.bottomRows(nd) = data.columns(first, n);
  label_vector y(nm + nd);
  y.head(nm).setZero();
  y.tail(nd).setOnes();
  const vector<S> w = vector<S>::Ones(nm + nd);
  mlp_classifier<S> c(cfg);
  c.fit(x, y, w, r);
  return c;
}

/// Weights exp(logit) of `c` on columns [first, first + n) of `t`, times `scale`.
template <class S>
inline vector<S> cr_weights(const mlp_classifier<S>& c, const data::table<S>& t, index_t first, index_t n,
                            double scale, nonfinite_policy policy, weight_summary* summary) {
  if (t.size() == 0) return vector<S>();
  vector<S> w = weights_from_logits<S>(c.predict_logit(t.columns(first, n)), policy, summary);
  if (scale != 1.0) w *= static_cast<S>(scale);
  if (summary) {
    const auto nf = summary->n_nonfinite;
    *summary = summarize_weights<S>(w);
    summary->n_nonfinite = nf;
  }
  return w;
}

/// Diagnostics of a weight vector under a prefix.
template <class E>
inline void add_weight_diagnostics(E& est, const std::string& prefix, const weight_summary& s) {
  est.add(prefix + "_weight_mean", s.mean);
  est.add(prefix + "_weight_std", s.std);
  est.add(prefix + "_weight_max", s.max);
  est.add(prefix + "_weight_sum", s.sum);
  est.add(prefix + "_nonfinite", static_cast<double>(s.n_nonfinite));
}

}  // namespace hepad::ad::detail

#endif  // HEPAD_AD_DETAIL_CR_CLASSIFIER_HPP
