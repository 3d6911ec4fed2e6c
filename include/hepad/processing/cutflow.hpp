// SPDX-License-Identifier: BSL-1.0
/// @file hepad/processing/cutflow.hpp
/// @brief `hepad::processing::cutflow`: counts (raw and weighted) of events passing the cuts
/// cumulatively in order, each cut alone, and all cuts but one (the N-1 table); mergeable with
/// `+=` (sums, so associative; identical bits when merged in the same order). Not here: the cuts
/// themselves (frame.hpp filters).
#ifndef HEPAD_PROCESSING_CUTFLOW_HPP
#define HEPAD_PROCESSING_CUTFLOW_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/error.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hepad::processing {

/// Sequential, individual and N-1 counts of a list of named cuts.
class cutflow {
 public:
  cutflow() = default;
  explicit cutflow(std::vector<std::string> cuts) : names_(std::move(cuts)), rows_(names_.size()) {}

  /// Counts of one cut: passing it and all before it (sequential), it alone, all others (N-1).
  struct row {
    std::int64_t n_sequential = 0, n_alone = 0, n_minus_one = 0;
    double w_sequential = 0, w_alone = 0, w_minus_one = 0;
  };

  /// A cutflow with given counts (deserialisation).
  static cutflow from_counts(std::vector<std::string> cuts, std::int64_t n_all, double w_all, std::vector<row> rows) {
    if (rows.size() != cuts.size()) throw_invalid_argument("cutflow::from_counts", "one row per cut needed");
    cutflow c(std::move(cuts));
    c.rows_ = std::move(rows);
    c.n_all_ = n_all;
    c.w_all_ = w_all;
    return c;
  }

  [[nodiscard]] const std::vector<std::string>& cuts() const noexcept { return names_; }
  [[nodiscard]] const std::vector<row>& rows() const noexcept { return rows_; }
  [[nodiscard]] std::int64_t n_all() const noexcept { return n_all_; }
  [[nodiscard]] double w_all() const noexcept { return w_all_; }
  /// Events passing every cut (raw count).
  [[nodiscard]] std::int64_t n_selected() const noexcept { return rows_.empty() ? n_all_ : rows_.back().n_sequential; }
  [[nodiscard]] double w_selected() const noexcept { return rows_.empty() ? w_all_ : rows_.back().w_sequential; }

  /// Adds events: `masks[c][i]` != 0 if event i passes cut c; `w` per-event weights (empty: 1).
  void fill(const std::vector<std::span<const char>>& masks, std::span<const double> w = {}) {
    check_size("cutflow::fill", "masks", masks.size(), names_.size());
    const std::size_t n = masks.empty() ? w.size() : masks[0].size();
    for (const auto& m : masks) check_size("cutflow::fill", "mask", m.size(), n);
    if (!w.empty()) check_size("cutflow::fill", "weights", w.size(), n);
    const std::size_t k = names_.size();
    for (std::size_t i = 0; i < n; ++i) {
      const double wi = w.empty() ? 1.0 : w[i];
      ++n_all_;
      w_all_ += wi;
      std::size_t failed = 0, first_fail = k;
      for (std::size_t c = 0; c < k; ++c)
        if (!masks[c][i]) {
          ++failed;
          if (first_fail == k) first_fail = c;
        }
      for (std::size_t c = 0; c < k; ++c) {
        const bool pass = masks[c][i] != 0;
        if (pass) {
          ++rows_[c].n_alone;
          rows_[c].w_alone += wi;
        }
        if (c < first_fail) {
          ++rows_[c].n_sequential;
          rows_[c].w_sequential += wi;
        }
        if (failed == 0 || (failed == 1 && !pass)) {
          ++rows_[c].n_minus_one;
          rows_[c].w_minus_one += wi;
        }
      }
    }
  }

  /// Adds another cutflow's counts. @throws hepad::invalid_argument if the cuts differ.
  cutflow& operator+=(const cutflow& o) {
    if (names_.empty() && n_all_ == 0) {
      *this = o;
      return *this;
    }
    if (o.names_.empty() && o.n_all_ == 0) return *this;
    if (o.names_ != names_) throw_invalid_argument("cutflow::operator+=", "cutflows with different cuts");
    n_all_ += o.n_all_;
    w_all_ += o.w_all_;
    for (std::size_t c = 0; c < rows_.size(); ++c) {
      rows_[c].n_sequential += o.rows_[c].n_sequential;
      rows_[c].n_alone += o.rows_[c].n_alone;
      rows_[c].n_minus_one += o.rows_[c].n_minus_one;
      rows_[c].w_sequential += o.rows_[c].w_sequential;
      rows_[c].w_alone += o.rows_[c].w_alone;
      rows_[c].w_minus_one += o.rows_[c].w_minus_one;
    }
    return *this;
  }
  friend bool operator==(const cutflow& a, const cutflow& b) {
    if (a.names_ != b.names_ || a.n_all_ != b.n_all_ || a.w_all_ != b.w_all_) return false;
    for (std::size_t c = 0; c < a.rows_.size(); ++c) {
      const auto &x = a.rows_[c], &y = b.rows_[c];
      if (x.n_sequential != y.n_sequential || x.n_alone != y.n_alone || x.n_minus_one != y.n_minus_one ||
          x.w_sequential != y.w_sequential || x.w_alone != y.w_alone || x.w_minus_one != y.w_minus_one)
        return false;
    }
    return true;
  }

  /// A text table: cut, sequential, alone, N-1 (raw and weighted).
  [[nodiscard]] std::string table() const {
    std::string s = hepad::detail::concat("cut\tpass_sequential\tweighted_sequential\tpass_alone\tweighted_alone\tpass_n_minus_1\tweighted_n_minus_1\n",
                                          "all\t", n_all_, "\t", w_all_, "\t", n_all_, "\t", w_all_, "\t-\t-\n");
    for (std::size_t c = 0; c < rows_.size(); ++c) {
      const auto& r = rows_[c];
      s += hepad::detail::concat(names_[c], "\t", r.n_sequential, "\t", r.w_sequential, "\t", r.n_alone, "\t", r.w_alone,
                                 "\t", r.n_minus_one, "\t", r.w_minus_one, "\n");
    }
    return s;
  }

 private:
  std::vector<std::string> names_;
  std::vector<row> rows_;
  std::int64_t n_all_ = 0;
  double w_all_ = 0;
};

}  // namespace hepad::processing

#endif  // HEPAD_PROCESSING_CUTFLOW_HPP
