// SPDX-License-Identifier: BSL-1.0
// Fuzz target for the CSV reader: any input must either read or raise a hepad::error. The first
// byte selects options (header, missing values, delimiter, chunk size); the rest is the file.
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

#include <hepad/io/csv.hpp>

#include <cstdint>
#include <cstdio>
#include <string>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const std::string path = "/tmp/hepad_fuzz_csv_" + std::to_string(::getpid()) + ".csv";
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    if (size > 1) std::fwrite(data + 1, 1, size - 1, f);
    std::fclose(f);
  } else {
    return 0;
  }
  const std::uint8_t o = data[0];
  hepad::io::csv_options opts;
  opts.header = o & 1;
  opts.allow_missing = o & 2;
  opts.delimiter = (o & 4) ? ';' : ',';
  opts.comment = (o & 8) ? '#' : '\0';
  try {
    hepad::io::csv_reader r(path, opts, {.events = (o & 16) ? 2u : 0u, .bytes = (o & 32) ? 64u : 0u});
    while (r.next()) {
    }
  } catch (const hepad::error&) {
  }
  return 0;
}
