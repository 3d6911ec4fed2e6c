// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/progress.hpp
/// @brief `hepad::progress_bar`: a one-line progress display for long loops, drawn on stderr only
/// when stderr is a terminal (quiet in logs, CI and tests).
#ifndef HEPAD_CORE_PROGRESS_HPP
#define HEPAD_CORE_PROGRESS_HPP

#include <hepad/core/detail/str.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <unistd.h>

namespace hepad {

/// Whether progress output is wanted by default: stderr is a terminal and `HEPAD_QUIET` is unset.
inline bool progress_default_enabled() noexcept {
  return ::isatty(::fileno(stderr)) != 0 && std::getenv("HEPAD_QUIET") == nullptr;
}

/// Redraws at most ten times a second: "label [=====>    ] 42/100 12.3 s extra".
class progress_bar {
 public:
  progress_bar(std::string label, std::int64_t total, bool enabled = progress_default_enabled())
      : label_(std::move(label)), total_(total), enabled_(enabled),
        start_(std::chrono::steady_clock::now()), last_(start_) {}
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;
  ~progress_bar() { finish(); }

  /// Reports `done` units finished; `extra` is appended (e.g. "loss 0.6931").
  void update(std::int64_t done, std::string_view extra = {}) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    draw(done, extra);
  }
  /// Ends the line (once).
  void finish() {
    if (enabled_ && drawn_) std::fputc('\n', stderr);
    drawn_ = false;
    enabled_ = false;
  }
  [[nodiscard]] bool enabled() const noexcept { return enabled_; }

 private:
  void draw(std::int64_t done, std::string_view extra) {
    constexpr int width = 30;
    const double frac = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
    const int filled = static_cast<int>(frac * width + 0.5);
    std::string bar(static_cast<std::size_t>(width), ' ');
    for (int i = 0; i < filled && i < width; ++i) bar[static_cast<std::size_t>(i)] = '=';
    const double secs = std::chrono::duration<double>(last_ - start_).count();
    const std::string line = detail::concat("\r", label_, " [", bar, "] ", done, "/", total_, " ",
                                            static_cast<double>(static_cast<long>(secs * 10)) / 10,
                                            " s ", extra, "\x1b[K");
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
    drawn_ = true;
  }
  std::string label_;
  std::int64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace hepad

#endif  // HEPAD_CORE_PROGRESS_HPP
