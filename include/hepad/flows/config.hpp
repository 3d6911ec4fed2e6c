// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/config.hpp
/// @brief Configuration of whole flows: `flow_config` (architecture: transform kind, layers,
/// permutations, normalisation, conditioner, transformer), `build_transform` (the layer stack it
/// describes), `flow_schedule` (learning-rate policies including the S0 original's per-batch
/// cosine), `flow_trainer` (the nn::trainer used for maximum likelihood) and `presets` (the peer
/// benchmark MAF and the S0 Generate / Morph flows). Not here: the density-estimator policy
/// (density_flow.hpp).
#ifndef HEPAD_FLOWS_CONFIG_HPP
#define HEPAD_FLOWS_CONFIG_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/flows/autoregressive.hpp>
#include <hepad/flows/coupling.hpp>
#include <hepad/flows/lu_linear.hpp>
#include <hepad/flows/made.hpp>
#include <hepad/flows/normalization.hpp>
#include <hepad/flows/permutation.hpp>
#include <hepad/flows/rq_spline.hpp>
#include <hepad/flows/stack.hpp>
#include <hepad/flows/transformers.hpp>
#include <hepad/nn/optim/adam.hpp>
#include <hepad/nn/optim/schedule.hpp>
#include <hepad/nn/trainer.hpp>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string_view>
#include <tuple>

namespace hepad::flows {

/// The elementwise transform and how it is conditioned.
enum class transform_kind : int {
  affine_autoregressive = 0,  ///< MAF
  spline_autoregressive = 1,  ///< autoregressive rational-quadratic spline flow
  affine_coupling = 2,        ///< RealNVP
  spline_coupling = 3         ///< rational-quadratic spline coupling flow
};
/// The feature mixing between transforms.
enum class permutation_kind : int {
  none = 0,
  reverse = 1,  ///< reverse the feature order
  random = 2,   ///< a random permutation per layer (drawn when the flow is built)
  lu = 3        ///< a random permutation followed by a trainable LU-linear map
};
/// A normalisation bijector before each transform.
enum class normalization_kind : int { none = 0, actnorm = 1, batch_norm = 2 };

/// Architecture of a flow built by `build_transform`.
///
/// Layer i (i = 0 .. n_layers - 1) is [normalisation] transform, with the permutation either in
/// front of every transform (`permute_first`, nflows/CATHODE style) or between consecutive
/// transforms (the peer benchmark's style). Coupling layers alternate their transformed features
/// (nflows' alternating mask, even features in even layers).
struct flow_config {
  transform_kind transform = transform_kind::affine_autoregressive;
  std::int64_t n_layers = 5;
  permutation_kind permutation = permutation_kind::reverse;
  bool permute_first = false;
  normalization_kind normalization = normalization_kind::none;
  made_config net{};
  affine_config affine{};
  rq_spline_config spline{};
  /// Spline transforms: divide the raw widths and heights by sqrt(net.hidden) (nflows).
  bool scale_spline_params = true;
  static constexpr std::string_view name = "flow";
  static constexpr auto fields() {
    return std::tuple{config::field{"transform", &flow_config::transform},
                      config::field{"n_layers", &flow_config::n_layers},
                      config::field{"permutation", &flow_config::permutation},
                      config::field{"permute_first", &flow_config::permute_first},
                      config::field{"normalization", &flow_config::normalization},
                      config::field{"net", &flow_config::net},
                      config::field{"affine", &flow_config::affine},
                      config::field{"spline", &flow_config::spline},
                      config::field{"scale_spline_params", &flow_config::scale_spline_params}};
  }
  /// @throws invalid_argument naming `fn` and the offending field.
  void validate(std::string_view fn) const {
    check_positive(fn, "flow.n_layers", n_layers);
    check_in_range(fn, "flow.transform", static_cast<int>(transform), 0, 3);
    check_in_range(fn, "flow.permutation", static_cast<int>(permutation), 0, 3);
    check_in_range(fn, "flow.normalization", static_cast<int>(normalization), 0, 2);
    net.validate(fn);
    if (transform == transform_kind::spline_autoregressive || transform == transform_kind::spline_coupling)
      spline.validate(fn);
    check_positive(fn, "flow.affine.min_scale", affine.min_scale);
  }
};

/// Builds the layer stack described by `cfg` for D features and C context columns; random
/// permutations are drawn from `r` (parameters are not initialised: call `reset_parameters`).
template <class S>
inline stack<S> build_transform(const flow_config& cfg, index_t D, index_t C, rng& r) {
  cfg.validate("flows::build_transform");
  check_positive("flows::build_transform", "n_features", D);
  check_nonnegative("flows::build_transform", "n_context", C);
  if ((cfg.transform == transform_kind::affine_coupling || cfg.transform == transform_kind::spline_coupling) && D < 2)
    throw_invalid_argument("flows::build_transform", "coupling flows need at least 2 features");
  stack<S> s;
  rng rp = r.split(0x9e12);
  auto add_permutation = [&](std::int64_t i) {
    switch (cfg.permutation) {
      case permutation_kind::none: break;
      case permutation_kind::reverse: s.push_back(permutation<S>::reverse(D, C)); break;
      case permutation_kind::random: {
        rng ri = rp.split(static_cast<std::uint64_t>(i));
        s.push_back(permutation<S>::random(D, ri, C));
        break;
      }
      case permutation_kind::lu: {
        rng ri = rp.split(static_cast<std::uint64_t>(i));
        s.push_back(permutation<S>::random(D, ri, C));
        s.push_back(lu_linear<S>(D, C));
        break;
      }
    }
  };
  const double pscale = cfg.scale_spline_params ? 1.0 / std::sqrt(static_cast<double>(cfg.net.hidden)) : 1.0;
  for (std::int64_t i = 0; i < cfg.n_layers; ++i) {
    if (cfg.permute_first) add_permutation(i);
    if (cfg.normalization == normalization_kind::actnorm) s.push_back(actnorm<S>(D, C));
    if (cfg.normalization == normalization_kind::batch_norm) s.push_back(batch_norm<S>(D, C));
    switch (cfg.transform) {
      case transform_kind::affine_autoregressive:
        s.push_back(maf_layer<S>(D, C, cfg.net, affine_transformer<S>{cfg.affine}));
        break;
      case transform_kind::spline_autoregressive:
        s.push_back(rq_autoregressive<S>(D, C, cfg.net, spline_transformer<S>{cfg.spline, pscale}));
        break;
      case transform_kind::affine_coupling:
        s.push_back(affine_coupling<S>(D, C, coupling_mask::alternating(D, i % 2 == 0), cfg.net,
                                       affine_transformer<S>{cfg.affine}));
        break;
      case transform_kind::spline_coupling:
        s.push_back(rq_coupling<S>(D, C, coupling_mask::alternating(D, i % 2 == 0), cfg.net,
                                   spline_transformer<S>{cfg.spline, pscale}));
        break;
    }
    if (!cfg.permute_first && i + 1 < cfg.n_layers) add_permutation(i);
  }
  return s;
}

/// Learning-rate policy of flow training (an nn::trainer schedule).
struct flow_schedule {
  enum class kind : int {
    constant = 0,
    /// Cosine annealing to eta_min over t_max units, then constant (default for S0: t_max =
    /// epochs, unit = epoch).
    cosine = 1,
    /// torch CosineAnnealingLR continued past t_max: periodic with period 2 t_max. With unit =
    /// step and t_max = the number of epochs this replicates the S0 original (the learning rate
    /// oscillates between its maximum and 0 every 2 t_max batches).
    cyclic_cosine = 2
  };
  kind policy = kind::constant;
  std::int64_t t_max = 1;
  double eta_min = 0.0;
  nn::schedule_unit unit = nn::schedule_unit::epoch;
  static constexpr std::string_view name = "flow_schedule";
  static constexpr auto fields() {
    return std::tuple{config::field{"policy", &flow_schedule::policy}, config::field{"t_max", &flow_schedule::t_max},
                      config::field{"eta_min", &flow_schedule::eta_min}, config::field{"unit", &flow_schedule::unit}};
  }
  struct state {};
  double learning_rate(const state&, double base, const nn::schedule_position& p) const noexcept {
    if (policy == kind::constant) return base;
    const double tm = static_cast<double>((std::max)(std::int64_t{1}, t_max));
    double t = unit == nn::schedule_unit::epoch ? static_cast<double>(p.epoch) : static_cast<double>(p.global_step());
    if (policy == kind::cosine) t = (std::min)(t, tm);
    return eta_min + (base - eta_min) * 0.5 * (1.0 + std::cos(std::numbers::pi * t / tm));
  }
};

/// The trainer used to fit flows by maximum likelihood (Adam + a flow_schedule). Defaults: as
/// nn::trainer, but `chunks = 1` (whole batches; set more for multi-threaded training) and no
/// progress bar.
using flow_trainer = nn::trainer<nn::adam, flow_schedule>;

/// Ready-made configurations.
namespace presets {

/// Architecture and training of ../shared/peers/peer_maf.py: 5 MAF layers (features reversed
/// between them), MADE 2 x 64 hidden with zero-based degrees and the context as an extra input
/// column, u = (x - m) exp(-a); Adam 1e-3, batch 256, 3 epochs, no validation.
inline flow_config peer_maf() {
  return flow_config{.transform = transform_kind::affine_autoregressive,
                     .n_layers = 5,
                     .permutation = permutation_kind::reverse,
                     .permute_first = false,
                     .net = made_config{.hidden = 64, .n_layers = 2, .residual = false,
                                        .degrees = made_degrees::zero_based, .context = made_context::joint},
                     .affine = affine_config{.kind = affine_kind::exp_scale}};
}
inline flow_trainer peer_maf_training() {
  flow_trainer t;
  t.epochs = 3;
  t.batch_size = 256;
  t.chunks = 1;
  t.progress = false;
  t.optimizer.learning_rate = 1e-3;
  return t;
}

/// S0 "Generate" (CATHODE-style) flow, spec section 4.3: 4 x (reverse permutation, MAF layer),
/// MADE hidden 128 with 2 residual blocks and context terms, nflows degrees, softplus scale
/// (+1e-3).
inline flow_config s0_generate() {
  return flow_config{.transform = transform_kind::affine_autoregressive,
                     .n_layers = 4,
                     .permutation = permutation_kind::reverse,
                     .permute_first = true,
                     .net = made_config{.hidden = 128, .n_layers = 2, .residual = true,
                                        .degrees = made_degrees::nflows, .context = made_context::separate,
                                        .block_context = true, .zero_init = 1e-3},
                     .affine = affine_config{.kind = affine_kind::softplus_scale, .min_scale = 1e-3}};
}
/// S0 Generate training: Adam 1e-3, batch 256, at most 20 epochs, 20% seeded validation split,
/// early stopping (patience 5, min_delta 0.005) with the best state restored, per-epoch cosine
/// (the library default; see `s0_original_schedule` for the original's per-batch one).
inline flow_trainer s0_generate_training() {
  flow_trainer t;
  t.epochs = 20;
  t.batch_size = 256;
  t.validation_fraction = 0.2;
  t.patience = 5;
  t.min_delta = 0.005;
  t.restore_best = true;
  t.chunks = 1;
  t.progress = false;
  t.optimizer.learning_rate = 1e-3;
  t.schedule = flow_schedule{.policy = flow_schedule::kind::cosine, .t_max = 20, .unit = nn::schedule_unit::epoch};
  return t;
}
/// S0 "Morph" top flow, spec section 4.4: as Generate with hidden width 4 (trained on top of a
/// frozen base flow).
inline flow_config s0_morph_top() {
  flow_config c = s0_generate();
  c.net.hidden = 4;
  return c;
}
/// S0 Morph top-flow training: lr 1e-4, batch 128, otherwise as Generate.
inline flow_trainer s0_morph_top_training() {
  flow_trainer t = s0_generate_training();
  t.batch_size = 128;
  t.optimizer.learning_rate = 1e-4;
  return t;
}
/// The S0 original's schedule (spec section 11 item 3): cosine with T = n_epochs stepped every
/// batch, i.e. cyclic with a period of 2 n_epochs batches. Non-default; for replication only.
inline flow_schedule s0_original_schedule(std::int64_t n_epochs = 20) {
  return flow_schedule{.policy = flow_schedule::kind::cyclic_cosine, .t_max = n_epochs, .unit = nn::schedule_unit::step};
}
/// An autoregressive rational-quadratic spline flow (nflows defaults: 8 bins, tail bound 3).
inline flow_config spline_autoregressive(std::int64_t n_layers = 4, std::int64_t hidden = 64) {
  return flow_config{.transform = transform_kind::spline_autoregressive,
                     .n_layers = n_layers,
                     .permutation = permutation_kind::reverse,
                     .permute_first = true,
                     .net = made_config{.hidden = hidden, .n_layers = 2, .residual = true,
                                        .degrees = made_degrees::nflows, .context = made_context::separate},
                     .spline = rq_spline_config{.n_bins = 8, .tail_bound = 3.0}};
}
/// A rational-quadratic spline coupling flow with LU-linear mixing.
inline flow_config spline_coupling(std::int64_t n_layers = 4, std::int64_t hidden = 64) {
  return flow_config{.transform = transform_kind::spline_coupling,
                     .n_layers = n_layers,
                     .permutation = permutation_kind::lu,
                     .permute_first = false,
                     .net = made_config{.hidden = hidden, .n_layers = 2, .residual = true,
                                        .context = made_context::separate},
                     .spline = rq_spline_config{.n_bins = 8, .tail_bound = 3.0}};
}
/// RealNVP: affine coupling layers with alternating masks and ActNorm.
inline flow_config realnvp(std::int64_t n_layers = 6, std::int64_t hidden = 64) {
  return flow_config{.transform = transform_kind::affine_coupling,
                     .n_layers = n_layers,
                     .permutation = permutation_kind::none,
                     .normalization = normalization_kind::actnorm,
                     .net = made_config{.hidden = hidden, .n_layers = 2, .residual = false,
                                        .context = made_context::separate},
                     .affine = affine_config{.kind = affine_kind::softplus_scale}};
}

}  // namespace presets

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_CONFIG_HPP
