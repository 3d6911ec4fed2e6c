// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/made.hpp
/// @brief `flows::made<S>`: the masked autoregressive network (MADE, Germain et al. 2015) used as
/// the conditioner of autoregressive flows, with an optional context input, feed-forward or
/// residual (nflows) layout, and the dense variant used by coupling layers. A hand-written fused
/// kernel: forward, reverse pass (input, context and parameter adjoints) and a degree-by-degree
/// forward that inverts an autoregressive layer with one masked pass in total (instead of one
/// full pass per feature). Not here: the elementwise transforms (transformers.hpp) and the layers
/// that combine both (autoregressive.hpp, coupling.hpp).
///
/// Hidden units are stored sorted by degree, so every mask is a block structure in which each
/// group of output units (same degree) reads a prefix of the inputs; the products run block by
/// block and never touch masked weights. The function computed is exactly that of a MADE whose
/// hidden unit k has the documented degree, up to a relabelling of hidden units (which matters only
/// when importing weights from another library).
#ifndef HEPAD_FLOWS_MADE_HPP
#define HEPAD_FLOWS_MADE_HPP

#include <hepad/autodiff/parameter.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::flows {

/// How MADE assigns degrees to hidden units (inputs have degrees 1..D, feature d's outputs d).
enum class made_degrees : int {
  /// Unit k has degree k mod D, in 0..D-1; degree-0 units see only the context, so the first
  /// feature's parameters depend on the context (the peer benchmark's convention).
  zero_based = 0,
  /// Unit k has degree (k mod max(1, D-1)) + min(1, D-1), in 1..D-1 (nflows' sequential degrees);
  /// the first feature's parameters are then plain biases.
  nflows = 1
};

/// How the context enters the first layer.
enum class made_context : int {
  /// As extra input columns of the first masked layer (shared fan-in for the initialisation, one
  /// bias): `Linear(D + C -> H)` with the context columns unmasked (peer convention).
  joint = 0,
  /// As a separate `Linear(C -> H)` with its own bias added after the first layer (nflows).
  separate = 1
};

/// Configuration of a MADE conditioner (also used for the dense conditioners of coupling layers).
struct made_config {
  /// Hidden width H.
  std::int64_t hidden = 64;
  /// Feed-forward: number of hidden layers (>= 1). Residual: number of residual blocks (>= 0).
  std::int64_t n_layers = 2;
  /// Residual layout (nflows `MADE(use_residual_blocks=True)`): initial masked linear without
  /// activation, blocks h += W1 relu(W0 relu(h) + V c), final masked linear on h.
  bool residual = false;
  made_degrees degrees = made_degrees::zero_based;
  made_context context = made_context::joint;
  /// Residual blocks: add a context term (Linear(C -> H) with bias) inside each block (nflows).
  bool block_context = true;
  /// Residual blocks: the second linear layer starts as U(-zero_init, zero_init) (weights and
  /// bias), so each block starts close to the identity; 0 keeps the default initialisation.
  double zero_init = 1e-3;
  static constexpr std::string_view name = "made";
  static constexpr auto fields() {
    return std::tuple{config::field{"hidden", &made_config::hidden},
                      config::field{"n_layers", &made_config::n_layers},
                      config::field{"residual", &made_config::residual},
                      config::field{"degrees", &made_config::degrees},
                      config::field{"context", &made_config::context},
                      config::field{"block_context", &made_config::block_context},
                      config::field{"zero_init", &made_config::zero_init}};
  }
  void validate(std::string_view fn) const {
    check_positive(fn, "made.hidden", hidden);
    if (residual)
      check_nonnegative(fn, "made.n_layers", n_layers);
    else
      check_positive(fn, "made.n_layers", n_layers);
    check_nonnegative(fn, "made.zero_init", zero_init);
  }
};

namespace detail {

/// One group of output units of a masked layer: units [begin, end) read inputs [0, prefix).
struct mask_group {
  index_t begin = 0, end = 0, prefix = 0;
  int degree = 0;
};

/// Groups of a masked layer with sorted output degrees `out` and sorted input degrees `in`;
/// output unit o may read input i iff in[i] <= out[o] (hidden) or in[i] < out[o] (`strict`).
inline std::vector<mask_group> make_groups(const std::vector<int>& in, const std::vector<int>& out, bool strict) {
  std::vector<mask_group> g;
  for (std::size_t o = 0; o < out.size();) {
    std::size_t e = o;
    while (e < out.size() && out[e] == out[o]) ++e;
    std::size_t p = 0;
    while (p < in.size() && (strict ? in[p] < out[o] : in[p] <= out[o])) ++p;
    g.push_back({static_cast<index_t>(o), static_cast<index_t>(e), static_cast<index_t>(p), out[o]});
    o = e;
  }
  return g;
}

/// A linear map y = x W^T + b with a block mask; W is out x in (torch layout), b is 1 x out.
struct masked_linear_spec {
  int w = -1, b = -1;  ///< parameter indices (b = -1: no bias)
  index_t in = 0, out = 0;
  std::vector<mask_group> groups;
};

}  // namespace detail

/// Masked autoregressive network y = MADE(x, c): row i of the output holds, for each feature d,
/// `mult` numbers that depend only on x_{<d} (in the column order of x) and on c.
///
/// Parameters are `autodiff::parameter<S>` (value + gradient), so the optimisers of hepad::nn
/// train them; the kernel entry points take raw row-major buffers so that both the tape op
/// (flows/autoregressive.hpp) and the tape-free evaluation use them.
/// @tparam S float or double.
template <class S>
class made {
 public:
  using scalar_type = S;

  made() = default;

  /// Autoregressive MADE on D features with C context columns and `mult` outputs per feature
  /// (feature-major layout: outputs d*mult .. d*mult + mult - 1 belong to feature d).
  made(index_t n_features, index_t n_context, index_t mult, const made_config& cfg)
      : cfg_(cfg), D_(n_features), C_(n_context), mult_(mult) {
    cfg.validate("flows::made");
    check_positive("flows::made", "n_features", n_features);
    check_nonnegative("flows::made", "n_context", n_context);
    check_positive("flows::made", "mult", mult);
    std::vector<int> in(static_cast<std::size_t>(D_)), out;
    for (index_t i = 0; i < D_; ++i) in[static_cast<std::size_t>(i)] = static_cast<int>(i + 1);
    for (index_t d = 0; d < D_; ++d)
      for (index_t j = 0; j < mult_; ++j) out.push_back(static_cast<int>(d + 1));
    build(in, hidden_degrees(), out);
  }

  /// A dense (unmasked) network from `n_in` inputs and C context columns to `n_out` outputs, with
  /// the same layouts (the conditioner of coupling layers).
  static made dense(index_t n_in, index_t n_context, index_t n_out, const made_config& cfg) {
    cfg.validate("flows::made::dense");
    check_nonnegative("flows::made::dense", "n_in", n_in);
    check_nonnegative("flows::made::dense", "n_context", n_context);
    check_positive("flows::made::dense", "n_out", n_out);
    made m;
    m.cfg_ = cfg;
    m.D_ = n_in;
    m.C_ = n_context;
    m.mult_ = 1;
    m.dense_ = true;
    m.build(std::vector<int>(static_cast<std::size_t>(n_in), 0),
            std::vector<int>(static_cast<std::size_t>(cfg.hidden), 0),
            std::vector<int>(static_cast<std::size_t>(n_out), 1));
    return m;
  }

  [[nodiscard]] index_t n_inputs() const noexcept { return D_; }
  [[nodiscard]] index_t n_context() const noexcept { return C_; }
  [[nodiscard]] index_t n_outputs() const noexcept { return out_; }
  [[nodiscard]] index_t hidden() const noexcept { return H_; }
  [[nodiscard]] index_t mult() const noexcept { return mult_; }
  [[nodiscard]] const made_config& config() const noexcept { return cfg_; }
  /// Sorted hidden degrees (for tests and documentation).
  [[nodiscard]] const std::vector<int>& hidden_degree_list() const noexcept { return hdeg_; }

  /// The parameters, in a fixed order with checkpoint names ("input.weight", ...).
  [[nodiscard]] std::vector<autodiff::parameter<S>>& parameters() noexcept { return params_; }
  [[nodiscard]] const std::vector<autodiff::parameter<S>>& parameters() const noexcept { return params_; }
  /// Number of scalars in all parameters (masked weights included, as in torch).
  [[nodiscard]] index_t n_parameter_values() const noexcept {
    index_t s = 0;
    for (const auto& p : params_) s += p.size();
    return s;
  }

  /// Torch's default initialisation: every weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
  /// masked weights set to 0 (they are never read); residual blocks' second layers
  /// U(-zero_init, zero_init). Gradients are zeroed.
  void reset_parameters(rng& r) {
    auto fill = [&](autodiff::parameter<S>& p, double bound) {
      for (index_t k = 0; k < p.value.size(); ++k)
        p.value.data()[k] = static_cast<S>(bound * (2.0 * r.uniform<double>() - 1.0));
      p.grad.setZero();
    };
    auto lin = [&](const detail::masked_linear_spec& l, double fan_in, double bound_override = -1) {
      const double bound = bound_override > 0 ? bound_override : 1.0 / std::sqrt((std::max)(fan_in, 1.0));
      fill(params_[static_cast<std::size_t>(l.w)], bound);
      if (l.b >= 0) fill(params_[static_cast<std::size_t>(l.b)], bound);
      zero_masked(l);
    };
    const bool joint = cfg_.context == made_context::joint;
    const double first_fan = static_cast<double>(D_ + (joint ? C_ : 0));
    lin(first_, first_fan);
    if (C_ > 0) {
      fill(params_[static_cast<std::size_t>(ctx0_w_)], 1.0 / std::sqrt(joint ? first_fan : static_cast<double>(C_)));
      if (ctx0_b_ >= 0) fill(params_[static_cast<std::size_t>(ctx0_b_)], 1.0 / std::sqrt(static_cast<double>(C_)));
    }
    for (const auto& l : hidden_) lin(l, static_cast<double>(H_));
    for (const auto& bk : blocks_) {
      if (bk.ctx_w >= 0) {
        fill(params_[static_cast<std::size_t>(bk.ctx_w)], 1.0 / std::sqrt(static_cast<double>(C_)));
        fill(params_[static_cast<std::size_t>(bk.ctx_b)], 1.0 / std::sqrt(static_cast<double>(C_)));
      }
      lin(bk.l0, static_cast<double>(H_));
      lin(bk.l1, static_cast<double>(H_), cfg_.zero_init > 0 ? cfg_.zero_init : -1.0);
    }
    lin(last_, static_cast<double>(H_));
  }

  // --- kernel entry points ----------------------------------------------------------------------
  // Buffers are row-major: x n x D, c n x C, out n x n_outputs, each activation buffer n x H.

  /// Number of n x H activation buffers `forward` fills and `backward` reads.
  [[nodiscard]] int n_buffers() const noexcept {
    return cfg_.residual ? 2 + 2 * static_cast<int>(blocks_.size()) : static_cast<int>(hidden_.size()) + 1;
  }

  /// Full forward pass. `act` points to `n_buffers()` buffers of n x H that receive the
  /// activations needed by `backward` (and by `forward_degree`).
  void forward(index_t n, const S* x, const S* c, S* out, S* const* act) const {
    run_forward(n, x, c, out, act, -1);
  }

  /// Forward restricted to degree `deg`: computes the hidden units of degree `deg` (all layers;
  /// lower degrees must already be in `act`) and the outputs of feature `deg` (0-based), which
  /// depend only on x_0 .. x_{deg-1}. Calling it for deg = 0 .. D-1 in turn, each time after
  /// filling column deg-1 of x, computes exactly what `forward` computes, with the cost of one pass.
  void forward_degree(int deg, index_t n, const S* x, const S* c, S* out, S* const* act) const {
    run_forward(n, x, c, out, act, deg);
  }

  /// Parameter-gradient destinations for `backward`: one pointer per parameter (same order as
  /// `parameters()`), accumulated into; null to skip parameter gradients (frozen network).
  using grad_targets = S* const*;

  /// Reverse pass: given dL/d(out), accumulates dL/dx into `dx`, dL/dc into `dc` (each may be
  /// null) and parameter gradients into `pgrad` (may be null). `act` holds the activations of the
  /// matching `forward`; `scratch` must hold 2 n x H values.
  void backward(index_t n, const S* x, const S* c, const S* dout, S* const* act, S* scratch,
                S* dx, S* dc, grad_targets pgrad) const {
    using cmap = Eigen::Map<const matrix<S>>;
    using map = Eigen::Map<matrix<S>>;
    const cmap X(x, n, D_), Cx(c, n, C_), dO(dout, n, out_);
    S* cur = scratch;
    S* other = scratch + n * H_;
    if (!cfg_.residual) {
      const int L = static_cast<int>(hidden_.size());
      {
        map g(cur, n, H_);
        lin_backward(last_, dO, cmap(act[L], n, H_), g, pgrad);
      }
      for (int l = L; l >= 1; --l) {
        map g(cur, n, H_), g2(other, n, H_);
        const cmap h(act[l], n, H_);
        g = (h.array() > S(0)).select(g, S(0));  // through relu
        lin_backward(hidden_[static_cast<std::size_t>(l - 1)], g, cmap(act[l - 1], n, H_), g2, pgrad);
        std::swap(cur, other);
      }
      map g(cur, n, H_);
      g = (cmap(act[0], n, H_).array() > S(0)).select(g, S(0));
    } else {
      const int B = static_cast<int>(blocks_.size());
      map g(cur, n, H_), g2(other, n, H_);
      lin_backward(last_, dO, cmap(act[1 + 2 * B], n, H_), g, pgrad);
      for (int k = B - 1; k >= 0; --k) {
        const auto& bk = blocks_[static_cast<std::size_t>(k)];
        map t(act[2 + 2 * k], n, H_);
        const cmap r(act[1 + 2 * k], n, H_);
        lin_backward(bk.l1, g, t, g2, pgrad);       // g2 = dL/dt
        g2 = (t.array() > S(0)).select(g2, S(0));  // dL/da
        if (bk.ctx_w >= 0) ctx_backward(bk.ctx_w, bk.ctx_b, g2, Cx, dc, pgrad);
        lin_backward(bk.l0, g2, r, t, pgrad);  // t's storage now holds dL/dr
        g.array() += (r.array() > S(0)).select(t.array(), S(0));
      }
    }
    // First layer: a0 = x W^T + c V^T + b; cur holds dL/da0.
    const cmap g0(cur, n, H_);
    if (C_ > 0) ctx_backward(ctx0_w_, ctx0_b_, g0, Cx, dc, pgrad);
    if (dx != nullptr && D_ > 0) {
      map dX(dx, n, D_);
      lin_backward_accumulate(first_, g0, dX);
    }
    lin_backward_params(first_, g0, X, pgrad);
  }

 private:
  struct block_spec {
    detail::masked_linear_spec l0, l1;
    int ctx_w = -1, ctx_b = -1;
  };

  std::vector<int> hidden_degrees() const {
    const auto H = static_cast<std::size_t>(cfg_.hidden);
    std::vector<int> deg(H);
    const int D = static_cast<int>(D_);
    for (std::size_t k = 0; k < H; ++k) {
      const int kk = static_cast<int>(k);
      deg[k] = cfg_.degrees == made_degrees::zero_based ? kk % D
                                                        : kk % (std::max)(1, D - 1) + (std::min)(1, D - 1);
    }
    std::sort(deg.begin(), deg.end());
    return deg;
  }

  int add_param(std::string name, index_t rows, index_t cols) {
    params_.emplace_back(std::move(name), rows, cols);
    return static_cast<int>(params_.size()) - 1;
  }

  detail::masked_linear_spec make_linear(const std::string& name, const std::vector<int>& in,
                                         const std::vector<int>& out, bool strict, bool bias) {
    detail::masked_linear_spec l;
    l.in = static_cast<index_t>(in.size());
    l.out = static_cast<index_t>(out.size());
    l.w = add_param(name + ".weight", l.out, l.in);
    if (bias) l.b = add_param(name + ".bias", 1, l.out);
    l.groups = detail::make_groups(in, out, strict);
    return l;
  }

  void build(const std::vector<int>& in, const std::vector<int>& hid, const std::vector<int>& out) {
    params_.clear();
    hidden_.clear();
    blocks_.clear();
    hdeg_ = hid;
    H_ = static_cast<index_t>(hid.size());
    out_ = static_cast<index_t>(out.size());
    const bool joint = cfg_.context == made_context::joint;
    first_ = make_linear("input", in, hid, false, true);
    if (C_ > 0) {
      ctx0_w_ = add_param("context.weight", H_, C_);
      ctx0_b_ = joint ? -1 : add_param("context.bias", 1, H_);
    }
    if (!cfg_.residual) {
      for (std::int64_t l = 1; l < cfg_.n_layers; ++l)
        hidden_.push_back(make_linear(hepad::detail::concat("hidden.", l - 1), hid, hid, false, true));
    } else {
      for (std::int64_t k = 0; k < cfg_.n_layers; ++k) {
        block_spec b;
        const std::string p = hepad::detail::concat("blocks.", k);
        if (C_ > 0 && cfg_.block_context) {
          b.ctx_w = add_param(p + ".context.weight", H_, C_);
          b.ctx_b = add_param(p + ".context.bias", 1, H_);
        }
        b.l0 = make_linear(p + ".linear0", hid, hid, false, true);
        b.l1 = make_linear(p + ".linear1", hid, hid, false, true);
        blocks_.push_back(std::move(b));
      }
    }
    last_ = make_linear("output", hid, out, true, true);
  }

  void zero_masked(const detail::masked_linear_spec& l) {
    auto& W = params_[static_cast<std::size_t>(l.w)].value;
    for (const auto& g : l.groups)
      W.block(g.begin, g.prefix, g.end - g.begin, l.in - g.prefix).setZero();
  }

  const S* pv(int i) const noexcept { return params_[static_cast<std::size_t>(i)].value.data(); }

  // Y[:, groups] (=|+=) X[:, prefix] W[groups, prefix]^T (+ b). deg < 0: all groups; otherwise
  // only the groups of that degree.
  template <class XM, class YM>
  void lin_forward(const detail::masked_linear_spec& l, const XM& X, YM& Y, bool accumulate, int deg) const {
    const Eigen::Map<const matrix<S>> W(pv(l.w), l.out, l.in);
    for (const auto& g : l.groups) {
      if (deg >= 0 && g.degree != deg) continue;
      const index_t w = g.end - g.begin;
      if (w == 0) continue;
      auto Yb = Y.middleCols(g.begin, w);
      if (g.prefix > 0) {
        if (accumulate)
          Yb.noalias() += X.leftCols(g.prefix) * W.block(g.begin, 0, w, g.prefix).transpose();
        else
          Yb.noalias() = X.leftCols(g.prefix) * W.block(g.begin, 0, w, g.prefix).transpose();
      } else if (!accumulate) {
        Yb.setZero();
      }
      if (l.b >= 0) {
        const Eigen::Map<const row_vector<S>> b(pv(l.b), l.out);
        Yb.rowwise() += b.segment(g.begin, w);
      }
    }
  }

  // Y[:, units] += C V[units]^T (+ b), restricted to the hidden units of degree `deg` (all if < 0).
  template <class YM>
  void ctx_forward(int vw, int vb, const Eigen::Map<const matrix<S>>& Cx, YM& Y, int deg) const {
    const Eigen::Map<const matrix<S>> V(pv(vw), H_, C_);
    index_t b0 = 0, b1 = H_;
    if (deg >= 0) {
      b0 = std::lower_bound(hdeg_.begin(), hdeg_.end(), deg) - hdeg_.begin();
      b1 = std::upper_bound(hdeg_.begin(), hdeg_.end(), deg) - hdeg_.begin();
    }
    if (b1 <= b0) return;
    Y.middleCols(b0, b1 - b0).noalias() += Cx * V.middleRows(b0, b1 - b0).transpose();
    if (vb >= 0) {
      const Eigen::Map<const row_vector<S>> b(pv(vb), H_);
      Y.middleCols(b0, b1 - b0).rowwise() += b.segment(b0, b1 - b0);
    }
  }

  std::pair<index_t, index_t> unit_range(int deg) const {
    if (deg < 0) return {0, H_};
    return {std::lower_bound(hdeg_.begin(), hdeg_.end(), deg) - hdeg_.begin(),
            std::upper_bound(hdeg_.begin(), hdeg_.end(), deg) - hdeg_.begin()};
  }

  void run_forward(index_t n, const S* x, const S* c, S* out, S* const* act, int deg) const {
    using cmap = Eigen::Map<const matrix<S>>;
    using map = Eigen::Map<matrix<S>>;
    const cmap X(x, n, D_), Cx(c, n, C_);
    map O(out, n, out_);
    const auto [u0, u1] = unit_range(deg);
    auto relu = [&](map& A) {
      if (u1 > u0) A.middleCols(u0, u1 - u0) = A.middleCols(u0, u1 - u0).cwiseMax(S(0));
    };
    map a0(act[0], n, H_);
    lin_forward(first_, X, a0, false, deg);
    if (C_ > 0) ctx_forward(ctx0_w_, ctx0_b_, Cx, a0, deg);
    if (!cfg_.residual) {
      relu(a0);
      for (std::size_t l = 0; l < hidden_.size(); ++l) {
        map h(act[l + 1], n, H_);
        lin_forward(hidden_[l], cmap(act[l], n, H_), h, false, deg);
        relu(h);
      }
      lin_forward(last_, cmap(act[hidden_.size()], n, H_), O, false, deg < 0 ? -1 : deg + 1);
      return;
    }
    // Residual: act[1 + 2B] holds the running sum h (h_0 = a0, h_{k+1} = h_k + t_k W1^T + b1);
    // act[1 + 2k] = r_k = relu(h_k), act[2 + 2k] = t_k = relu(r_k W0^T + b0 + V c).
    const int B = static_cast<int>(blocks_.size());
    map hb(act[1 + 2 * B], n, H_);
    if (u1 > u0) hb.middleCols(u0, u1 - u0) = a0.middleCols(u0, u1 - u0);
    for (int k = 0; k < B; ++k) {
      const auto& bk = blocks_[static_cast<std::size_t>(k)];
      map r(act[1 + 2 * k], n, H_), t(act[2 + 2 * k], n, H_);
      if (u1 > u0) r.middleCols(u0, u1 - u0) = hb.middleCols(u0, u1 - u0).cwiseMax(S(0));
      lin_forward(bk.l0, r, t, false, deg);
      if (bk.ctx_w >= 0) ctx_forward(bk.ctx_w, bk.ctx_b, Cx, t, deg);
      relu(t);
      lin_forward(bk.l1, t, hb, true, deg);
    }
    lin_forward(last_, hb, O, false, deg < 0 ? -1 : deg + 1);
  }

  // dX = dY W (masked; assigned), then the parameter gradients.
  template <class GY, class XM, class GX>
  void lin_backward(const detail::masked_linear_spec& l, const GY& dY, const XM& X, GX& dX,
                    grad_targets pg) const {
    dX.setZero();
    lin_backward_accumulate(l, dY, dX);
    lin_backward_params(l, dY, X, pg);
  }
  // dX += dY W (masked).
  template <class GY, class GX>
  void lin_backward_accumulate(const detail::masked_linear_spec& l, const GY& dY, GX& dX) const {
    const Eigen::Map<const matrix<S>> W(pv(l.w), l.out, l.in);
    for (const auto& g : l.groups) {
      const index_t w = g.end - g.begin;
      if (w == 0 || g.prefix == 0) continue;
      dX.leftCols(g.prefix).noalias() += dY.middleCols(g.begin, w) * W.block(g.begin, 0, w, g.prefix);
    }
  }
  // dW += dY^T X (masked), db += colsum(dY).
  template <class GY, class XM>
  void lin_backward_params(const detail::masked_linear_spec& l, const GY& dY, const XM& X,
                           grad_targets pg) const {
    if (pg == nullptr) return;
    Eigen::Map<matrix<S>> dW(pg[l.w], l.out, l.in);
    for (const auto& g : l.groups) {
      const index_t w = g.end - g.begin;
      if (w == 0 || g.prefix == 0) continue;
      dW.block(g.begin, 0, w, g.prefix).noalias() += dY.middleCols(g.begin, w).transpose() * X.leftCols(g.prefix);
    }
    if (l.b >= 0) {
      Eigen::Map<row_vector<S>> db(pg[l.b], l.out);
      db += dY.colwise().sum();
    }
  }
  template <class GY>
  void ctx_backward(int vw, int vb, const GY& dY, const Eigen::Map<const matrix<S>>& Cx, S* dc,
                    grad_targets pg) const {
    if (C_ == 0) return;
    if (dc != nullptr) {
      const Eigen::Map<const matrix<S>> V(pv(vw), H_, C_);
      Eigen::Map<matrix<S>> dC(dc, dY.rows(), C_);
      dC.noalias() += dY * V;
    }
    if (pg == nullptr) return;
    Eigen::Map<matrix<S>> dV(pg[vw], H_, C_);
    dV.noalias() += dY.transpose() * Cx;
    if (vb >= 0) {
      Eigen::Map<row_vector<S>> db(pg[vb], H_);
      db += dY.colwise().sum();
    }
  }

  made_config cfg_{};
  index_t D_ = 0, C_ = 0, mult_ = 1, H_ = 0, out_ = 0;
  bool dense_ = false;
  std::vector<int> hdeg_;
  std::vector<autodiff::parameter<S>> params_;
  detail::masked_linear_spec first_, last_;
  int ctx0_w_ = -1, ctx0_b_ = -1;
  std::vector<detail::masked_linear_spec> hidden_;
  std::vector<block_spec> blocks_;
};

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_MADE_HPP
