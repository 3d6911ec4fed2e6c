// EXPECT: does not accept the output of the stage before it ... stage_check<1, hepad_test::scale, double>
// A pipeline whose second stage (scale, on vectors) is fed the first stage's double must not
// compile, and the error must name stage index 1, the stage type and the payload type.
#include "../pipeline/stages.hpp"

#include <hepad/pipeline/pipeline.hpp>

int main() {
  hepad::rng r(1);
#ifdef HEPAD_COMPILE_FAIL_CONTROL
  auto p = hepad::make_pipeline(hepad_test::scale{}, hepad_test::total{});
#else
  auto p = hepad::make_pipeline(hepad_test::total{}, hepad_test::scale{});
#endif
  auto out = p.run(hepad_test::values{1.0, 2.0}, r);
  (void)out;
  return 0;
}
