// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/detail/step_pool.hpp
/// @brief Internal: the trainer's fork-join executor, tuned for thousands of short parallel
/// sections per epoch on a machine that may be oversubscribed.
///
/// `run(n, f)` calls `f(t)` exactly once for every t in [0, n) (which thread runs a task is
/// unspecified; results must go to per-task slots). Unlike a pool that waits for every worker to
/// check in, completion is counted per TASK: if a worker is descheduled (another process holds
/// the core), the caller claims all remaining tasks itself and returns without waiting for the
/// worker to wake up, so a busy machine degrades to one-thread speed instead of stalling. Tasks
/// are claimed with a compare-and-swap on (generation, index), so a worker that wakes up late can
/// never run a task of a finished section.
#ifndef HEPAD_NN_DETAIL_STEP_POOL_HPP
#define HEPAD_NN_DETAIL_STEP_POOL_HPP

#include <hepad/core/check.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace hepad::nn::detail {

class step_pool {
 public:
  /// @param threads total threads including the caller (>= 1).
  explicit step_pool(int threads) : n_(threads) {
    check_positive("nn::step_pool", "threads", threads);
    for (int i = 1; i < n_; ++i) workers_.emplace_back([this] { worker_loop(); });
  }
  step_pool(const step_pool&) = delete;
  step_pool& operator=(const step_pool&) = delete;
  ~step_pool() {
    stop_.store(true, std::memory_order_release);
    ++gen_;
    jobs_[gen_ & 1].n.store(0, std::memory_order_relaxed);  // a generation without tasks
    next_.store(gen_ << 32, std::memory_order_release);      // wakes everyone
    next_.notify_all();
    for (auto& w : workers_) w.join();
  }

  [[nodiscard]] int size() const noexcept { return n_; }

  /// Calls `f(t)` for every t in [0, n); rethrows the exception of the lowest failing task.
  template <class F>
  void run(std::int64_t n, F&& f) {
    if (n <= 0) return;
    if (n_ == 1 || n == 1) {
      std::exception_ptr first;
      for (std::int64_t t = 0; t < n; ++t) {
        try {
          f(t);
        } catch (...) {
          if (!first) first = std::current_exception();
        }
      }
      if (first) std::rethrow_exception(first);
      return;
    }
    using Fn = std::remove_reference_t<F>;
    ++gen_;
    job& j = jobs_[gen_ & 1];
    j.ctx = const_cast<void*>(static_cast<const void*>(&f));
    j.call = [](void* c, std::int64_t t) { (*static_cast<Fn*>(c))(t); };
    j.n.store(n, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    err_task_ = -1;
    err_ = nullptr;
    next_.store(gen_ << 32, std::memory_order_release);
    next_.notify_all();
    while (claim_and_run()) {
    }
    spin_while([&] { return done_.load(std::memory_order_acquire) != n; });
    for (std::int64_t d; (d = done_.load(std::memory_order_acquire)) != n;) done_.wait(d, std::memory_order_acquire);
    if (err_) std::rethrow_exception(err_);
  }

 private:
  // A section's tasks. `call` and `ctx` are read only after a task was claimed (then they cannot
  // change before the task is counted done); `n` may be read by a late worker while the slot is
  // being reused two generations later, hence atomic (its claim then fails).
  struct job {
    void (*call)(void*, std::int64_t) = nullptr;
    void* ctx = nullptr;
    std::atomic<std::int64_t> n{0};
  };

  /// Spins while `busy()` holds, for at most about 200 µs, before the caller falls back to a
  /// futex wait. The budget is wall time, not a count of pause instructions: `pause` takes from
  /// 10 to 140 cycles depending on the CPU, and a wake-up from a futex on a virtual machine (IPI
  /// to a halted vCPU) costs tens of microseconds, as much as a whole small training step.
  template <class Busy>
  static void spin_while(Busy&& busy) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + std::chrono::microseconds(200);
    for (int k = 1; busy(); ++k) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
      if ((k & 31) == 0 && clock::now() > deadline) return;
    }
  }

  /// Claims one task of the current section and runs it; false if none is left.
  bool claim_and_run() {
    std::uint64_t v = next_.load(std::memory_order_acquire);
    for (;;) {
      const std::uint64_t g = v >> 32;
      job& j = jobs_[g & 1];
      const auto idx = static_cast<std::int64_t>(v & 0xffffffffu);
      const std::int64_t n = j.n.load(std::memory_order_relaxed);
      if (g == 0 || idx >= n) return false;
      if (next_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        try {
          j.call(j.ctx, idx);
        } catch (...) {
          const std::lock_guard<std::mutex> lock(err_mutex_);
          if (err_task_ < 0 || idx < err_task_) {
            err_task_ = idx;
            err_ = std::current_exception();
          }
        }
        if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == n) done_.notify_all();
        return true;
      }
    }
  }

  void worker_loop() {
    for (;;) {
      if (stop_.load(std::memory_order_acquire)) return;
      if (claim_and_run()) continue;
      const std::uint64_t v = next_.load(std::memory_order_acquire);
      if (stop_.load(std::memory_order_acquire)) return;
      // Nothing to do: spin briefly (the next section usually starts within microseconds), then
      // sleep until `next_` changes.
      spin_while([&] { return next_.load(std::memory_order_acquire) == v; });
      if (next_.load(std::memory_order_acquire) == v) next_.wait(v, std::memory_order_acquire);
    }
  }

  int n_;
  std::vector<std::thread> workers_;
  std::atomic<std::uint64_t> next_{0};  // (generation << 32) | next task index
  std::atomic<std::int64_t> done_{0};
  std::atomic<bool> stop_{false};
  job jobs_[2];
  std::uint64_t gen_ = 0;
  std::mutex err_mutex_;
  std::int64_t err_task_ = -1;
  std::exception_ptr err_;
};

}  // namespace hepad::nn::detail

#endif  // HEPAD_NN_DETAIL_STEP_POOL_HPP
