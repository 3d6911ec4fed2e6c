// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/coupling.hpp
/// @brief `flows::coupling<S, T>`: a coupling layer (Dinh et al.; Durkan et al.): the features
/// selected by a mask are transformed elementwise by T with parameters from a dense network of
/// the other features and the context; the others pass through. Affine (RealNVP) and
/// rational-quadratic spline (NSF coupling) transformers; both directions cost one network pass.
/// One fused tape operation with a hand-written reverse pass. Not here: autoregressive layers.
#ifndef HEPAD_FLOWS_COUPLING_HPP
#define HEPAD_FLOWS_COUPLING_HPP

#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts/bijector.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/flows/concepts.hpp>
#include <hepad/flows/detail/tape_support.hpp>
#include <hepad/flows/made.hpp>
#include <hepad/flows/transformers.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace hepad::flows {

/// Which features a coupling layer transforms.
struct coupling_mask {
  /// nflows' alternating mask: features 0, 2, 4, ... if `even`, else 1, 3, 5, ...
  static std::vector<bool> alternating(index_t D, bool even) {
    std::vector<bool> m(static_cast<std::size_t>(D), false);
    for (index_t j = even ? 0 : 1; j < D; j += 2) m[static_cast<std::size_t>(j)] = true;
    return m;
  }
  /// The second half (`second == true`) or the first half of the features.
  static std::vector<bool> half(index_t D, bool second) {
    std::vector<bool> m(static_cast<std::size_t>(D), !second);
    for (index_t j = D / 2; j < D; ++j) m[static_cast<std::size_t>(j)] = second;
    return m;
  }
};

/// Coupling layer: u_T = tau(x_T; NN(x_I, c)), u_I = x_I.
/// @tparam S float or double; @tparam T transformer type.
template <class S, class T>
class coupling {
 public:
  using scalar_type = S;
  static constexpr index_t chunk_rows = 4096;

  coupling() = default;
  /// @param transformed mask (size D, at least one true); @param net conditioner configuration
  /// (its layout; degrees are ignored: the network is dense).
  coupling(index_t n_features, index_t n_context, std::vector<bool> transformed, const made_config& net, T tau = {})
      : tau_(tau), D_(n_features) {
    check_size("flows::coupling", "transformed", transformed.size(), static_cast<std::size_t>(n_features));
    for (index_t j = 0; j < D_; ++j)
      (transformed[static_cast<std::size_t>(j)] ? tr_ : id_).push_back(j);
    if (tr_.empty()) throw_invalid_argument("flows::coupling", "transformed must select at least one feature");
    net_ = made<S>::dense(static_cast<index_t>(id_.size()), n_context,
                          static_cast<index_t>(tr_.size()) * tau_.n_params(), net);
  }

  [[nodiscard]] std::int64_t n_features() const noexcept { return D_; }
  [[nodiscard]] std::int64_t n_context() const noexcept { return net_.n_context(); }
  [[nodiscard]] const made<S>& conditioner() const noexcept { return net_; }
  [[nodiscard]] const std::vector<index_t>& transformed() const noexcept { return tr_; }
  void reset_parameters(rng& r) { net_.reset_parameters(r); }
  [[nodiscard]] std::vector<autodiff::parameter<S>*> parameters() {
    std::vector<autodiff::parameter<S>*> v;
    for (auto& p : net_.parameters()) v.push_back(&p);
    return v;
  }

  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x, matrix_cref<S> c) const { return apply(x, c, false); }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u, matrix_cref<S> c) const { return apply(u, c, true); }
  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x) const { return forward(x, matrix<S>(x.rows(), 0)); }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u) const { return inverse(u, matrix<S>(u.rows(), 0)); }

  flow_nodes<S> forward(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S> c, bool train) {
    const index_t n = x.rows(), H = net_.hidden(), m = tau_.n_params();
    const auto nI = static_cast<index_t>(id_.size()), nT = static_cast<index_t>(tr_.size()), O = nT * m;
    const auto leaves = detail::param_leaves<S>::make(t, net_.parameters(), train);
    const bool need = leaves.any() || t.any_requires_grad(x, c);
    autodiff::node<S> u = t.make(n, D_, need), ld = t.make(n, 1, need);
    const int nb = net_.n_buffers();
    S** act = t.template allocate<S*>(static_cast<std::size_t>(nb));
    for (int b = 0; b < nb; ++b) act[b] = t.template allocate<S>(static_cast<std::size_t>(n * H));
    S* P = t.template allocate<S>(static_cast<std::size_t>(n * O));
    S* xi = t.template allocate<S>(static_cast<std::size_t>((std::max)(n * nI, index_t{1})));
    index_t* idx = t.template allocate<index_t>(static_cast<std::size_t>(D_));
    std::copy(id_.begin(), id_.end(), idx);
    std::copy(tr_.begin(), tr_.end(), idx + nI);
    const S* xv = x.value().data();
    for (index_t i = 0; i < n; ++i)
      for (index_t j = 0; j < nI; ++j) xi[i * nI + j] = xv[i * D_ + idx[j]];
    S* packed = t.template allocate<S>(static_cast<std::size_t>(net_.packed_size()));
    net_.pack(packed);
    net_.forward(n, xi, c.value().data(), P, act, packed);
    S* uv = u.mutable_value().data();
    S* lv = ld.mutable_value().data();
    std::copy(xv, xv + n * D_, uv);
    for (index_t i = 0; i < n; ++i) {
      S s = 0;
      for (index_t k = 0; k < nT; ++k) {
        S l;
        const index_t j = idx[nI + k];
        uv[i * D_ + j] = tau_.forward(xv[i * D_ + j], P + i * O + k * m, l);
        s += l;
      }
      lv[i] = s;
    }
    if (!need) return {u, ld};
    S* scratch = t.template allocate<S>(static_cast<std::size_t>(2 * n * H));
    S* gxi = t.template allocate<S>(static_cast<std::size_t>((std::max)(n * nI, index_t{1})));
    const coupling* self = this;
    detail::on_backward_two(t, u, ld, [self, x, c, u, ld, n, act, P, xi, gxi, idx, scratch, leaves] {
      const index_t D = self->D_, m_ = self->tau_.n_params();
      const auto nI_ = static_cast<index_t>(self->id_.size()), nT_ = static_cast<index_t>(self->tr_.size());
      const index_t O_ = nT_ * m_;
      const auto gu = u.grad();
      const auto gl = ld.grad();
      const S* xv_ = x.value().data();
      const bool want_x = x.requires_grad();
      S* gx = want_x ? detail::param_leaves<S>::writable(x) : nullptr;
      for (index_t i = 0; i < n; ++i) {
        for (index_t k = 0; k < nT_; ++k) {
          S gp[3 * detail::rq_knots<S>::max_bins];
          const index_t j = idx[nI_ + k];
          const S g = self->tau_.backward(xv_[i * D + j], P + i * O_ + k * m_, gu(i, j), gl(i, 0), gp);
          for (index_t q = 0; q < m_; ++q) P[i * O_ + k * m_ + q] = gp[q];
          if (want_x) gx[i * D + j] += g;
        }
        if (want_x)
          for (index_t q = 0; q < nI_; ++q) gx[i * D + idx[q]] += gu(i, idx[q]);
      }
      S* gc = c.requires_grad() ? detail::param_leaves<S>::writable(c) : nullptr;
      if (want_x && nI_ > 0) std::fill_n(gxi, n * nI_, S(0));
      self->net_.backward(n, xi, c.value().data(), P, act, scratch, want_x && nI_ > 0 ? gxi : nullptr, gc,
                          leaves.targets());
      if (want_x)
        for (index_t i = 0; i < n; ++i)
          for (index_t q = 0; q < nI_; ++q) gx[i * D + idx[q]] += gxi[i * nI_ + q];
    });
    return {u, ld};
  }

 private:
  transform_result<S> apply(matrix_cref<S> x, matrix_cref<S> c, bool inv) const {
    const index_t n = x.rows(), m = tau_.n_params();
    const auto nI = static_cast<index_t>(id_.size()), nT = static_cast<index_t>(tr_.size());
    transform_result<S> r{x, vector<S>::Zero(n)};
    const index_t rows = (std::min)(n, chunk_rows);
    matrix<S> out(rows, nT * m), xi(rows, nI), acts(static_cast<index_t>(net_.n_buffers()) * rows, net_.hidden());
    std::vector<S*> ptrs;
    for (int b = 0; b < net_.n_buffers(); ++b) ptrs.push_back(acts.data() + b * rows * net_.hidden());
    std::vector<S> packed(static_cast<std::size_t>(net_.packed_size()));
    net_.pack(packed.data());
    for (index_t i0 = 0; i0 < n; i0 += chunk_rows) {
      const index_t k = (std::min)(chunk_rows, n - i0);
      for (index_t i = 0; i < k; ++i)
        for (index_t q = 0; q < nI; ++q) xi(i, q) = x(i0 + i, id_[static_cast<std::size_t>(q)]);
      const matrix<S> cc = c.cols() == 0 ? matrix<S>(k, 0) : matrix<S>(c.middleRows(i0, k));
      net_.forward(k, xi.data(), cc.data(), out.data(), ptrs.data(), packed.data());
      for (index_t i = 0; i < k; ++i)
        for (index_t q = 0; q < nT; ++q) {
          S l;
          const index_t j = tr_[static_cast<std::size_t>(q)];
          const S* p = out.data() + i * nT * m + q * m;
          r.value(i0 + i, j) = inv ? tau_.inverse(x(i0 + i, j), p, l) : tau_.forward(x(i0 + i, j), p, l);
          r.log_det(i0 + i) += l;
        }
    }
    return r;
  }

  T tau_{};
  index_t D_ = 0;
  std::vector<index_t> id_, tr_;
  made<S> net_;
};

/// RealNVP affine coupling layer.
template <class S>
using affine_coupling = coupling<S, affine_transformer<S>>;
/// Rational-quadratic spline coupling layer.
template <class S>
using rq_coupling = coupling<S, spline_transformer<S>>;

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_COUPLING_HPP
