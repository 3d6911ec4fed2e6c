// EXPECT: the objective must be callable as obj\(tape, model, batch\) or as a loss
// An objective that is neither obj(tape, model, batch) nor loss(prediction, batch) must fail with a
// message that says which signatures are accepted.
#include <hepad/nn/losses/bce.hpp>
#include <hepad/nn/mlp.hpp>
#include <hepad/nn/trainer.hpp>

int main() {
  hepad::rng r(1);
  hepad::matrix<float> x = hepad::matrix<float>::Zero(4, 2), y = hepad::matrix<float>::Zero(4, 1);
  hepad::nn::trainer<> tr{.epochs = 1, .progress = false};
  hepad::nn::mlp<float> m({2, 1}, r);
#ifdef HEPAD_COMPILE_FAIL_CONTROL
  tr.fit(m, hepad::nn::bce_loss{}, hepad::nn::make_data(x, y), r);
#else
  tr.fit(m, [](int) { return 0; }, hepad::nn::make_data(x, y), r);
#endif
  return 0;
}
