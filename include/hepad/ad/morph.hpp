// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/morph.hpp
/// @brief `ad::morph`: the FETA / flows-for-flows background estimate of S0 §4.4. A base flow
/// q_M(x | c) is trained on MC-CR; a second ("top") flow T(.; c) whose base distribution is the
/// frozen q_M is trained on data-CR, so that T maps data to MC-like events. Every MC event is then
/// transported to a data-like one, x~ = T^-1(x_M; c_M), and weighted by its context weight: the
/// MC-SR events give the SR template, the MC-CR hold-out the CR closure template.
#ifndef HEPAD_AD_MORPH_HPP
#define HEPAD_AD_MORPH_HPP

#include <hepad/ad/background_template.hpp>
#include <hepad/ad/context_weights.hpp>
#include <hepad/ad/samples.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/random.hpp>
#include <hepad/flows/base.hpp>
#include <hepad/flows/config.hpp>
#include <hepad/flows/density_flow.hpp>
#include <hepad/flows/flow.hpp>

#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace hepad::ad {

/// The two trained flows of Morph.
template <class S>
struct morph_flows {
  using base_flow = flows::density_flow<S>;
  using top_flow = flows::density_flow<S, flows::frozen<typename flows::density_flow<S>::flow_type>>;
  base_flow base;
  top_flow top;
};

/// The top flow's architecture by default: the S0 top flow (4 x (reverse, affine MAF), MADE
/// width 4) with the exp-scale affine parameterisation, so that it can start at the identity.
inline flows::flow_config morph_top_identity() {
  flows::flow_config c = flows::presets::s0_morph_top();
  c.affine.kind = flows::affine_kind::exp_scale;
  return c;
}

/// Morph method (policy). Defaults (spec §4.4, §8): the base flow as Generate's; the top flow
/// with MADE width 4, Adam 1e-4, batch 128; both <= 20 epochs with early stopping, best-state
/// restore and a per-epoch cosine schedule.
///
/// Departure from the original: the top flow starts at the identity map (`identity_init`: its
/// MADE output layers start at zero with the exp-scale affine transformer, so T(x) = x), which is
/// what the construction assumes ("MC is close to data"). The original's softplus MAF starts at
/// a scale of softplus(0) = 0.69 per layer, i.e. T(x) ~ 0.24 x, and needs the ~10^5 optimiser
/// steps of the original's 10^6-event CR at lr 1e-4 to undo it; with smaller samples it does
/// not close. `identity_init = false` with `top = flows::presets::s0_morph_top()` restores the
/// original.
struct morph {
  flows::flow_config base = flows::presets::s0_generate();
  flows::flow_trainer base_training = flows::presets::s0_generate_training();
  flows::flow_config top = morph_top_identity();
  flows::flow_trainer top_training = flows::presets::s0_morph_top_training();
  bool identity_init = true;  ///< start the top flow at T = identity (zero MADE output layers)
  context_weights weights{};  ///< used when no shared context weights are given

  static constexpr std::string_view name = "morph";
  static constexpr auto fields() {
    return std::tuple{config::field{"base", &morph::base}, config::field{"base_training", &morph::base_training},
                      config::field{"top", &morph::top}, config::field{"top_training", &morph::top_training},
                      config::field{"identity_init", &morph::identity_init}, config::field{"weights", &morph::weights}};
  }

  /// Trains the base flow on MC-CR (`r.split(1)`) and the top flow on data-CR (`r.split(2)`).
  template <class S>
  [[nodiscard]] morph_flows<S> fit(const extrapolation_samples<S>& s, rng& r) const {
    flows::density_flow<S> b(base, base_training);
    {
      rng rb = r.split(1);
      const matrix<S> x = s.mc_cr.features(), c = s.mc_cr.context();
      b.fit(x, c, vector<S>::Ones(x.rows()), rb);
    }
    using frozen_t = flows::frozen<typename flows::density_flow<S>::flow_type>;
    typename morph_flows<S>::top_flow t(top, top_training, frozen_t(b.model()));
    {
      rng rt = r.split(2);
      const matrix<S> x = s.data_cr.features(), c = s.data_cr.context();
      if (identity_init) {
        if (top.affine.kind != flows::affine_kind::exp_scale)
          throw_invalid_argument("ad::morph::fit", "identity_init needs the exp-scale affine transformer (top.affine.kind)");
        t.build(x.cols(), c.cols(), rt);
        for (auto* p : t.parameters())
          if (p->name.ends_with("output.weight") || p->name.ends_with("output.bias")) p->value.setZero();
        t.warm_start = true;
      }
      t.fit(x, c, vector<S>::Ones(x.rows()), rt);
    }
    return morph_flows<S>{std::move(b), std::move(t)};
  }

  /// Trains (the context weights too, unless `shared` is given) and morphs the MC events.
  template <class S>
  [[nodiscard]] background_estimate<S> run(const extrapolation_samples<S>& s, rng& r,
                                           const context_weight_values<S>* shared = nullptr) const {
    context_weight_values<S> own;
    if (!shared) {
      rng rw = r.split(0);
      own = weights.run(s, rw);
      shared = &own;
    }
    return make_estimate(fit(s, r), s, *shared);
  }

  /// Transports MC features x to data-like ones T^-1(x; c).
  template <class S>
  [[nodiscard]] static matrix<S> transport(const morph_flows<S>& f, std::type_identity_t<matrix_cref<S>> x,
                                                 std::type_identity_t<matrix_cref<S>> c) {
    return f.top.inverse(x, c).value;
  }

  /// The templates of trained flows.
  template <class S>
  [[nodiscard]] background_estimate<S> make_estimate(const morph_flows<S>& f, const extrapolation_samples<S>& s,
                                                     const context_weight_values<S>& w) const {
    constexpr std::string_view fn = "ad::morph";
    check_size(fn, "context weights (SR)", static_cast<std::size_t>(w.sr.size()), static_cast<std::size_t>(s.mc_sr.size()));
    background_estimate<S> e;
    e.method = std::string(name);
    e.sr.context = s.mc_sr.context();
    e.sr.features = transport(f, s.mc_sr.features(), e.sr.context);
    e.sr.weights = w.sr;
    e.cr.context = s.mc_cr_holdout.context();
    e.cr.features = transport(f, s.mc_cr_holdout.features(), e.cr.context);
    e.cr.weights = w.cr_holdout;
    check_all_finite(fn, "morphed SR features", e.sr.features);
    e.sr.validate(fn);
    detail::add_weight_diagnostics(e, "sr", summarize_weights<S>(e.sr.weights));
    e.add("base_best_epoch", static_cast<double>(f.base.history().best_epoch));
    e.add("base_best_val_nll", f.base.history().best_val_loss);
    e.add("top_best_epoch", static_cast<double>(f.top.history().best_epoch));
    e.add("top_best_val_nll", f.top.history().best_val_loss);
    return e;
  }
};

}  // namespace hepad::ad

#endif  // HEPAD_AD_MORPH_HPP
