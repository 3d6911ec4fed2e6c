// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/cwola.hpp
/// @brief `ad::cwola`: the signal-region discrimination step of S0 §6 (classification without
/// labels). The background template (label 0, with its weights after the crop policy) is
/// separated from all SR data (label 1, weights 1) by an ensemble of classifiers with averaged
/// scores; each member balances the class totals on its training part and keeps its
/// best-validation state. `ad::fully_supervised`: the same ensemble on true labels (the ceiling).
/// Not here: metrics (ad/evaluation.hpp) and the score -> significance step (ad/significance.hpp).
#ifndef HEPAD_AD_CWOLA_HPP
#define HEPAD_AD_CWOLA_HPP

#include <hepad/ad/background_template.hpp>
#include <hepad/ad/ensemble.hpp>
#include <hepad/ad/weight_crop.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/table.hpp>

#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace hepad::ad {

/// A trained CWoLa ensemble and what went into it.
template <class S>
struct cwola_result {
  classifier_ensemble<S> ensemble;
  crop_report crop{};
  index_t n_template = 0, n_data = 0;
  /// Out-of-fold scores (only with `ensemble.folds >= 2`): template events and data events.
  vector<S> template_scores, data_scores;
  std::vector<int> template_folds, data_folds;

  /// Per-column range of the training events (used when `clip` is set).
  vector<S> lo, hi;
  bool clip = false;

  /// Averaged score of new events (e.g. the test set); with `clip`, features are first clipped
  /// to the range of the training events, so the score is never an extrapolation.
  [[nodiscard]] vector<S> predict_score(matrix_cref<S> x) const {
    if (!clip) return ensemble.predict_score(x);
    matrix<S> xc = x;
    for (index_t j = 0; j < xc.cols(); ++j) xc.col(j) = xc.col(j).cwiseMax(lo(j)).cwiseMin(hi(j));
    return ensemble.predict_score(xc);
  }
  [[nodiscard]] bool has_out_of_fold() const noexcept { return template_scores.size() > 0; }
};

/// CWoLa policy. Defaults (spec §6): 20 members [64, 64, 64], lr 1e-3, batch 256, <= 50
/// epochs, patience 5, independent validation splits (33 %), weights above mean + 3 std clipped.
struct cwola {
  ensemble_config ensemble{};
  weight_crop crop{};
  /// Clip the features of scored events to the training range (no extrapolation of the score
  /// outside the support of the SR events). Off by default (the original scores as is).
  bool clip_to_training_range = false;

  static constexpr std::string_view name = "cwola";
  static constexpr auto fields() {
    return std::tuple{config::field{"ensemble", &cwola::ensemble}, config::field{"crop", &cwola::crop},
                      config::field{"clip_to_training_range", &cwola::clip_to_training_range}};
  }

  /// Trains template (label 0) vs SR data features (label 1).
  /// @throws invalid_argument for empty inputs, width mismatches or non-finite values.
  template <class S>
  [[nodiscard]] cwola_result<S> run(const background_template<S>& bkg, std::type_identity_t<matrix_cref<S>> data_sr,
                                    rng& r) const {
    constexpr std::string_view fn = "ad::cwola::run";
    bkg.validate(fn);
    check_not_empty(fn, "template", static_cast<std::size_t>(bkg.size()));
    check_not_empty(fn, "SR data", static_cast<std::size_t>(data_sr.rows()));
    check_size(fn, "data feature columns", static_cast<std::size_t>(data_sr.cols()),
               static_cast<std::size_t>(bkg.features.cols()));
    const index_t nt = bkg.size(), nd = data_sr.rows();
    matrix<S> x(nt + nd, data_sr.cols());
    x.topRows(nt) = bkg.features;
    x.bottomRows(nd) = data_sr;
    label_vector y(nt + nd);
    y.head(nt).setZero();
    y.tail(nd).setOnes();
    vector<S> wt = bkg.weights;
    cwola_result<S> out;
    out.ensemble = classifier_ensemble<S>(ensemble);
    out.crop = crop.apply(wt);
    vector<S> w(nt + nd);
    w.head(nt) = wt;
    w.tail(nd).setOnes();
    out.n_template = nt;
    out.n_data = nd;
    out.clip = clip_to_training_range;
    out.lo = x.colwise().minCoeff().transpose();
    out.hi = x.colwise().maxCoeff().transpose();
    out.ensemble.fit(x, y, w, r);
    if (ensemble.folds >= 2) {
      const vector<S> oof = out.ensemble.out_of_fold_score(x);
      out.template_scores = oof.head(nt);
      out.data_scores = oof.tail(nd);
      const auto& f = out.ensemble.folds();
      out.template_folds.assign(f.begin(), f.begin() + nt);
      out.data_folds.assign(f.begin() + nt, f.end());
    }
    return out;
  }
};

/// Fully supervised baseline: the ensemble trained on true labels of a labelled SR sample.
struct fully_supervised {
  ensemble_config ensemble{};

  static constexpr std::string_view name = "fully_supervised";
  static constexpr auto fields() { return std::tuple{config::field{"ensemble", &fully_supervised::ensemble}}; }

  /// Trains on the features of `t` with its labels (0 background, 1 signal) and weights.
  template <class S>
  [[nodiscard]] classifier_ensemble<S> run(const data::table<S>& t, rng& r) const {
    check_not_empty("ad::fully_supervised::run", "events", static_cast<std::size_t>(t.size()));
    classifier_ensemble<S> e(ensemble);
    const matrix<S> x = t.features();
    e.fit(x, t.labels(), t.weights(), r);
    return e;
  }
};

}  // namespace hepad::ad

#endif  // HEPAD_AD_CWOLA_HPP
