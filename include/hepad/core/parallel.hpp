// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/parallel.hpp
/// @brief `hepad::thread_pool`: a small persistent pool for deterministic data parallelism, and
/// `hepad::default_threads()` (the `HEPAD_THREADS` environment variable).
///
/// Determinism contract: `run(n_tasks, fn)` calls `fn(t)` exactly once for every task index `t`;
/// which thread runs a task is unspecified. Code that must give identical results for any thread
/// count writes each task's result to its own slot and reduces the slots in task order afterwards,
/// and draws random numbers from `rng.split(t)`. The pool is owned by its user (no global pool).
#ifndef HEPAD_CORE_PARALLEL_HPP
#define HEPAD_CORE_PARALLEL_HPP

#include <hepad/core/check.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace hepad {

/// Threads to use when the caller does not say: `HEPAD_THREADS` if set to a positive integer,
/// otherwise the hardware concurrency (at least 1).
inline int default_threads() {
  if (const char* env = std::getenv("HEPAD_THREADS")) {
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v > 0 && v <= 4096) return static_cast<int>(v);
    throw_invalid_argument("hepad::default_threads",
                           detail::concat("environment variable HEPAD_THREADS must be a positive "
                                          "integer, got '",
                                          env, "'"));
  }
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

namespace detail {
/// True while the current thread executes a pool task (nested `run` calls then run serially).
inline thread_local bool in_pool_task = false;

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
}  // namespace detail

/// Persistent worker threads; the calling thread participates in every `run`.
class thread_pool {
 public:
  /// @param threads total threads including the caller (>= 1).
  explicit thread_pool(int threads = default_threads()) : n_(threads) {
    check_positive("thread_pool", "threads", threads);
    workers_.reserve(static_cast<std::size_t>(n_ - 1));
    for (int i = 1; i < n_; ++i) workers_.emplace_back([this] { worker_loop(); });
  }
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;
  ~thread_pool() {
    stop_.store(true, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (auto& w : workers_) w.join();
  }

  /// Total number of threads (workers + caller).
  [[nodiscard]] int size() const noexcept { return n_; }

  /// Calls `fn(t)` for every `t` in [0, n_tasks) and returns when all are done. If tasks throw,
  /// the exception of the lowest task index is rethrown (after all tasks have finished).
  /// Complexity: O(n_tasks) calls; about a microsecond of overhead per call of `run`.
  template <class F>
  void run(std::int64_t n_tasks, F&& fn) {
    if (n_tasks <= 0) return;
    if (n_ == 1 || n_tasks == 1 || detail::in_pool_task) {
      for (std::int64_t t = 0; t < n_tasks; ++t) fn(t);
      return;
    }
    using Fn = std::remove_reference_t<F>;
    ctx_ = const_cast<void*>(static_cast<const void*>(&fn));
    call_ = [](void* ctx, std::int64_t t) { (*static_cast<Fn*>(ctx))(t); };
    n_tasks_ = n_tasks;
    next_.store(0, std::memory_order_relaxed);
    first_error_task_ = -1;
    first_error_ = nullptr;
    pending_.store(n_ - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    work();
    int spins = 0;
    for (int p; (p = pending_.load(std::memory_order_acquire)) != 0;) {
      if (++spins < spin_limit) detail::cpu_relax();
      else pending_.wait(p, std::memory_order_acquire);
    }
    if (first_error_) std::rethrow_exception(first_error_);
  }

 private:
  static constexpr int spin_limit = 1 << 14;

  void work() {
    detail::in_pool_task = true;
    for (;;) {
      const std::int64_t t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= n_tasks_) break;
      try {
        call_(ctx_, t);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex_);
        if (first_error_task_ < 0 || t < first_error_task_) {
          first_error_task_ = t;
          first_error_ = std::current_exception();
        }
      }
    }
    detail::in_pool_task = false;
  }

  void worker_loop() {
    std::uint64_t seen = 0;
    for (;;) {
      std::uint64_t g;
      int spins = 0;
      while ((g = generation_.load(std::memory_order_acquire)) == seen) {
        if (++spins < spin_limit) detail::cpu_relax();
        else generation_.wait(seen, std::memory_order_acquire);
      }
      seen = g;
      if (stop_.load(std::memory_order_relaxed)) return;
      work();
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
    }
  }

  int n_;
  std::vector<std::thread> workers_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<std::int64_t> next_{0};
  std::atomic<bool> stop_{false};
  void* ctx_ = nullptr;
  void (*call_)(void*, std::int64_t) = nullptr;
  std::int64_t n_tasks_ = 0;
  std::mutex error_mutex_;
  std::int64_t first_error_task_ = -1;
  std::exception_ptr first_error_;
};

}  // namespace hepad

#endif  // HEPAD_CORE_PARALLEL_HPP
