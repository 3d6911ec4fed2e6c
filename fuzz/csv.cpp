// SPDX-License-Identifier: BSL-1.0
// Fuzz target for the CSV reader: any input must either read or raise a hepad::error. The first
// byte selects options (header, missing values, delimiter, chunk size); the rest is the file.

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
