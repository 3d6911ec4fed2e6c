// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: root_io
/// @file hepad/processing/executor.hpp
/// @brief Work planning and local executors. `plan_work` cuts every file of every dataset into
/// work items (entry ranges, by entries or by exact decoded bytes); `sequential_executor` runs
/// them one after another; `thread_executor` runs them on a `hepad::thread_pool`. Both merge the
/// per-item outputs in item order, so their results are bit-for-bit identical (and identical to
/// the MPI executor's, mpi_executor.hpp). Not here: MPI.
///
/// Component `hepad::root_io`.
#ifndef HEPAD_PROCESSING_EXECUTOR_HPP
#define HEPAD_PROCESSING_EXECUTOR_HPP

#include <hepad/core/parallel.hpp>
#include <hepad/io/root/chain.hpp>
#include <hepad/processing/event_chunk.hpp>
#include <hepad/processing/output.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hepad::processing {

/// A dataset: metadata and the files (path, tree) in configuration order.
struct dataset {
  dataset_info info;
  std::vector<io::root::tree_location> files;
};

namespace detail {
/// The entry ranges of one file (it is opened: entry counts; exact decoded bytes of the present
/// `branches` when `opt.bytes` > 0).
inline std::vector<io::root::entry_range> plan_file(const io::root::tree_location& loc, const io::root::chunk_options& opt,
                                                    const std::vector<std::string>& branches) {
  const io::root::file file(loc.path);
  const io::root::tree t(file, loc.tree);
  std::vector<std::string> present;
  for (const auto& b : branches)
    if (t.contains(b)) present.push_back(b);
  io::root::tree_reader r(t, opt.bytes > 0 ? present : std::vector<std::string>{});
  return r.plan(opt);
}
/// (dataset, file) of every file, in configuration order.
inline std::vector<std::pair<std::size_t, std::size_t>> file_list(const std::vector<dataset>& datasets) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t d = 0; d < datasets.size(); ++d)
    for (std::size_t f = 0; f < datasets[d].files.size(); ++f) out.emplace_back(d, f);
  return out;
}
/// Work items from the ranges of every file of `file_list`, in that order.
inline std::vector<work_item> assemble_work(const std::vector<dataset>& datasets,
                                            const std::vector<std::vector<io::root::entry_range>>& per_file) {
  const auto files = file_list(datasets);
  std::vector<work_item> out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto [d, f] = files[i];
    const auto& loc = datasets[d].files[f];
    for (const auto& rg : per_file[i]) out.push_back({d, f, loc.path, loc.tree, rg});
  }
  return out;
}
}  // namespace detail

/// Work items for `datasets`: each file's tree cut into chunks by `opt` (entries; with `opt.bytes`
/// > 0 exact decoded bytes of `branches`). Files are opened to read their entry counts — for
/// NanoAOD that parses trees of ~1500 branches, as much work as processing a small file — so they
/// are opened on `threads` threads (<= 0: `hepad::default_threads()`); the items are the same for
/// any thread count (file order, then entry order). A file that cannot be planned throws (the
/// error of the first such file in order).
inline std::vector<work_item> plan_work(const std::vector<dataset>& datasets, const io::root::chunk_options& opt,
                                        const std::vector<std::string>& branches = {}, int threads = 1) {
  const auto files = detail::file_list(datasets);
  std::vector<std::vector<io::root::entry_range>> per_file(files.size());
  const auto one = [&](std::int64_t i) {
    const auto [d, f] = files[static_cast<std::size_t>(i)];
    per_file[static_cast<std::size_t>(i)] = detail::plan_file(datasets[d].files[f], opt, branches);
  };
  const int nt = threads > 0 ? threads : default_threads();
  if (nt == 1 || files.size() < 2) {
    for (std::size_t i = 0; i < files.size(); ++i) one(static_cast<std::int64_t>(i));
  } else {
    thread_pool pool((std::min)(nt, static_cast<int>(files.size())));
    pool.run(static_cast<std::int64_t>(files.size()), one);
  }
  return detail::assemble_work(datasets, per_file);
}

/// Runs work items one after another in the calling thread.
struct sequential_executor {
  static constexpr std::string_view name = "sequential";
  /// `plan_work` in the calling thread.
  [[nodiscard]] std::vector<work_item> plan(const std::vector<dataset>& datasets, const io::root::chunk_options& opt,
                                            const std::vector<std::string>& branches = {}) const {
    return plan_work(datasets, opt, branches, 1);
  }
  /// `process(item)` returns an `output`; the outputs are merged in item order.
  template <class F>
  output run(const std::vector<work_item>& items, F&& process) const {
    output out;
    for (const auto& it : items) out += process(it);
    return out;
  }
};

/// Runs work items on a thread pool (`threads` <= 0: `hepad::default_threads()`). The per-item
/// outputs are kept and merged in item order afterwards (same bits as sequential).
struct thread_executor {
  int threads = 0;
  static constexpr std::string_view name = "threads";
  /// `plan_work` with the files opened on this executor's threads.
  [[nodiscard]] std::vector<work_item> plan(const std::vector<dataset>& datasets, const io::root::chunk_options& opt,
                                            const std::vector<std::string>& branches = {}) const {
    return plan_work(datasets, opt, branches, threads > 0 ? threads : default_threads());
  }
  template <class F>
  output run(const std::vector<work_item>& items, F&& process) const {
    thread_pool pool(threads > 0 ? threads : default_threads());
    std::vector<output> parts(items.size());
    pool.run(static_cast<std::int64_t>(items.size()),
             [&](std::int64_t i) { parts[static_cast<std::size_t>(i)] = process(items[static_cast<std::size_t>(i)]); });
    output out;
    for (auto& p : parts) out += p;
    return out;
  }
};

}  // namespace hepad::processing

#endif  // HEPAD_PROCESSING_EXECUTOR_HPP
