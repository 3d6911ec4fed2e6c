// EXPECT: must model hepad::objective ... docs/concepts/objective.md
// stats::minimize on something that is neither an objective nor a generic autodiff function (here
// a function of double only, which forward-mode autodiff cannot evaluate) must fail with a message
// that says what is expected and where it is documented.
#include <hepad/stats/minimize.hpp>

#include <span>

namespace {
struct double_only {
  double operator()(std::span<const double> p) const { return p[0] * p[0]; }
};
struct good {
  template <class T>
  T operator()(std::span<const T> p) const { return p[0] * p[0]; }
};
}  // namespace

int main() {
#ifdef HEPAD_COMPILE_FAIL_CONTROL
  const auto m = hepad::stats::minimize(good{}, {1.0});
#else
  const auto m = hepad::stats::minimize(double_only{}, {1.0});
#endif
  return m.valid() ? 0 : 1;
}
