// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/minimum.hpp
/// @brief Results of the minimizer: `fit_status` (converged or why not, in Minuit's vocabulary) and
/// `minimum` (values, errors, covariance, EDM, call counts). Not here: the algorithms
/// (stats/minimize.hpp, stats/hesse.hpp, stats/minos.hpp).
#ifndef HEPAD_STATS_MINIMUM_HPP
#define HEPAD_STATS_MINIMUM_HPP

#include <hepad/core/eigen.hpp>
#include <hepad/core/result.hpp>
#include <hepad/stats/parameter.hpp>

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hepad::stats {

/// Why a minimization ended. `code` is `status::success` only for a valid minimum: converged with
/// EDM below the goal and, if a covariance was computed, a positive-definite one. A parameter at
/// a bound gives `status::at_limit` (still usable). Nothing fails silently: every other outcome
/// has a non-success code and a `message`.
struct fit_status {
  hepad::status code = status::not_converged;
  bool converged = false;            ///< EDM fell below the goal
  bool above_max_edm = false;        ///< stopped with EDM above the goal
  bool reached_call_limit = false;   ///< stopped at `max_calls`
  bool has_covariance = false;       ///< a covariance is available
  bool covariance_accurate = false;  ///< from the exact Hessian (HESSE), not the quasi-Newton update
  bool covariance_pos_def = false;   ///< the Hessian was positive definite
  bool made_pos_def = false;         ///< the Hessian had to be forced positive definite
  bool hesse_failed = false;         ///< the Hessian could not be computed (non-finite)
  bool at_limit = false;             ///< a parameter is within 1e-6 (relative to its range) of a bound
  bool non_finite = false;           ///< the function or gradient was NaN/inf where it mattered
  bool at_kink = false;              ///< the minimum sits on a kink of the objective (see `minimum::kink_parameters`)
  std::string message{};             ///< human-readable summary ("converged" or the reason)

  /// A minimum that can be used: success or at_limit.
  [[nodiscard]] bool valid() const noexcept { return usable(code); }
};

/// A minimum found by `minimize` (and refined by `hesse`). Vectors cover all parameters in the
/// order given, fixed ones included (their errors and covariance entries are 0).
struct minimum {
  std::vector<parameter> parameters{};  ///< the parameter list as given (start values, bounds, fixed)
  std::vector<double> values{};         ///< best-fit values
  std::vector<double> errors{};         ///< sqrt(diag covariance) (0 if fixed or no covariance)
  matrix<double> covariance{};          ///< 2 errordef H^-1, transformed to external coordinates
  double fval = 0;                      ///< function value at the minimum
  double edm = 0;                       ///< estimated distance to minimum, 1/2 g^T H^-1 g
  double edm_goal = 0;                  ///< 0.002 tolerance errordef
  double errordef = 0.5;                ///< 0.5 for -ln L, 1 for chi^2 or -2 ln L
  std::int64_t n_calls = 0;             ///< function evaluations (each with or without gradient)
  std::int64_t n_gradients = 0;         ///< of which with gradient
  std::int64_t n_hessians = 0;          ///< exact Hessian evaluations
  int iterations = 0;                   ///< variable-metric iterations
  /// Parameters held on a kink of the objective at the minimum (one-sided derivatives of
  /// opposite signs): their error is 0 and the covariance is conditional on them.
  std::vector<std::size_t> kink_parameters{};
  fit_status status{};

  [[nodiscard]] bool valid() const noexcept { return status.valid(); }
  /// Value of the parameter called `name`. @throws out_of_range.
  [[nodiscard]] double value(std::string_view name) const { return values[parameter_index(parameters, name)]; }
  /// Error of the parameter called `name`. @throws out_of_range.
  [[nodiscard]] double error(std::string_view name) const { return errors[parameter_index(parameters, name)]; }
  /// Correlation coefficient of parameters i and j (0 if either has no error).
  [[nodiscard]] double correlation(std::size_t i, std::size_t j) const {
    const double d = std::sqrt(covariance(static_cast<index_t>(i), static_cast<index_t>(i)) *
                               covariance(static_cast<index_t>(j), static_cast<index_t>(j)));
    return d > 0 ? covariance(static_cast<index_t>(i), static_cast<index_t>(j)) / d : 0.0;
  }
};

}  // namespace hepad::stats

#endif  // HEPAD_STATS_MINIMUM_HPP
