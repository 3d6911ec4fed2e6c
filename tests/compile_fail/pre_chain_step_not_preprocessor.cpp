// EXPECT: hepad::pre::chain: every step must be an invertible preprocessor
// A compile-time preprocessor chain whose step lacks the preprocessor members must not compile,
// and the error must say what a step needs.
#include <hepad/pre/chain.hpp>
#include <hepad/pre/standardize.hpp>

struct not_a_preprocessor {
  int value = 0;
};

int main() {
#ifdef HEPAD_COMPILE_FAIL_CONTROL
  hepad::pre::chain<hepad::pre::standardize, hepad::pre::identity> c;
#else
  hepad::pre::chain<hepad::pre::standardize, not_a_preprocessor> c;
#endif
  (void)c;
  return 0;
}
