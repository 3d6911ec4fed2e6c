// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/result.hpp
/// @brief `hepad::status` and `hepad::result<T>`: numerical outcomes that are reported, never
/// thrown (a fit that did not converge is a result, not an exception).
#ifndef HEPAD_CORE_RESULT_HPP
#define HEPAD_CORE_RESULT_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace hepad {

/// Outcome of an iterative numerical procedure.
enum class status : int {
  success = 0,          ///< finished and met its convergence criterion
  max_iterations,       ///< stopped at the iteration/call limit before converging
  non_finite,           ///< a function value or gradient became NaN or infinite
  not_converged,        ///< stopped without meeting the criterion (e.g. line search failed)
  invalid_covariance,   ///< converged, but the covariance/Hessian is not positive definite
  at_limit,             ///< converged with a parameter at a bound
  undefined,            ///< the quantity does not exist for this input (e.g. SIC at a rejection never reached)
  stopped_by_callback,  ///< a callback asked to stop
  cancelled             ///< stopped on request from outside
};

/// Human-readable name of a status.
inline constexpr std::string_view to_string(status s) noexcept {
  switch (s) {
    case status::success: return "success";
    case status::max_iterations: return "max_iterations";
    case status::non_finite: return "non_finite";
    case status::not_converged: return "not_converged";
    case status::invalid_covariance: return "invalid_covariance";
    case status::at_limit: return "at_limit";
    case status::undefined: return "undefined";
    case status::stopped_by_callback: return "stopped_by_callback";
    case status::cancelled: return "cancelled";
  }
  return "unknown";
}

/// True for the outcomes whose value can be used as the answer.
inline constexpr bool usable(status s) noexcept {
  return s == status::success || s == status::at_limit || s == status::stopped_by_callback;
}

/// A value together with the status of the computation that produced it.
/// @tparam T the value type (a number, a parameter vector, a fit summary).
template <class T>
struct result {
  T value{};                       ///< the answer (meaningful when `ok()`, best effort otherwise)
  hepad::status status = status::success;
  std::int64_t iterations = 0;     ///< iterations or function calls, as documented by the producer
  std::string message{};           ///< why, when not `success`

  /// True when `status` is usable.
  [[nodiscard]] bool ok() const noexcept { return usable(status); }
  explicit operator bool() const noexcept { return ok(); }
};

}  // namespace hepad

#endif  // HEPAD_CORE_RESULT_HPP
