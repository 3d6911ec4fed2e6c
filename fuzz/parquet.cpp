// SPDX-License-Identifier: BSL-1.0
// COMPONENTS: parquet
// Fuzz target for the Parquet reader: any input must either read or raise a hepad::error (never
// crash, hang or leak). The bytes go through a file because the reader works on files (pread).

#include <hepad/io/parquet/reader.hpp>

#include <cstdint>
#include <cstdio>
#include <string>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/hepad_fuzz_parquet_" + std::to_string(::getpid()) + ".parquet";
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
  } else {
    return 0;
  }
  try {
    hepad::io::parquet::reader r(path);
    std::vector<std::string> ok;
    for (const auto& fld : r.fields())
      if (fld.supported) ok.push_back(fld.name);
    // a footer may legitimately claim billions of rows held in a few RLE bytes: read whole
    // only small files, otherwise a bounded number of chunks (memory stays bounded)
    if (r.n_rows() <= 100000) (void)r.read(ok);
    r.select(ok, {.events = 1000});
    std::size_t rows = 0;
    while (rows < 200000) {
      auto b = r.next();
      if (!b) break;
      rows += b->n_rows();
    }
  } catch (const hepad::error&) {
  }
  return 0;
}
