// EXPECT: the model must model hepad::module
// Training something that is not a module (no forward(tape, node)/parameters()) must fail with a
// message naming the concept and its documentation page.
#include <hepad/nn/losses/bce.hpp>
#include <hepad/nn/mlp.hpp>
#include <hepad/nn/trainer.hpp>

struct not_a_module {
  using scalar_type = float;
};

int main() {
  hepad::rng r(1);
  hepad::matrix<float> x = hepad::matrix<float>::Zero(4, 2), y = hepad::matrix<float>::Zero(4, 1);
  hepad::nn::trainer<> tr{.epochs = 1, .progress = false};
#ifdef HEPAD_COMPILE_FAIL_CONTROL
  hepad::nn::mlp<float> m({2, 1}, r);
#else
  not_a_module m;
#endif
  tr.fit(m, hepad::nn::bce_loss{}, hepad::nn::make_data(x, y), r);
  return 0;
}
