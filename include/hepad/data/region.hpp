// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/region.hpp
/// @brief Regions of context space: `interval` (open/closed ends), `cut` (an interval on a named
/// column), `box` (an AND of cuts) and `region` (an OR of boxes) with `&`, `|`, `~` (complement,
/// computed exactly as a union of disjoint boxes) and `-`; masks and partitions of tables.
///
/// Example (S0): `auto sr = data::above("HT", 800) & data::above("MET", 75); auto cr = ~sr;` gives
/// the signal region HT > 800 and MET > 75 and its L-shaped complement
/// (HT <= 800) or (HT > 800 and MET <= 75). Rows with a NaN in a column a region tests belong to
/// no box: neither to a region nor to its complement.
///
/// Not here: 1-D windows with sidebands (data/window.hpp).
#ifndef HEPAD_DATA_REGION_HPP
#define HEPAD_DATA_REGION_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/data/row_mask.hpp>
#include <hepad/data/table.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hepad::data {

/// An interval of the real line with open or closed ends; infinite ends are allowed (and open).
struct interval {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool closed_lo = false;  ///< include `lo`
  bool closed_hi = false;  ///< include `hi`

  /// Whether `x` lies in the interval (false for NaN).
  [[nodiscard]] constexpr bool contains(double x) const noexcept {
    return (closed_lo ? x >= lo : x > lo) && (closed_hi ? x <= hi : x < hi);
  }
  /// Whether no real number lies in the interval.
  [[nodiscard]] constexpr bool is_empty() const noexcept {
    return !(lo < hi || (lo == hi && closed_lo && closed_hi && std::isfinite(lo)));
  }
  /// Whether it is the whole real line.
  [[nodiscard]] constexpr bool is_everything() const noexcept {
    return lo == -std::numeric_limits<double>::infinity() && hi == std::numeric_limits<double>::infinity();
  }
  /// Intersection.
  [[nodiscard]] constexpr interval intersect(const interval& o) const noexcept {
    interval r = *this;
    if (o.lo > r.lo || (o.lo == r.lo && !o.closed_lo)) {
      r.closed_lo = o.lo == r.lo ? (r.closed_lo && o.closed_lo) : o.closed_lo;
      r.lo = o.lo;
    }
    if (o.hi < r.hi || (o.hi == r.hi && !o.closed_hi)) {
      r.closed_hi = o.hi == r.hi ? (r.closed_hi && o.closed_hi) : o.closed_hi;
      r.hi = o.hi;
    }
    return r;
  }
  /// The complement as up to two intervals.
  [[nodiscard]] std::vector<interval> complement() const {
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (is_empty()) return {interval{}};
    std::vector<interval> out;
    if (lo > -inf) out.push_back(interval{-inf, lo, false, !closed_lo});
    if (hi < inf) out.push_back(interval{hi, inf, !closed_hi, false});
    return out;
  }
  friend constexpr bool operator==(const interval&, const interval&) = default;
};

/// An interval on the column called `column`.
struct cut {
  std::string column{};
  interval range{};
  friend bool operator==(const cut&, const cut&) = default;
};

/// An AND of cuts (an axis-aligned box). No cuts: the whole space.
struct box {
  std::vector<cut> cuts{};
  /// Whether some cut is empty (the box contains nothing).
  [[nodiscard]] bool is_empty() const noexcept {
    return std::any_of(cuts.begin(), cuts.end(), [](const cut& c) { return c.range.is_empty(); });
  }
  /// The intersection with `o`; cuts on the same column are merged.
  [[nodiscard]] box intersect(const box& o) const {
    box r = *this;
    for (const auto& c : o.cuts) {
      auto it = std::find_if(r.cuts.begin(), r.cuts.end(), [&](const cut& x) { return x.column == c.column; });
      if (it == r.cuts.end())
        r.cuts.push_back(c);
      else
        it->range = it->range.intersect(c.range);
    }
    return r;
  }
  friend bool operator==(const box&, const box&) = default;
};

/// A union of boxes over named columns. No boxes: the empty region.
class region {
 public:
  /// The empty region.
  region() = default;
  /// A region of one box.
  explicit region(box b) {
    if (!b.is_empty()) boxes_.push_back(std::move(b));
  }
  /// A region from boxes (empty boxes are dropped).
  explicit region(std::vector<box> boxes) {
    for (auto& b : boxes)
      if (!b.is_empty()) boxes_.push_back(std::move(b));
  }
  /// Everything (one box without cuts).
  [[nodiscard]] static region everything() { return region(box{}); }
  /// Nothing.
  [[nodiscard]] static region nothing() { return region(); }

  /// The boxes (their union is the region; boxes from `~` and `-` are disjoint).
  [[nodiscard]] const std::vector<box>& boxes() const noexcept { return boxes_; }
  /// Whether the region is certainly empty (no boxes).
  [[nodiscard]] bool is_empty() const noexcept { return boxes_.empty(); }
  /// Names of the columns the region tests, in order of first appearance.
  [[nodiscard]] std::vector<std::string> columns() const {
    std::vector<std::string> out;
    for (const auto& b : boxes_)
      for (const auto& c : b.cuts)
        if (std::find(out.begin(), out.end(), c.column) == out.end()) out.push_back(c.column);
    return out;
  }

  /// Intersection: pairwise intersections of the boxes.
  friend region operator&(const region& a, const region& b) {
    std::vector<box> out;
    for (const auto& x : a.boxes_)
      for (const auto& y : b.boxes_) out.push_back(x.intersect(y));
    return region(std::move(out));
  }
  /// Union.
  friend region operator|(const region& a, const region& b) {
    std::vector<box> out = a.boxes_;
    out.insert(out.end(), b.boxes_.begin(), b.boxes_.end());
    return region(std::move(out));
  }
  /// Complement, as a union of disjoint boxes: for a box c1 AND ... AND ck it is
  /// (~c1) OR (c1 AND ~c2) OR ... ; for a union it is the intersection of the complements.
  friend region operator~(const region& a) {
    region acc = everything();
    for (const auto& b : a.boxes_) acc = acc & complement_of(b);
    return acc;
  }
  /// Difference `a AND NOT b`.
  friend region operator-(const region& a, const region& b) { return a & ~b; }

  /// Whether the event with `values` in the columns `names` is in the region.
  /// @throws hepad::out_of_range if a tested column is not among `names`.
  [[nodiscard]] bool contains(std::span<const double> values, const std::vector<std::string>& names) const {
    check_size("data::region::contains", "values", values.size(), names.size());
    const auto comp = compile(names);
    for (const auto& b : comp)
      if (std::all_of(b.begin(), b.end(), [&](const auto& ci) {
            return ci.second.contains(values[static_cast<std::size_t>(ci.first)]);
          }))
        return true;
    return false;
  }

  /// One flag per row of `values`, whose columns are called `names`. O(rows * cuts).
  /// @throws hepad::out_of_range if a tested column is not among `names`.
  template <class S>
  [[nodiscard]] row_mask mask(matrix_cref<S> values, const std::vector<std::string>& names) const {
    check_size("data::region::mask", "column names", names.size(), static_cast<std::size_t>(values.cols()));
    const auto comp = compile(names);
    row_mask m(values.rows());
    for (Eigen::Index i = 0; i < values.rows(); ++i)
      for (const auto& b : comp)
        if (std::all_of(b.begin(), b.end(), [&](const auto& ci) {
              return ci.second.contains(static_cast<double>(values(i, ci.first)));
            })) {
          m.set(i);
          break;
        }
    return m;
  }
  /// One flag per event of `t`, testing its named columns.
  template <class S>
  [[nodiscard]] row_mask mask(const table<S>& t) const {
    return mask<S>(t.values(), t.column_names());
  }
  /// Number of events of `t` in the region.
  template <class S>
  [[nodiscard]] std::int64_t count(const table<S>& t) const {
    return mask(t).count();
  }

  /// Readable form, e.g. "(HT > 800 and MET > 75)"; "nothing" / "everything".
  [[nodiscard]] std::string describe() const {
    if (boxes_.empty()) return "nothing";
    std::ostringstream os;
    for (std::size_t k = 0; k < boxes_.size(); ++k) {
      if (k) os << " or ";
      os << '(';
      if (boxes_[k].cuts.empty()) os << "everything";
      for (std::size_t j = 0; j < boxes_[k].cuts.size(); ++j) {
        const auto& c = boxes_[k].cuts[j];
        if (j) os << " and ";
        const bool has_lo = std::isfinite(c.range.lo), has_hi = std::isfinite(c.range.hi);
        if (has_lo && has_hi)
          os << c.range.lo << (c.range.closed_lo ? " <= " : " < ") << c.column
             << (c.range.closed_hi ? " <= " : " < ") << c.range.hi;
        else if (has_lo)
          os << c.column << (c.range.closed_lo ? " >= " : " > ") << c.range.lo;
        else if (has_hi)
          os << c.column << (c.range.closed_hi ? " <= " : " < ") << c.range.hi;
        else
          os << c.column << " any";
      }
      os << ')';
    }
    return os.str();
  }
  friend bool operator==(const region&, const region&) = default;

 private:
  using compiled_box = std::vector<std::pair<Eigen::Index, interval>>;

  static region complement_of(const box& b) {
    std::vector<box> out;
    box prefix;
    for (const auto& c : b.cuts) {
      for (const auto& piece : c.range.complement()) {
        box nb = prefix;
        nb.cuts.push_back(cut{c.column, piece});
        out.push_back(std::move(nb));
      }
      prefix.cuts.push_back(c);
    }
    return region(std::move(out));
  }

  [[nodiscard]] std::vector<compiled_box> compile(const std::vector<std::string>& names) const {
    std::vector<compiled_box> out;
    out.reserve(boxes_.size());
    for (const auto& b : boxes_) {
      compiled_box cb;
      for (const auto& c : b.cuts) {
        const auto it = std::find(names.begin(), names.end(), c.column);
        if (it == names.end())
          hepad::detail::raise<out_of_range>(hepad::detail::concat(
              "data::region: the region tests column '", c.column, "', which the data do not have"));
        cb.emplace_back(static_cast<Eigen::Index>(it - names.begin()), c.range);
      }
      out.push_back(std::move(cb));
    }
    return out;
  }

  std::vector<box> boxes_;
};

/// `column > x`.
[[nodiscard]] inline region above(std::string column, double x) {
  return region(box{{cut{std::move(column), interval{x, std::numeric_limits<double>::infinity(), false, false}}}});
}
/// `column >= x`.
[[nodiscard]] inline region at_least(std::string column, double x) {
  return region(box{{cut{std::move(column), interval{x, std::numeric_limits<double>::infinity(), true, false}}}});
}
/// `column < x`.
[[nodiscard]] inline region below(std::string column, double x) {
  return region(box{{cut{std::move(column), interval{-std::numeric_limits<double>::infinity(), x, false, false}}}});
}
/// `column <= x`.
[[nodiscard]] inline region at_most(std::string column, double x) {
  return region(box{{cut{std::move(column), interval{-std::numeric_limits<double>::infinity(), x, false, true}}}});
}
/// `lo <= column < hi` (half-open, the histogram-bin convention).
[[nodiscard]] inline region within(std::string column, double lo, double hi) {
  return region(box{{cut{std::move(column), interval{lo, hi, true, false}}}});
}
/// `column` in an arbitrary interval.
[[nodiscard]] inline region in_interval(std::string column, interval range) {
  return region(box{{cut{std::move(column), range}}});
}

/// The events of `t` inside and outside `r` (each in their original order), copied.
template <class S>
[[nodiscard]] inline std::pair<table<S>, table<S>> partition(const table<S>& t, const region& r) {
  const auto m = r.mask(t);
  return {t.select(m), t.select(~m)};
}

}  // namespace hepad::data

#endif  // HEPAD_DATA_REGION_HPP
