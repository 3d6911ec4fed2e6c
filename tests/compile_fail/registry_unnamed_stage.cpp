// EXPECT: hepad::registry: every stage needs `static constexpr std::string_view name`
// A registry can only hold named stages.
#include "../pipeline/stages.hpp"

#include <hepad/pipeline/registry.hpp>

struct unnamed {
  static constexpr auto fields() { return std::tuple{}; }
#ifdef HEPAD_COMPILE_FAIL_CONTROL
  static constexpr std::string_view name = "unnamed";
#endif
  hepad_test::values run(hepad_test::values v) const { return v; }
};

int main() {
  auto p = hepad::registry<hepad_test::scale, unnamed>::build<hepad_test::payload>(
      hepad::config::value(hepad::config::value::array{}));
  return static_cast<int>(p.size());
}
