// SPDX-License-Identifier: BSL-1.0
/// @file hepad/processing/output.hpp
/// @brief `hepad::processing::output`: what processing one work item produces and what the
/// executors merge: a cutflow, Boost.Histogram histograms with weight storage, a table of selected
/// rows (`io::record_batch`), named sums and warnings. `+=` merges associatively (sums and
/// concatenation); executors always merge per-item outputs in item order, so every executor gives
/// the same bits. `serialize`/`deserialize` carry an output between MPI ranks.
/// Not here: executors (executor.hpp, mpi_executor.hpp).
#ifndef HEPAD_PROCESSING_OUTPUT_HPP
#define HEPAD_PROCESSING_OUTPUT_HPP

#include <hepad/core/error.hpp>
#include <hepad/io/column.hpp>
#include <hepad/io/record_batch.hpp>
#include <hepad/processing/cutflow.hpp>

#include <boost/histogram.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace hepad::processing {

/// A 1D histogram with a regular axis and weighted storage (sum of weights and of squares).
using histogram1d = decltype(boost::histogram::make_weighted_histogram(boost::histogram::axis::regular<>(1, 0.0, 1.0)));

/// Makes a histogram1d: `bins` regular bins in [lo, hi), axis label `label`.
inline histogram1d make_histogram(unsigned bins, double lo, double hi, std::string label = {}) {
  return boost::histogram::make_weighted_histogram(boost::histogram::axis::regular<>(bins, lo, hi, std::move(label)));
}

/// Mergeable result of processing.
struct output {
  processing::cutflow cutflow;
  std::map<std::string, histogram1d> histograms;
  io::record_batch rows;
  std::map<std::string, double> sums;
  std::vector<std::string> warnings;  ///< unique, first-seen order

  /// Fills histogram `name` (created with the given binning on first use) with `x` and weights `w`.
  void fill(const std::string& name, unsigned bins, double lo, double hi, std::span<const double> x,
            std::span<const double> w = {}) {
    auto it = histograms.find(name);
    if (it == histograms.end()) it = histograms.emplace(name, make_histogram(bins, lo, hi, name)).first;
    for (std::size_t i = 0; i < x.size(); ++i) it->second(x[i], boost::histogram::weight(w.empty() ? 1.0 : w[i]));
  }
  void warn(const std::string& w) {
    if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) warnings.push_back(w);
  }

  /// Merges `o` into this output (counts and histograms summed, rows appended).
  output& operator+=(const output& o) {
    cutflow += o.cutflow;
    for (const auto& [name, h] : o.histograms) {
      auto it = histograms.find(name);
      if (it == histograms.end()) histograms.emplace(name, h);
      else it->second += h;
    }
    if (o.rows.n_columns() > 0) rows.append(o.rows);
    for (const auto& [k, v] : o.sums) sums[k] += v;
    for (const auto& w : o.warnings) warn(w);
    return *this;
  }
};

namespace detail {

class byte_writer {
 public:
  std::vector<unsigned char> bytes;
  template <class T>
  void pod(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto* p = reinterpret_cast<const unsigned char*>(&v);
    bytes.insert(bytes.end(), p, p + sizeof(T));
  }
  void str(const std::string& s) {
    pod<std::uint64_t>(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
  template <class T>
  void vec(const std::vector<T>& v) {
    pod<std::uint64_t>(v.size());
    if constexpr (std::is_same_v<T, std::string>) {
      for (const auto& s : v) str(s);
    } else if (!v.empty()) {
      const auto* p = reinterpret_cast<const unsigned char*>(v.data());
      bytes.insert(bytes.end(), p, p + v.size() * sizeof(T));
    }
  }
};

class byte_reader {
 public:
  explicit byte_reader(std::span<const unsigned char> b) : b_(b) {}
  template <class T>
  T pod() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, b_.data() + p_, sizeof(T));
    p_ += sizeof(T);
    return v;
  }
  std::string str() {
    const auto n = pod<std::uint64_t>();
    need(n);
    std::string s(reinterpret_cast<const char*>(b_.data() + p_), n);
    p_ += n;
    return s;
  }
  template <class T>
  std::vector<T> vec() {
    const auto n = pod<std::uint64_t>();
    std::vector<T> v;
    if constexpr (std::is_same_v<T, std::string>) {
      for (std::uint64_t i = 0; i < n; ++i) v.push_back(str());
    } else {
      if (n > (b_.size() - p_) / sizeof(T)) fail();
      v.resize(n);
      if (n) std::memcpy(v.data(), b_.data() + p_, n * sizeof(T));
      p_ += n * sizeof(T);
    }
    return v;
  }
  [[nodiscard]] bool done() const noexcept { return p_ == b_.size(); }

 private:
  void need(std::size_t n) const {
    if (n > b_.size() - p_) fail();
  }
  [[noreturn]] static void fail() {
    hepad::detail::raise<invalid_argument>("processing::deserialize: truncated or corrupt output bytes");
  }
  std::span<const unsigned char> b_;
  std::size_t p_ = 0;
};

}  // namespace detail

/// Bytes of an output (for sending between MPI ranks; same machine architecture assumed).
inline std::vector<unsigned char> serialize(const output& o) {
  detail::byte_writer w;
  const auto& cf = o.cutflow;
  w.vec(cf.cuts());
  w.pod(cf.n_all());
  w.pod(cf.w_all());
  for (const auto& r : cf.rows()) w.pod(r);
  w.pod<std::uint64_t>(o.histograms.size());
  for (const auto& [name, h] : o.histograms) {
    const auto& ax = h.axis(0);
    w.str(name);
    w.str(ax.metadata());
    w.pod<std::uint32_t>(static_cast<std::uint32_t>(ax.size()));
    w.pod(ax.value(0));
    w.pod(ax.value(ax.size()));
    for (auto&& x : boost::histogram::indexed(h, boost::histogram::coverage::all)) {
      w.pod(x->value());
      w.pod(x->variance());
    }
  }
  w.pod<std::uint64_t>(o.rows.n_columns());
  for (const auto& c : o.rows.columns()) {
    w.str(c.name);
    w.pod(c.type);
    w.vec(c.offsets);
    w.vec(c.validity);
    std::visit([&](const auto& v) { w.vec(v); }, c.data);
  }
  w.pod<std::uint64_t>(o.sums.size());
  for (const auto& [k, v] : o.sums) {
    w.str(k);
    w.pod(v);
  }
  w.vec(o.warnings);
  return std::move(w.bytes);
}

/// Inverse of serialize. @throws hepad::invalid_argument on corrupt bytes.
inline output deserialize(std::span<const unsigned char> bytes) {
  detail::byte_reader r(bytes);
  output o;
  auto cuts = r.vec<std::string>();
  const auto n_all = r.pod<std::int64_t>();
  const auto w_all = r.pod<double>();
  std::vector<cutflow::row> rows;
  for (std::size_t i = 0; i < cuts.size(); ++i) rows.push_back(r.pod<cutflow::row>());
  if (!cuts.empty() || n_all != 0) {
    o.cutflow = cutflow::from_counts(std::move(cuts), n_all, w_all, std::move(rows));
  }
  const auto nh = r.pod<std::uint64_t>();
  for (std::uint64_t i = 0; i < nh; ++i) {
    auto name = r.str();
    auto label = r.str();
    const auto bins = r.pod<std::uint32_t>();
    const double lo = r.pod<double>(), hi = r.pod<double>();
    auto h = make_histogram(bins, lo, hi, label);
    for (auto&& x : boost::histogram::indexed(h, boost::histogram::coverage::all)) {
      const double v = r.pod<double>(), var = r.pod<double>();
      *x = boost::histogram::accumulators::weighted_sum<double>(v, var);
    }
    o.histograms.emplace(std::move(name), std::move(h));
  }
  const auto nc = r.pod<std::uint64_t>();
  std::vector<io::column> cols;
  for (std::uint64_t i = 0; i < nc; ++i) {
    io::column c;
    c.name = r.str();
    c.type = r.pod<io::dtype>();
    c.offsets = r.vec<std::int64_t>();
    c.validity = r.vec<std::uint8_t>();
    c.data = io::detail::make_storage(c.type);
    std::visit([&](auto& v) { v = r.template vec<typename std::decay_t<decltype(v)>::value_type>(); }, c.data);
    cols.push_back(std::move(c));
  }
  if (!cols.empty()) o.rows = io::record_batch(std::move(cols));
  const auto ns = r.pod<std::uint64_t>();
  for (std::uint64_t i = 0; i < ns; ++i) {
    auto k = r.str();
    o.sums[k] = r.pod<double>();
  }
  o.warnings = r.vec<std::string>();
  return o;
}

}  // namespace hepad::processing

#endif  // HEPAD_PROCESSING_OUTPUT_HPP
