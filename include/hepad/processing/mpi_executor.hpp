// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: mpi root_io
/// @file hepad/processing/mpi_executor.hpp
/// @brief `hepad::processing::mpi_executor`: runs work items across MPI ranks (item i on rank
/// i mod size), sends every per-item output to rank 0 and merges them there in item order, so the
/// result equals the sequential executor's bit for bit. `mpi_session` initialises and finalises
/// MPI (RAII). Not here: dynamic load balancing (items are assigned statically).
///
/// Component `hepad::mpi` (OpenMPI) together with `hepad::root_io`.
#ifndef HEPAD_PROCESSING_MPI_EXECUTOR_HPP
#define HEPAD_PROCESSING_MPI_EXECUTOR_HPP

#include <hepad/core/error.hpp>
#include <hepad/processing/event_chunk.hpp>
#include <hepad/processing/executor.hpp>
#include <hepad/processing/output.hpp>

// Only MPI's C API is used: skip the deprecated C++ bindings (they warn under -Wcast-function-type).
#if !defined(OMPI_SKIP_MPICXX)
#define OMPI_SKIP_MPICXX 1
#define HEPAD_DETAIL_UNDEF_OMPI_SKIP
#endif
#if !defined(MPICH_SKIP_MPICXX)
#define MPICH_SKIP_MPICXX 1
#define HEPAD_DETAIL_UNDEF_MPICH_SKIP
#endif
#include <mpi.h>
#ifdef HEPAD_DETAIL_UNDEF_OMPI_SKIP
#undef OMPI_SKIP_MPICXX
#undef HEPAD_DETAIL_UNDEF_OMPI_SKIP
#endif
#ifdef HEPAD_DETAIL_UNDEF_MPICH_SKIP
#undef MPICH_SKIP_MPICXX
#undef HEPAD_DETAIL_UNDEF_MPICH_SKIP
#endif

#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace hepad::processing {

/// MPI_Init on construction (if not yet initialised), MPI_Finalize on destruction (if it initialised).
class mpi_session {
 public:
  mpi_session(int* argc, char*** argv) {
    int done = 0;
    MPI_Initialized(&done);
    if (!done) {
      if (MPI_Init(argc, argv) != MPI_SUCCESS) hepad::detail::raise<not_supported>("mpi_session: MPI_Init failed");
      owner_ = true;
    }
  }
  mpi_session(const mpi_session&) = delete;
  mpi_session& operator=(const mpi_session&) = delete;
  ~mpi_session() {
    if (owner_) MPI_Finalize();
  }
  [[nodiscard]] static int rank() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
  }
  [[nodiscard]] static int size() {
    int s = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &s);
    return s;
  }

 private:
  bool owner_ = false;
};

/// Static round-robin distribution over MPI_COMM_WORLD; the merged output is returned on rank 0
/// (other ranks return an empty output). Needs an active `mpi_session`.
struct mpi_executor {
  static constexpr std::string_view name = "mpi";

  /// `plan_work` with the files split over the ranks (file i opened on rank i mod size) and the
  /// ranges exchanged: every rank returns the same items as a sequential plan. If files cannot be
  /// planned, every rank throws the error of the first such file in order.
  [[nodiscard]] std::vector<work_item> plan(const std::vector<dataset>& datasets, const io::root::chunk_options& opt,
                                            const std::vector<std::string>& branches = {}) const {
    const int rank = mpi_session::rank(), size = mpi_session::size();
    const auto files = detail::file_list(datasets);
    std::vector<std::int64_t> mine;  // per planned file: index, number of ranges, then (begin, end) pairs
    std::vector<std::int64_t> failed_at{-1};
    std::string error;
    for (std::size_t i = static_cast<std::size_t>(rank); i < files.size(); i += static_cast<std::size_t>(size)) {
      const auto [d, f] = files[i];
      try {
        const auto ranges = detail::plan_file(datasets[d].files[f], opt, branches);
        mine.push_back(static_cast<std::int64_t>(i));
        mine.push_back(static_cast<std::int64_t>(ranges.size()));
        for (const auto& r : ranges) {
          mine.push_back(r.begin);
          mine.push_back(r.end);
        }
      } catch (const std::exception& e) {
        failed_at[0] = static_cast<std::int64_t>(i);
        error = e.what();
        break;
      }
    }
    const auto fails = allgather(failed_at);
    const auto msgs = allgather(std::vector<char>(error.begin(), error.end()));
    std::int64_t first = std::numeric_limits<std::int64_t>::max();
    std::size_t who = 0;
    for (std::size_t r = 0; r < fails.size(); ++r)
      if (!fails[r].empty() && fails[r][0] >= 0 && fails[r][0] < first) {
        first = fails[r][0];
        who = r;
      }
    if (first != std::numeric_limits<std::int64_t>::max())
      hepad::detail::raise<io_error>("", hepad::detail::concat("mpi_executor::plan: ",
                                                               std::string(msgs[who].begin(), msgs[who].end())));
    std::vector<std::vector<io::root::entry_range>> per_file(files.size());
    for (const auto& part : allgather(mine))
      for (std::size_t k = 0; k + 1 < part.size();) {
        const auto i = static_cast<std::size_t>(part[k]);
        const auto n = static_cast<std::size_t>(part[k + 1]);
        k += 2;
        for (std::size_t j = 0; j < n && k + 1 < part.size(); ++j, k += 2) per_file.at(i).push_back({part[k], part[k + 1]});
      }
    return detail::assemble_work(datasets, per_file);
  }

  template <class F>
  output run(const std::vector<work_item>& items, F&& process) const {
    const int rank = mpi_session::rank(), size = mpi_session::size();
    // each rank: [item index, byte count] pairs and the concatenated bytes of its items
    std::vector<std::uint64_t> header;
    std::vector<unsigned char> bytes;
    std::string error;
    for (std::size_t i = static_cast<std::size_t>(rank); i < items.size(); i += static_cast<std::size_t>(size)) {
      std::vector<unsigned char> b;
      try {
        b = serialize(process(items[i]));
      } catch (const std::exception& e) {
        error = e.what();
        break;
      }
      header.push_back(i);
      header.push_back(b.size());
      bytes.insert(bytes.end(), b.begin(), b.end());
    }
    // errors: every rank learns whether any failed, rank 0 reports the first message
    int failed = error.empty() ? 0 : 1, any = 0;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    const auto header_all = gather(header);
    const auto bytes_all = gather(bytes);
    std::vector<char> msg(error.begin(), error.end());
    const auto msgs = gather(msg);
    if (any) {
      std::string first;
      for (const auto& m : msgs)
        if (!m.empty()) {
          first.assign(m.begin(), m.end());
          break;
        }
      hepad::detail::raise<io_error>("", hepad::detail::concat("mpi_executor: a rank failed: ", first));
    }
    output out;
    if (rank != 0) return out;
    std::vector<output> parts(items.size());
    for (std::size_t r = 0; r < header_all.size(); ++r) {
      std::size_t pos = 0;
      for (std::size_t k = 0; k + 1 < header_all[r].size(); k += 2) {
        const auto item = static_cast<std::size_t>(header_all[r][k]);
        const auto n = static_cast<std::size_t>(header_all[r][k + 1]);
        parts.at(item) = deserialize(std::span<const unsigned char>(bytes_all[r]).subspan(pos, n));
        pos += n;
      }
    }
    for (auto& p : parts) out += p;
    return out;
  }

 private:
  /// Every rank's vector, on every rank (in rank order).
  template <class T>
  static std::vector<std::vector<T>> allgather(const std::vector<T>& mine) {
    const int size = mpi_session::size();
    const auto nbytes = static_cast<int>(mine.size() * sizeof(T));
    std::vector<int> sizes(static_cast<std::size_t>(size)), displs(static_cast<std::size_t>(size));
    MPI_Allgather(&nbytes, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD);
    int total = 0;
    for (int r = 0; r < size; ++r) {
      displs[static_cast<std::size_t>(r)] = total;
      total += sizes[static_cast<std::size_t>(r)];
    }
    std::vector<unsigned char> all(static_cast<std::size_t>(total));
    MPI_Allgatherv(mine.data(), nbytes, MPI_BYTE, all.data(), sizes.data(), displs.data(), MPI_BYTE, MPI_COMM_WORLD);
    std::vector<std::vector<T>> out(static_cast<std::size_t>(size));
    for (int r = 0; r < size; ++r) {
      auto& v = out[static_cast<std::size_t>(r)];
      v.resize(static_cast<std::size_t>(sizes[static_cast<std::size_t>(r)]) / sizeof(T));
      if (!v.empty()) std::memcpy(v.data(), all.data() + displs[static_cast<std::size_t>(r)], v.size() * sizeof(T));
    }
    return out;
  }

  /// Gathers each rank's vector on rank 0 (other ranks get an empty result).
  template <class T>
  static std::vector<std::vector<T>> gather(const std::vector<T>& mine) {
    const int rank = mpi_session::rank(), size = mpi_session::size();
    const std::uint64_t nbytes = mine.size() * sizeof(T);
    std::vector<std::uint64_t> sizes(static_cast<std::size_t>(size));
    MPI_Gather(&nbytes, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    std::vector<std::vector<T>> out;
    if (rank == 0) {
      out.resize(static_cast<std::size_t>(size));
      out[0] = mine;
      for (int r = 1; r < size; ++r) {
        out[static_cast<std::size_t>(r)].resize(sizes[static_cast<std::size_t>(r)] / sizeof(T));
        recv_bytes(out[static_cast<std::size_t>(r)].data(), sizes[static_cast<std::size_t>(r)], r);
      }
    } else {
      send_bytes(mine.data(), nbytes, 0);
    }
    return out;
  }
  static void send_bytes(const void* p, std::uint64_t n, int to) {
    const auto* c = static_cast<const char*>(p);
    do {  // chunks below INT_MAX
      const int k = static_cast<int>(n < (1u << 30) ? n : (1u << 30));
      MPI_Send(c, k, MPI_BYTE, to, 7, MPI_COMM_WORLD);
      c += k;
      n -= static_cast<std::uint64_t>(k);
    } while (n > 0);
  }
  static void recv_bytes(void* p, std::uint64_t n, int from) {
    auto* c = static_cast<char*>(p);
    do {
      const int k = static_cast<int>(n < (1u << 30) ? n : (1u << 30));
      MPI_Recv(c, k, MPI_BYTE, from, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      c += k;
      n -= static_cast<std::uint64_t>(k);
    } while (n > 0);
  }
};

}  // namespace hepad::processing

#endif  // HEPAD_PROCESSING_MPI_EXECUTOR_HPP
