// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/likelihood/histfactory.hpp
/// @brief `stats::histfactory`: a builder for HistFactory-style binned models. Channels, samples
/// and modifiers are added by name; modifier parameters are created on first use with the
/// HistFactory constraint (normsys/histosys α: Gaussian N(0 | α, 1); staterror γ_b: Gaussian
/// N(1 | γ_b, σ_b) or Poisson) and shared between samples and channels by name. `build` returns a
/// `likelihood<binned_model>`; `parameters()` and `model()` let other terms join (e.g. an
/// unbinned term) via `make_likelihood`.
#ifndef HEPAD_STATS_LIKELIHOOD_HISTFACTORY_HPP
#define HEPAD_STATS_LIKELIHOOD_HISTFACTORY_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/random.hpp>
#include <hepad/stats/likelihood/binned_channel.hpp>
#include <hepad/stats/likelihood/interpolation.hpp>
#include <hepad/stats/likelihood/likelihood.hpp>
#include <hepad/stats/likelihood/parameter_set.hpp>

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hepad::stats {

/// Several binned channels as one likelihood term.
class binned_model {
 public:
  binned_model() = default;
  explicit binned_model(std::vector<binned_channel> channels) : channels_(std::move(channels)) {}
  template <class T>
  [[nodiscard]] T nll(std::span<const T> theta) const {
    T s(0.0);
    for (const auto& c : channels_) s += c.nll(theta);
    return s;
  }
  [[nodiscard]] binned_model sample_data(std::span<const double> theta, rng& r) const {
    binned_model m;
    for (std::size_t i = 0; i < channels_.size(); ++i) {
      rng ri = r.split(i);
      m.channels_.push_back(channels_[i].sample_data(theta, ri));
    }
    return m;
  }
  [[nodiscard]] binned_model asimov_data(std::span<const double> theta) const {
    binned_model m;
    for (const auto& c : channels_) m.channels_.push_back(c.asimov_data(theta));
    return m;
  }
  /// Kinks of all channels (each parameter once).
  [[nodiscard]] std::vector<kink> kinks() const {
    std::vector<kink> out;
    for (const auto& c : channels_)
      for (const auto& k : c.kinks()) {
        bool seen = false;
        for (const auto& o : out) seen |= o.parameter == k.parameter && o.value == k.value;
        if (!seen) out.push_back(k);
      }
    return out;
  }
  [[nodiscard]] std::size_t size() const noexcept { return channels_.size(); }
  [[nodiscard]] binned_channel& channel(std::size_t i) { return channels_.at(i); }
  [[nodiscard]] const binned_channel& channel(std::size_t i) const { return channels_.at(i); }
  /// The channel called `name`. @throws out_of_range.
  [[nodiscard]] binned_channel& channel(std::string_view name) {
    for (auto& c : channels_)
      if (c.name() == name) return c;
    hepad::detail::raise<out_of_range>(hepad::detail::concat("stats::binned_model: no channel '", name, "'"));
  }
  void add(binned_channel c) { channels_.push_back(std::move(c)); }

 private:
  std::vector<binned_channel> channels_;
};

/// Builder of HistFactory-style models.
class histfactory {
 public:
  /// Adds a channel with observed counts. Returns a handle for adding samples.
  class channel_handle;
  /// A sample being configured (calls chain).
  class sample_handle {
   public:
    /// Multiplies the sample by the free parameter `name` (created with start 1, no bounds).
    sample_handle& normfactor(const std::string& name) {
      hf_->model_.channel(ch_).add_normfactor(s_, hf_->params_.get_or_add({.name = name, .value = 1.0, .step = 0.1}));
      return *this;
    }
    /// Normalisation systematic: factor `hi` at α = +1, `lo` at α = -1.
    sample_handle& normsys(const std::string& name, double lo, double hi, interpolation code = interpolation::exponential) {
      hf_->model_.channel(ch_).add_normsys(s_, hf_->nuisance(name), lo, hi, code);
      return *this;
    }
    /// Shape systematic with templates `down` (α = -1) and `up` (α = +1).
    sample_handle& histosys(const std::string& name, std::span<const double> down, std::span<const double> up,
                            interpolation code = interpolation::piecewise_linear) {
      hf_->model_.channel(ch_).add_histosys(s_, hf_->nuisance(name), down, up, code);
      return *this;
    }
    /// The sample takes the channel's per-bin statistical uncertainty (see `channel_handle::staterror`).
    sample_handle& staterror() {
      hf_->model_.channel(ch_).apply_staterror(s_);
      return *this;
    }

   private:
    friend class histfactory;
    friend class channel_handle;
    sample_handle(histfactory* hf, std::size_t ch, std::size_t s) : hf_(hf), ch_(ch), s_(s) {}
    histfactory* hf_;
    std::size_t ch_, s_;
  };
  class channel_handle {
   public:
    /// Adds a sample with its nominal template.
    sample_handle sample(std::string name, std::vector<double> nominal) {
      const std::size_t s = hf_->model_.channel(ch_).add_sample(std::move(name), std::move(nominal));
      return {hf_, ch_, s};
    }
    /// Per-bin statistical uncertainties of the summed templates: one γ_b per bin (parameters
    /// "<channel>_staterror_<b>", start 1, bounds [1e-10, 10]) with relative uncertainty
    /// `relative[b]`, constrained by a Gaussian (default) or a Poisson term. Bins with zero
    /// uncertainty get a fixed γ_b = 1.
    channel_handle& staterror(std::span<const double> relative, bool poisson = false) {
      auto& c = hf_->model_.channel(ch_);
      check_size("stats::histfactory::staterror", "relative", relative.size(), c.n_bins());
      std::vector<std::size_t> g(c.n_bins());
      for (std::size_t b = 0; b < c.n_bins(); ++b) {
        check_nonnegative("stats::histfactory::staterror", "relative uncertainty", relative[b]);
        const bool fixed = !(relative[b] > 0);
        g[b] = hf_->params_.add({.name = c.name() + "_staterror_" + std::to_string(b), .value = 1.0,
                                 .step = fixed ? 0.01 : relative[b], .lower = 1e-10, .upper = 10.0, .fixed = fixed});
        if (!fixed) {
          if (poisson) hf_->params_.constrain_poisson(g[b], relative[b]);
          else hf_->params_.constrain_gaussian(g[b], 1.0, relative[b]);
        }
      }
      c.set_staterror(std::move(g));
      return *this;
    }

   private:
    friend class histfactory;
    channel_handle(histfactory* hf, std::size_t ch) : hf_(hf), ch_(ch) {}
    histfactory* hf_;
    std::size_t ch_;
  };

  /// Adds a channel. @throws invalid_argument for bad counts.
  channel_handle channel(std::string name, std::vector<double> observed, double floor = 1e-12) {
    model_.add(binned_channel(std::move(name), std::move(observed), floor));
    return {this, model_.size() - 1};
  }

  /// The parameters created so far (e.g. to add an unbinned term's parameters).
  [[nodiscard]] parameter_set& parameters() noexcept { return params_; }
  /// The binned model built so far.
  [[nodiscard]] const binned_model& model() const noexcept { return model_; }

  /// The likelihood with parameter of interest `poi`. @throws out_of_range for an unknown name.
  [[nodiscard]] likelihood<binned_model> build(std::string_view poi) const { return make_likelihood(params_, poi, model_); }

 private:
  std::size_t nuisance(const std::string& name) {
    if (params_.contains(name)) return params_.index(name);
    const std::size_t i = params_.add({.name = name, .value = 0.0, .step = 1.0});
    params_.constrain_gaussian(i, 0.0, 1.0);
    return i;
  }
  parameter_set params_;
  binned_model model_;
};

}  // namespace hepad::stats

#endif  // HEPAD_STATS_LIKELIHOOD_HISTFACTORY_HPP
