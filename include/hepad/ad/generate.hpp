// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/generate.hpp
/// @brief `ad::generate`: the CATHODE-style background estimate of S0 §4.3. A conditional flow
/// p(features | context) is trained on data-CR events (hold-out excluded) and sampled at the
/// MC-SR contexts (`oversample` events per context, any factor), each sample weighted by the
/// context weight of its MC event divided by the oversampling factor. The CR closure template is
/// one sample per data-CR hold-out context, unweighted (the contexts are the data's).
#ifndef HEPAD_AD_GENERATE_HPP
#define HEPAD_AD_GENERATE_HPP

#include <hepad/ad/background_template.hpp>
#include <hepad/ad/context_weights.hpp>
#include <hepad/ad/samples.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/random.hpp>
#include <hepad/flows/config.hpp>
#include <hepad/flows/density_flow.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

namespace hepad::ad {

/// Generate method (policy). Defaults: the S0 flow (4 x (reverse permutation, affine MAF), MADE
/// 128 with 2 residual blocks and context) trained with Adam 1e-3, batch 256, <= 20 epochs,
/// seeded 20 % validation, early stopping with best-state restore and a per-epoch cosine schedule.
struct generate {
  flows::flow_config flow = flows::presets::s0_generate();
  flows::flow_trainer training = flows::presets::s0_generate_training();
  std::int64_t oversample = 1;          ///< samples per MC-SR context
  context_weights weights{};            ///< used when no shared context weights are given

  static constexpr std::string_view name = "generate";
  static constexpr auto fields() {
    return std::tuple{config::field{"flow", &generate::flow}, config::field{"training", &generate::training},
                      config::field{"oversample", &generate::oversample},
                      config::field{"weights", &generate::weights}};
  }

  /// Trains the conditional flow on the data CR (generator `r.split(1)`).
  template <class S>
  [[nodiscard]] flows::density_flow<S> fit(const extrapolation_samples<S>& s, rng& r) const {
    flows::density_flow<S> f(flow, training);
    rng rf = r.split(1);
    const matrix<S> x = s.data_cr.features(), c = s.data_cr.context();
    f.fit(x, c, vector<S>::Ones(x.rows()), rf);
    return f;
  }

  /// Trains (the context weights too, unless `shared` is given) and samples the templates.
  template <class S>
  [[nodiscard]] background_estimate<S> run(const extrapolation_samples<S>& s, rng& r,
                                           const context_weight_values<S>* shared = nullptr) const {
    context_weight_values<S> own;
    if (!shared) {
      rng rw = r.split(0);
      own = weights.run(s, rw);
      shared = &own;
    }
    return make_estimate(fit(s, r), s, *shared, r);
  }

  /// The templates of a trained flow (sampling from `r.split(2)`, `r.split(3)`).
  template <class S>
  [[nodiscard]] background_estimate<S> make_estimate(const flows::density_flow<S>& f, const extrapolation_samples<S>& s,
                                                     const context_weight_values<S>& w, rng& r) const {
    constexpr std::string_view fn = "ad::generate";
    check_positive(fn, "oversample", oversample);
    check_size(fn, "context weights (SR)", static_cast<std::size_t>(w.sr.size()), static_cast<std::size_t>(s.mc_sr.size()));
    background_estimate<S> e;
    e.method = std::string(name);
    const matrix<S> c_sr = s.mc_sr.context();
    rng r2 = r.split(2), r3 = r.split(3);
    e.sr.features = f.sample(c_sr, oversample, r2);
    e.sr.weights.resize(e.sr.features.rows());
    e.sr.context.resize(e.sr.features.rows(), c_sr.cols());
    for (index_t i = 0; i < c_sr.rows(); ++i)
      for (std::int64_t k = 0; k < oversample; ++k) {
        e.sr.weights(i * oversample + k) = w.sr(i) / static_cast<S>(oversample);
        e.sr.context.row(i * oversample + k) = c_sr.row(i);
      }
    const matrix<S> c_cr = s.data_cr_holdout.context();
    e.cr.features = f.sample(c_cr, r3);
    e.cr.weights = vector<S>::Ones(c_cr.rows());
    e.cr.context = c_cr;
    check_all_finite(fn, "generated SR features", e.sr.features);
    detail::add_weight_diagnostics(e, "sr", summarize_weights<S>(e.sr.weights));
    e.sr.validate(fn);
    e.add("flow_best_epoch", static_cast<double>(f.history().best_epoch));
    e.add("flow_best_val_nll", f.history().best_val_loss);
    e.add("flow_epochs_run", static_cast<double>(f.history().epochs_run));
    return e;
  }
};

}  // namespace hepad::ad

#endif  // HEPAD_AD_GENERATE_HPP
