// SPDX-License-Identifier: BSL-1.0
// atomic_file: content appears only on commit; an abandoned write leaves the old file intact.
#include <doctest/doctest.h>

#include <hepad/core/atomic_file.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

static std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE("atomic_file replaces the target only on commit") {
  const fs::path dir = fs::temp_directory_path() / "hepad_atomic_file_test";
  fs::create_directories(dir);
  const fs::path target = dir / "out.txt";
  hepad::write_file_atomically(target, "old");
  {
    hepad::atomic_file f(target);
    f.write("new content");
    CHECK(slurp(target) == "old");  // not visible yet
  }  // destroyed without commit
  CHECK(slurp(target) == "old");
  std::size_t n_files = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++n_files;
  CHECK(n_files == 1);  // the temporary file was removed
  {
    hepad::atomic_file f(target);
    f.write("new content");
    f.commit();
  }
  CHECK(slurp(target) == "new content");
  CHECK_THROWS_AS(hepad::atomic_file(dir / "no_such_dir" / "x.txt"), hepad::io_error);
  fs::remove_all(dir);
}
