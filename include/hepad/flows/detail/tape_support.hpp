// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/detail/tape_support.hpp
/// @brief Internal helpers for the fused tape operations of the flows family: parameter leaf
/// handles kept in the arena, gradient destinations that are zero-filled on first write, the
/// two-output rule (a layer's reverse pass runs when either its value or its log-det was reached),
/// and input checks.
#ifndef HEPAD_FLOWS_DETAIL_TAPE_SUPPORT_HPP
#define HEPAD_FLOWS_DETAIL_TAPE_SUPPORT_HPP

#include <hepad/autodiff/parameter.hpp>
#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>

#include <algorithm>
#include <string_view>
#include <vector>

namespace hepad::flows::detail {

/// Parameter leaves of one fused op, stored in the tape's arena.
template <class S>
struct param_leaves {
  autodiff::node<S>* nodes = nullptr;
  S** grads = nullptr;  // filled by `targets()` during the reverse pass
  int n = 0;

  static param_leaves make(autodiff::tape<S>& t, std::vector<autodiff::parameter<S>>& ps, bool train) {
    param_leaves r;
    if (!train || !t.grad_enabled() || ps.empty()) return r;
    r.n = static_cast<int>(ps.size());
    r.nodes = t.template allocate<autodiff::node<S>>(ps.size());
    r.grads = t.template allocate<S*>(ps.size());
    for (std::size_t i = 0; i < ps.size(); ++i) r.nodes[i] = t.parameter(ps[i]);
    return r;
  }
  [[nodiscard]] bool any() const noexcept { return n > 0; }
  /// Gradient destinations (accumulated into), zero-filled where nothing was written yet; null if
  /// the parameters are frozen.
  S* const* targets() const {
    if (n == 0) return nullptr;
    for (int i = 0; i < n; ++i) grads[i] = writable(nodes[i]);
    return grads;
  }
  /// Adjoint storage of `x` ready for accumulation (zero-filled on first write).
  static S* writable(autodiff::node<S> x) {
    S* g = autodiff::grad_storage(x).data();
    if (!autodiff::begin_grad_write(x)) std::fill_n(g, x.size(), S(0));
    return g;
  }
};

/// Registers `main` as the reverse pass of a two-output op (value `u`, log-det `ld`): it runs if
/// either output's adjoint was reached (the unreached one reads as zero).
template <class S, class F>
inline void on_backward_two(autodiff::tape<S>& t, autodiff::node<S> u, autodiff::node<S> ld, F main) {
  t.on_backward(u, main);
  if (ld.valid())
    t.on_backward(ld, [u] {
      (void)u.grad();  // marks u's adjoint as reached (zero if nothing wrote it)
    });
}

/// Throws `invalid_argument` naming `fn` unless `x` has `cols` columns and finite entries.
template <class S>
inline void check_events(std::string_view fn, std::string_view arg, matrix_cref<S> x, index_t cols) {
  if (x.cols() != cols)
    throw_invalid_argument(fn, hepad::detail::concat(arg, " must have ", cols, " columns, got ", x.cols()));
  check_all_finite(fn, arg, x);
}

/// Throws unless the context has the expected shape (rows = events, `cols` columns) and is finite.
template <class S>
inline void check_context(std::string_view fn, matrix_cref<S> c, index_t rows, index_t cols) {
  if (cols == 0) return;
  if (c.rows() != rows || c.cols() != cols)
    throw_invalid_argument(fn, hepad::detail::concat("context must be ", rows, " x ", cols, ", got ",
                                                     c.rows(), " x ", c.cols()));
  check_all_finite(fn, "context", c);
}

}  // namespace hepad::flows::detail

#endif  // HEPAD_FLOWS_DETAIL_TAPE_SUPPORT_HPP
