// SPDX-License-Identifier: BSL-1.0
// Fuzz target for the NPY reader (in memory, as for .npz members): any input must either parse or
// raise a hepad::error; the parsed array must convert to columns when it is 1-D, 2-D or structured.

#include <hepad/io/npy.hpp>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto a = hepad::io::parse_npy(data, size, "fuzz.npy");
    if (a.structured() || a.shape.size() <= 2) (void)hepad::io::to_record_batch(a);
  } catch (const hepad::error&) {
  }
  return 0;
}
