// SPDX-License-Identifier: BSL-1.0
// Fuzz target for the NPY reader (in memory, as for .npz members): any input must either parse or
// raise a hepad::error; the parsed array must convert to columns when it is 1-D, 2-D or structured.
// clang 14 with libstdc++ 12 has no __builtin_source_location, so <source_location> is empty there;
// this harness-only stub lets hepad compile under the fuzz preset (error locations are blank).
#if defined(__clang__) && !__has_builtin(__builtin_source_location)
#include <cstdint>
namespace std {
struct source_location {
  static constexpr source_location current() noexcept { return {}; }
  constexpr std::uint_least32_t line() const noexcept { return 0; }
  constexpr std::uint_least32_t column() const noexcept { return 0; }
  constexpr const char* file_name() const noexcept { return ""; }
  constexpr const char* function_name() const noexcept { return ""; }
};
}  // namespace std
#endif

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
