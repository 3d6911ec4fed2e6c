// SPDX-License-Identifier: BSL-1.0
// ODR test driver: calls into both generated translation units.
int hepad_odr_tu1();
int hepad_odr_tu2();
int main() { return (hepad_odr_tu1() + 1 == hepad_odr_tu2()) ? 0 : 1; }
