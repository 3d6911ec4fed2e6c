// EXPECT: hepad::config::from_value: this type has no field list
// Reading a config type that does not publish its fields is a readable compile-time error.
#include <hepad/config/fields.hpp>

#include <tuple>

struct my_config {
  double x = 1;
#ifdef HEPAD_COMPILE_FAIL_CONTROL
  static constexpr auto fields() { return std::tuple{hepad::config::field{"x", &my_config::x}}; }
#endif
};

int main() {
  auto c = hepad::config::from_value<my_config>(hepad::config::value(hepad::config::value::object{}));
  return static_cast<int>(c.x);
}
