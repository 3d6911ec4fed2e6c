// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/batch.hpp
/// @brief `nn::training_data<S>` (non-owning views of the arrays a trainer iterates over: features
/// x, targets y, per-event weights w, context c) and `nn::batch<S>` (one contiguous mini-batch, or
/// one chunk of it, handed to losses and objectives).
#ifndef HEPAD_NN_BATCH_HPP
#define HEPAD_NN_BATCH_HPP

#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>

#include <cstdint>
#include <new>
#include <span>
#include <string_view>

namespace hepad::nn {

/// Views of the training arrays (all with the same number of rows; y, w and c may be empty).
/// The arrays must stay alive while the trainer uses them.
template <class S>
struct training_data {
  matrix_cmap<S> x{nullptr, 0, 0};  ///< features, n x d (required)
  matrix_cmap<S> y{nullptr, 0, 0};  ///< targets, n x k (labels as one column), or n x 0
  Eigen::Map<const vector<S>> w{nullptr, 0};  ///< per-event weights (may be negative), or empty
  matrix_cmap<S> c{nullptr, 0, 0};  ///< context (conditioning) columns, or n x 0

  [[nodiscard]] index_t size() const noexcept { return x.rows(); }
  [[nodiscard]] bool weighted() const noexcept { return w.size() > 0; }

  /// @throws invalid_argument naming `fn` if the row counts differ or x is empty.
  void validate(std::string_view fn) const {
    if (x.rows() == 0 || x.cols() == 0) throw_invalid_argument(fn, "x must not be empty");
    if (y.cols() > 0 && y.rows() != x.rows())
      throw_invalid_argument(fn, hepad::detail::concat("y must have ", x.rows(), " rows, got ", y.rows()));
    if (w.size() > 0 && w.size() != x.rows())
      throw_invalid_argument(fn, hepad::detail::concat("w must have ", x.rows(), " entries, got ", w.size()));
    if (c.cols() > 0 && c.rows() != x.rows())
      throw_invalid_argument(fn, hepad::detail::concat("c must have ", x.rows(), " rows, got ", c.rows()));
  }
};

/// Views of row-major matrices as training data (pass empty matrices for absent parts).
template <class S>
inline training_data<S> make_data(const matrix<S>& x, const matrix<S>& y = matrix<S>(),
                                  const vector<S>& w = vector<S>(), const matrix<S>& c = matrix<S>()) {
  training_data<S> d;
  new (&d.x) matrix_cmap<S>(x.data(), x.rows(), x.cols());
  if (y.size() > 0) new (&d.y) matrix_cmap<S>(y.data(), y.rows(), y.cols());
  if (w.size() > 0) new (&d.w) Eigen::Map<const vector<S>>(w.data(), w.size());
  if (c.size() > 0) new (&d.c) matrix_cmap<S>(c.data(), c.rows(), c.cols());
  return d;
}

/// A contiguous mini-batch (or one chunk of it): row-major blocks of x, y, w and c.
template <class S>
struct batch {
  const S* x = nullptr;
  const S* y = nullptr;  ///< nullptr if the data has no targets
  const S* w = nullptr;  ///< nullptr if unweighted
  const S* c = nullptr;  ///< nullptr if no context
  index_t n = 0;         ///< events in this batch
  index_t dx = 0, dy = 0, dc = 0;
  std::int64_t epoch = 0, step = 0;  ///< position in training (0-based)

  [[nodiscard]] index_t size() const noexcept { return n; }
  [[nodiscard]] bool weighted() const noexcept { return w != nullptr; }
  /// The features as a constant node (no copy).
  autodiff::node<S> features(autodiff::tape<S>& t) const { return t.view(x, n, dx); }
  /// The targets as a constant node. @throws invalid_argument if there are none.
  autodiff::node<S> targets(autodiff::tape<S>& t) const {
    if (!y) throw_invalid_argument("nn::batch::targets", "the training data has no targets (y)");
    return t.view(y, n, dy);
  }
  /// The weights as an n x 1 constant node, or an empty handle if unweighted.
  autodiff::node<S> weights(autodiff::tape<S>& t) const {
    return w ? t.view(w, n, 1) : autodiff::node<S>{};
  }
  /// The context as a constant node. @throws invalid_argument if there is none.
  autodiff::node<S> context(autodiff::tape<S>& t) const {
    if (!c) throw_invalid_argument("nn::batch::context", "the training data has no context (c)");
    return t.view(c, n, dc);
  }
  [[nodiscard]] matrix_cmap<S> x_map() const { return {x, n, dx}; }
  [[nodiscard]] matrix_cmap<S> y_map() const { return {y, y ? n : 0, dy}; }
  [[nodiscard]] Eigen::Map<const vector<S>> w_map() const { return {w, w ? n : 0}; }
  [[nodiscard]] matrix_cmap<S> c_map() const { return {c, c ? n : 0, dc}; }
  /// Rows [begin, begin + count) of this batch.
  [[nodiscard]] batch slice(index_t begin, index_t count) const {
    batch b = *this;
    b.x = x + begin * dx;
    b.y = y ? y + begin * dy : nullptr;
    b.w = w ? w + begin : nullptr;
    b.c = c ? c + begin * dc : nullptr;
    b.n = count;
    return b;
  }
};

/// The whole of `d` as one batch (views, no copy).
template <class S>
inline batch<S> as_batch(const training_data<S>& d) {
  batch<S> b;
  b.x = d.x.data();
  b.n = d.x.rows();
  b.dx = d.x.cols();
  if (d.y.cols() > 0) {
    b.y = d.y.data();
    b.dy = d.y.cols();
  }
  if (d.w.size() > 0) b.w = d.w.data();
  if (d.c.cols() > 0) {
    b.c = d.c.data();
    b.dc = d.c.cols();
  }
  return b;
}

}  // namespace hepad::nn

#endif  // HEPAD_NN_BATCH_HPP
