// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/test_statistic.hpp
/// @brief The `test_statistic` concept family and its payload `test_result`: a statistic computed
/// from an input (a likelihood with data), with its p-value and significance where a distribution
/// is known. See docs/concepts/test_statistic.md.
#ifndef HEPAD_CORE_CONCEPTS_TEST_STATISTIC_HPP
#define HEPAD_CORE_CONCEPTS_TEST_STATISTIC_HPP

#include <hepad/core/result.hpp>

#include <concepts>
#include <limits>
#include <string>

namespace hepad {

/// The outcome of a hypothesis test (a pipeline payload: concrete, printable, comparable).
struct test_result {
  std::string statistic{};  ///< "q0", "qmu", "qmu_tilde", ...
  double value = 0;         ///< the test statistic
  double p_value = std::numeric_limits<double>::quiet_NaN();       ///< p-value (asymptotic or from toys)
  double significance = std::numeric_limits<double>::quiet_NaN();  ///< Z = Φ^-1(1 - p)
  double cls = std::numeric_limits<double>::quiet_NaN();           ///< CLs = CLs+b / CLb where computed
  double clsb = std::numeric_limits<double>::quiet_NaN();          ///< p-value under s+b
  double clb = std::numeric_limits<double>::quiet_NaN();           ///< p-value of the b-only hypothesis (as in CLs = CLs+b/CLb)
  double poi_hat = std::numeric_limits<double>::quiet_NaN();       ///< best-fit parameter of interest
  double poi_tested = std::numeric_limits<double>::quiet_NaN();    ///< the tested value (0 for q0)
  hepad::status status = status::success;                          ///< the fits' outcome
  std::string message{};
  [[nodiscard]] bool ok() const noexcept { return usable(status); }
};

/// `T` evaluates a test statistic on input `In`.
template <class T, class In>
concept test_statistic = requires(const T& t, const In& in) {
  { t.evaluate(in) } -> std::convertible_to<test_result>;
};

/// A test statistic with a known asymptotic distribution: `asymptotic_p_value(q)`.
template <class T, class In>
concept asymptotic_statistic = test_statistic<T, In> && requires(const T& t, double q) {
  { t.asymptotic_p_value(q) } -> std::convertible_to<double>;
};

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_TEST_STATISTIC_HPP
