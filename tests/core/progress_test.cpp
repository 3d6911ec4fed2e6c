// SPDX-License-Identifier: BSL-1.0
// hepad::progress_bar: what it draws on stderr (captured through a temporary file), its
// throttling, the final newline, and that a disabled bar writes nothing.
#include <doctest/doctest.h>

#include <hepad/core/progress.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <unistd.h>

namespace {
// Runs `f` with stderr redirected to a temporary file; returns what was written.
template <class F>
std::string capture_stderr(F&& f) {
  std::fflush(stderr);
  char path[] = "/tmp/hepad_progress_XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  const int saved = ::dup(2);
  REQUIRE(saved >= 0);
  ::dup2(fd, 2);
  f();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  ::close(fd);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::remove(path);
  return ss.str();
}
}  // namespace

TEST_CASE("progress_bar: draws label, bar, counts and extra text; throttled; ends the line once") {
  const std::string out = capture_stderr([] {
    hepad::progress_bar bar("training", 4, true);
    CHECK(bar.enabled());
    bar.update(1, "loss 0.5");  // within 100 ms of the start and not done: throttled, not drawn
    bar.update(4, "loss 0.25");  // the last unit is always drawn
    bar.finish();
    CHECK_FALSE(bar.enabled());
    bar.update(4, "after finish");  // nothing more
    bar.finish();                   // no second newline
  });
  CHECK(out.find("loss 0.5") == std::string::npos);
  CHECK(out.find("after finish") == std::string::npos);
  CHECK(out.find("\rtraining [" + std::string(30, '=') + "] 4/4 ") != std::string::npos);
  CHECK(out.find(" s loss 0.25\x1b[K") != std::string::npos);
  REQUIRE_FALSE(out.empty());
  CHECK(out.back() == '\n');
  CHECK(out.find('\n') == out.size() - 1);
}

TEST_CASE("progress_bar: a half-done bar is half filled; a disabled bar writes nothing") {
  const std::string half = capture_stderr([] {
    hepad::progress_bar bar("x", 10, true);
    std::this_thread::sleep_for(std::chrono::milliseconds(120));  // past the 100 ms throttle
    bar.update(5);
  });
  // 5/10 of 30 columns, rounded: 15 '=' then 15 blanks
  CHECK(half.find("\rx [" + std::string(15, '=') + std::string(15, ' ') + "] 5/10 ") != std::string::npos);
  CHECK(half.back() == '\n');  // the destructor ends the line
  const std::string quiet = capture_stderr([] {
    hepad::progress_bar bar("x", 10, false);
    bar.update(10, "done");
    bar.finish();
  });
  CHECK(quiet.empty());
}
