// EXPECT: flows::flow: Transform must model flows::flow_layer
// A flow over a type that is only an evaluation bijector (no tape interface, no parameters) must
// not compile, and the error must say which concept is missing and where it is documented.
#include <hepad/flows/flow.hpp>
#include <hepad/flows/permutation.hpp>

struct eval_only {
  using scalar_type = float;
  hepad::transform_result<float> forward(hepad::matrix_cref<float> x, hepad::matrix_cref<float>) const {
    return {x, hepad::vector<float>::Zero(x.rows())};
  }
  hepad::transform_result<float> inverse(hepad::matrix_cref<float> x, hepad::matrix_cref<float>) const {
    return {x, hepad::vector<float>::Zero(x.rows())};
  }
};

int main() {
#ifdef HEPAD_COMPILE_FAIL_CONTROL
  hepad::flows::flow<float, hepad::flows::permutation<float>> f(hepad::flows::permutation<float>::reverse(2));
#else
  hepad::flows::flow<float, eval_only> f;
#endif
  return static_cast<int>(f.n_features());
}
