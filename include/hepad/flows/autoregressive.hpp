// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/autoregressive.hpp
/// @brief `flows::autoregressive<S, T>`: a masked autoregressive layer u_d = tau(x_d; MADE(x_<d, c)_d)
/// with an elementwise transformer T (affine: MAF; rational-quadratic spline: autoregressive
/// neural spline flow), as one fused tape operation (conditioner and transformer forward and
/// reverse passes by hand) and a tape-free evaluation path. The inverse (sampling direction) runs
/// the conditioner degree by degree: one masked pass in total instead of D full passes. Aliases
/// `maf_layer<S>` and `rq_autoregressive<S>`. Not here: permutations between layers
/// (permutation.hpp), whole flows (flow.hpp).
#ifndef HEPAD_FLOWS_AUTOREGRESSIVE_HPP
#define HEPAD_FLOWS_AUTOREGRESSIVE_HPP

#include <hepad/autodiff/tape.hpp>
#include <hepad/core/concepts/bijector.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/flows/concepts.hpp>
#include <hepad/flows/detail/tape_support.hpp>
#include <hepad/flows/made.hpp>
#include <hepad/flows/transformers.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace hepad::flows {

/// Masked autoregressive layer with transformer `T` (affine_transformer or spline_transformer).
///
/// Forward (density direction, one conditioner pass): u_d = tau(x_d; p_d(x_<d, c)),
/// log|det du/dx| = sum_d log|dtau/dx_d|. Inverse: x_d = tau^-1(u_d; p_d(x_<d, c)) for d = 0..D-1,
/// with the conditioner evaluated degree by degree (`made::forward_degree`).
/// Evaluation works in chunks of `chunk_rows` events (memory O(chunk x H x layers)).
/// @tparam S float or double; @tparam T transformer type.
template <class S, class T>
class autoregressive {
 public:
  using scalar_type = S;
  using transformer_type = T;
  static constexpr index_t chunk_rows = 2048;
  static constexpr index_t inverse_chunk_rows = 1024;

  autoregressive() = default;
  /// @param n_features D; @param n_context C; @param net conditioner configuration;
  /// @param tau the transformer (its `n_params()` outputs per feature).
  autoregressive(index_t n_features, index_t n_context, const made_config& net, T tau = {})
      : tau_(tau), net_(n_features, n_context, tau.n_params(), net) {}

  [[nodiscard]] std::int64_t n_features() const noexcept { return net_.n_inputs(); }
  [[nodiscard]] std::int64_t n_context() const noexcept { return net_.n_context(); }
  [[nodiscard]] const made<S>& conditioner() const noexcept { return net_; }
  [[nodiscard]] made<S>& conditioner() noexcept { return net_; }
  [[nodiscard]] const T& transformer() const noexcept { return tau_; }

  void reset_parameters(rng& r) { net_.reset_parameters(r); }
  [[nodiscard]] std::vector<autodiff::parameter<S>*> parameters() {
    std::vector<autodiff::parameter<S>*> v;
    for (auto& p : net_.parameters()) v.push_back(&p);
    return v;
  }

  /// u = f(x; c) and log|det du/dx| per event.
  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x, matrix_cref<S> c) const {
    const index_t n = x.rows(), D = n_features(), m = tau_.n_params();
    transform_result<S> r{matrix<S>(n, D), vector<S>::Zero(n)};
    workspace ws(net_, (std::min)(n, chunk_rows));
    for (index_t i0 = 0; i0 < n; i0 += chunk_rows) {
      const index_t k = (std::min)(chunk_rows, n - i0);
      const matrix<S> xc = x.middleRows(i0, k);
      const matrix<S> cc = context_rows(c, i0, k);
      net_.forward(k, xc.data(), cc.data(), ws.out.data(), ws.ptrs.data(), ws.packed.data());
      for (index_t i = 0; i < k; ++i) {
        S ld = 0;
        for (index_t d = 0; d < D; ++d) {
          S l;
          r.value(i0 + i, d) = tau_.forward(xc(i, d), ws.out.data() + i * D * m + d * m, l);
          ld += l;
        }
        r.log_det(i0 + i) = ld;
      }
    }
    return r;
  }
  /// x = f^-1(u; c) and log|det dx/du| per event. Runs the conditioner degree by degree in the
  /// feature-major layout (`made::forward_degree_t`), chunk by chunk.
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u, matrix_cref<S> c) const {
    const index_t n = u.rows(), D = n_features(), C = n_context(), m = tau_.n_params(), H = net_.hidden();
    transform_result<S> r{matrix<S>(n, D), vector<S>::Zero(n)};
    const index_t rows = (std::min)(n, inverse_chunk_rows);
    matrix<S> xt(D, rows), ct(C, rows), ut(D, rows), pt(D * m, rows), acts(net_.n_buffers() * H, rows);
    std::vector<S*> ptrs;
    std::vector<S> ld(static_cast<std::size_t>(rows)), p(static_cast<std::size_t>(m));
    for (index_t i0 = 0; i0 < n; i0 += inverse_chunk_rows) {
      const index_t k = (std::min)(inverse_chunk_rows, n - i0);
      ptrs.clear();
      for (int b = 0; b < net_.n_buffers(); ++b) ptrs.push_back(acts.data() + b * H * k);
      // Feature-major copies with leading dimension k.
      for (index_t d = 0; d < D; ++d)
        for (index_t i = 0; i < k; ++i) ut.data()[d * k + i] = u(i0 + i, d);
      for (index_t j = 0; j < C; ++j)
        for (index_t i = 0; i < k; ++i) ct.data()[j * k + i] = c(i0 + i, j);
      std::fill(ld.begin(), ld.begin() + k, S(0));
      for (index_t d = 0; d < D; ++d) {
        net_.forward_degree_t(static_cast<int>(d), k, xt.data(), ct.data(), pt.data(), ptrs.data());
        S* xd = xt.data() + d * k;
        const S* ud = ut.data() + d * k;
        const S* pd = pt.data() + d * m * k;
        for (index_t i = 0; i < k; ++i) {
          for (index_t j = 0; j < m; ++j) p[static_cast<std::size_t>(j)] = pd[j * k + i];
          S l;
          xd[i] = tau_.inverse(ud[i], p.data(), l);
          ld[static_cast<std::size_t>(i)] += l;
        }
      }
      for (index_t i = 0; i < k; ++i) {
        for (index_t d = 0; d < D; ++d) r.value(i0 + i, d) = xt.data()[d * k + i];
        r.log_det(i0 + i) = ld[static_cast<std::size_t>(i)];
      }
    }
    return r;
  }
  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x) const { return forward(x, matrix<S>(x.rows(), 0)); }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u) const { return inverse(u, matrix<S>(u.rows(), 0)); }

  /// Records the fused operation on `t` (see `flow_layer`).
  flow_nodes<S> forward(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S> c, bool train) {
    const index_t n = x.rows(), D = n_features(), H = net_.hidden(), m = tau_.n_params(), O = D * m;
    const auto leaves = detail::param_leaves<S>::make(t, net_.parameters(), train);
    const bool need = leaves.any() || t.any_requires_grad(x, c);
    autodiff::node<S> u = t.make(n, D, need), ld = t.make(n, 1, need);
    const int nb = net_.n_buffers();
    S** act = t.template allocate<S*>(static_cast<std::size_t>(nb));
    for (int b = 0; b < nb; ++b) act[b] = t.template allocate<S>(static_cast<std::size_t>(n * H));
    S* P = t.template allocate<S>(static_cast<std::size_t>(n * O));
    S* packed = t.template allocate<S>(static_cast<std::size_t>(net_.packed_size()));
    net_.pack(packed);
    const S* xv = x.value().data();
    const S* cv = c.value().data();
    net_.forward(n, xv, cv, P, act, packed);
    S* uv = u.mutable_value().data();
    S* lv = ld.mutable_value().data();
    for (index_t i = 0; i < n; ++i) {
      S s = 0;
      for (index_t d = 0; d < D; ++d) {
        S l;
        uv[i * D + d] = tau_.forward(xv[i * D + d], P + i * O + d * m, l);
        s += l;
      }
      lv[i] = s;
    }
    if (!need) return {u, ld};
    S* scratch = t.template allocate<S>(static_cast<std::size_t>(2 * n * H));
    const autoregressive* self = this;
    detail::on_backward_two(t, u, ld, [self, x, c, u, ld, n, act, P, scratch, leaves] {
      const index_t D_ = self->n_features(), m_ = self->tau_.n_params(), O_ = D_ * m_;
      const auto gu = u.grad();
      const auto gl = ld.grad();
      const S* xv_ = x.value().data();
      S* gP = P;  // the parameters are not needed after this loop: reuse their storage
      const bool want_x = x.requires_grad();
      S* gx = want_x ? detail::param_leaves<S>::writable(x) : nullptr;
      for (index_t i = 0; i < n; ++i)
        for (index_t d = 0; d < D_; ++d) {
          S gp[3 * detail::rq_knots<S>::max_bins];
          const index_t k = i * O_ + d * m_;
          const S g = self->tau_.backward(xv_[i * D_ + d], P + k, gu(i, d), gl(i, 0), gp);
          for (index_t j = 0; j < m_; ++j) gP[k + j] = gp[j];
          if (want_x) gx[i * D_ + d] += g;
        }
      S* gc = c.requires_grad() ? detail::param_leaves<S>::writable(c) : nullptr;
      self->net_.backward(n, xv_, c.value().data(), gP, act, scratch, gx, gc, leaves.targets());
    });
    return {u, ld};
  }

 private:
  struct workspace {
    matrix<S> out, acts;
    std::vector<S*> ptrs;
    std::vector<S> packed;
    workspace(const made<S>& net, index_t rows)
        : out(rows, net.n_outputs()), acts(static_cast<index_t>(net.n_buffers()) * rows, net.hidden()),
          packed(static_cast<std::size_t>(net.packed_size())) {
      for (int b = 0; b < net.n_buffers(); ++b) ptrs.push_back(acts.data() + b * rows * net.hidden());
      net.pack(packed.data());
    }
  };
  static matrix<S> context_rows(matrix_cref<S> c, index_t i0, index_t k) {
    if (c.cols() == 0) return matrix<S>(k, 0);
    return c.middleRows(i0, k);
  }

  T tau_{};
  made<S> net_;
};

/// MAF layer (affine transformer).
template <class S>
using maf_layer = autoregressive<S, affine_transformer<S>>;
/// Autoregressive rational-quadratic spline layer.
template <class S>
using rq_autoregressive = autoregressive<S, spline_transformer<S>>;

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_AUTOREGRESSIVE_HPP
