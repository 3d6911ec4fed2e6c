// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/optim/schedule.hpp
/// @brief Learning-rate schedules: `constant_lr`, `cosine_schedule` and `linear_decay` (each says
/// explicitly whether it advances per epoch or per optimizer step) and `reduce_on_plateau`.
///
/// A schedule is an aggregate config with a nested trivially copyable `state` (saved in
/// checkpoints) and
/// - `double learning_rate(const state&, double base_lr, const schedule_position&) const`, and
/// - optionally `void observe(state&, double monitored_loss) const`, called once per epoch with the
///   validation loss (or the training loss when there is no validation set).
#ifndef HEPAD_NN_OPTIM_SCHEDULE_HPP
#define HEPAD_NN_OPTIM_SCHEDULE_HPP

#include <hepad/config/fields.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string_view>
#include <tuple>

namespace hepad::nn {

/// Where training is: `epoch` (0-based), `step` within the epoch, `steps_per_epoch`.
struct schedule_position {
  std::int64_t epoch = 0;
  std::int64_t step = 0;
  std::int64_t steps_per_epoch = 1;
  /// Optimizer steps taken before this one.
  [[nodiscard]] std::int64_t global_step() const noexcept { return epoch * steps_per_epoch + step; }
};

/// The unit in which a schedule advances.
enum class schedule_unit : int {
  epoch = 0,  ///< the learning rate changes at epoch boundaries only
  step = 1    ///< the learning rate changes after every optimizer step
};

namespace detail {
inline double schedule_time(schedule_unit u, const schedule_position& p) noexcept {
  return u == schedule_unit::epoch ? static_cast<double>(p.epoch) : static_cast<double>(p.global_step());
}
}  // namespace detail

/// The base learning rate throughout.
struct constant_lr {
  static constexpr std::string_view name = "constant_lr";
  static constexpr auto fields() { return std::tuple{}; }
  struct state {};
  double learning_rate(const state&, double base, const schedule_position&) const noexcept { return base; }
};

/// Cosine annealing (torch CosineAnnealingLR without restarts):
/// lr = eta_min + (base - eta_min) (1 + cos(pi min(t, t_max) / t_max)) / 2, t counted in `unit`s.
struct cosine_schedule {
  std::int64_t t_max = 100;  ///< length of the half period, in `unit`s (must be > 0)
  double eta_min = 0.0;      ///< final learning rate
  schedule_unit unit = schedule_unit::epoch;
  static constexpr std::string_view name = "cosine";
  static constexpr auto fields() {
    return std::tuple{config::field{"t_max", &cosine_schedule::t_max}, config::field{"eta_min", &cosine_schedule::eta_min},
                      config::field{"unit", &cosine_schedule::unit}};
  }
  struct state {};
  double learning_rate(const state&, double base, const schedule_position& p) const noexcept {
    const double tm = static_cast<double>((std::max)(std::int64_t{1}, t_max));
    const double t = (std::min)(detail::schedule_time(unit, p), tm);
    return eta_min + (base - eta_min) * 0.5 * (1.0 + std::cos(std::numbers::pi * t / tm));
  }
};

/// Linear decay from base to base * end_factor over `total` units, constant afterwards.
struct linear_decay {
  std::int64_t total = 100;
  double end_factor = 0.0;
  schedule_unit unit = schedule_unit::step;
  static constexpr std::string_view name = "linear_decay";
  static constexpr auto fields() {
    return std::tuple{config::field{"total", &linear_decay::total}, config::field{"end_factor", &linear_decay::end_factor},
                      config::field{"unit", &linear_decay::unit}};
  }
  struct state {};
  double learning_rate(const state&, double base, const schedule_position& p) const noexcept {
    const double tot = static_cast<double>((std::max)(std::int64_t{1}, total));
    const double f = (std::min)(detail::schedule_time(unit, p), tot) / tot;
    return base * (1.0 - (1.0 - end_factor) * f);
  }
};

/// Reduce the learning rate by `factor` when the monitored loss has not improved by more than
/// `threshold` (relative) for `patience` epochs (torch ReduceLROnPlateau, mode "min", rel).
struct reduce_on_plateau {
  double factor = 0.1;
  std::int64_t patience = 10;
  double threshold = 1e-4;
  std::int64_t cooldown = 0;
  double min_lr = 0.0;
  static constexpr std::string_view name = "reduce_on_plateau";
  static constexpr auto fields() {
    return std::tuple{config::field{"factor", &reduce_on_plateau::factor},
                      config::field{"patience", &reduce_on_plateau::patience},
                      config::field{"threshold", &reduce_on_plateau::threshold},
                      config::field{"cooldown", &reduce_on_plateau::cooldown},
                      config::field{"min_lr", &reduce_on_plateau::min_lr}};
  }
  struct state {
    double scale = 1.0;
    double best = std::numeric_limits<double>::infinity();
    std::int64_t bad_epochs = 0;
    std::int64_t cooldown_left = 0;
    std::int64_t reductions = 0;
  };
  double learning_rate(const state& s, double base, const schedule_position&) const noexcept {
    return (std::max)(min_lr, base * s.scale);
  }
  void observe(state& s, double loss) const noexcept {
    if (loss < s.best * (1.0 - threshold) || (s.best == std::numeric_limits<double>::infinity() && std::isfinite(loss))) {
      s.best = loss;
      s.bad_epochs = 0;
    } else {
      ++s.bad_epochs;
    }
    if (s.cooldown_left > 0) {
      --s.cooldown_left;
      s.bad_epochs = 0;
    }
    if (s.bad_epochs > patience) {
      s.scale *= factor;
      ++s.reductions;
      s.cooldown_left = cooldown;
      s.bad_epochs = 0;
    }
  }
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_OPTIM_SCHEDULE_HPP
