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
#include <hepad/flows/detail/kernel.hpp>

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
  /// Input units [p0, p1) are read by the output units [suffix, out) (reverse pass).
  struct in_block {
    index_t p0 = 0, p1 = 0, suffix = 0;
  };
  std::vector<in_block> in_blocks;
  index_t wt_off = 0, b_off = 0;  ///< offsets of W^T and the bias in the packed buffer
  bool narrow = false;            ///< some group is narrower than a SIMD vector
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
  // The forward kernels read transposed weights prepared by `pack` (once per call or step).

  /// Number of n x H activation buffers `forward` fills and `backward` reads.
  [[nodiscard]] int n_buffers() const noexcept {
    return cfg_.residual ? 2 + 2 * static_cast<int>(blocks_.size()) : static_cast<int>(hidden_.size()) + 1;
  }
  /// Size of the buffer `pack` fills.
  [[nodiscard]] index_t packed_size() const noexcept { return packed_size_; }
  /// Writes the transposed weights and combined biases the forward kernels read into `buf`
  /// (`packed_size()` values).
  void pack(S* buf) const {
    auto transpose = [&](int w, index_t rows, index_t cols, index_t off) {
      const S* src = pv(w);
      S* dst = buf + off;
      for (index_t i = 0; i < rows; ++i)
        for (index_t j = 0; j < cols; ++j) dst[j * rows + i] = src[i * cols + j];
    };
    auto bias = [&](int b1, int b2, index_t len, index_t off) {
      for (index_t j = 0; j < len; ++j)
        buf[off + j] = (b1 >= 0 ? pv(b1)[j] : S(0)) + (b2 >= 0 ? pv(b2)[j] : S(0));
    };
    for (const auto& l : linears()) {
      transpose(l->w, l->out, l->in, l->wt_off);
      for (const auto& g : l->groups)  // masked entries of W^T are zero whatever W holds there
        for (index_t p = g.prefix; p < l->in; ++p)
          for (index_t o = g.begin; o < g.end; ++o) buf[l->wt_off + p * l->out + o] = S(0);
      bias(l->b, l == &first_ ? ctx0_b_ : -1, l->out, l->b_off);
    }
    if (C_ > 0) transpose(ctx0_w_, H_, C_, ctx0_off_);
    for (const auto& bk : blocks_) {
      if (bk.ctx_w >= 0) transpose(bk.ctx_w, H_, C_, bk.ctx_off);
      bias(bk.l0.b, bk.ctx_b, H_, bk.l0.b_off);
    }
  }

  /// Full forward pass. `act` points to `n_buffers()` buffers of n x H that receive the
  /// activations needed by `backward` (and by `forward_degree`); `packed` is `pack`'s output.
  void forward(index_t n, const S* x, const S* c, S* out, S* const* act, const S* packed) const {
    run_forward(n, x, c, out, act, packed, -1);
  }

  /// Forward restricted to degree `deg`: computes the hidden units of degree `deg` (all layers;
  /// lower degrees must already be in `act`) and the outputs of feature `deg` (0-based), which
  /// depend only on x_0 .. x_{deg-1}. Calling it for deg = 0 .. D-1 in turn, each time after
  /// filling column deg-1 of x, computes exactly what `forward` computes, with the cost of one pass.
  void forward_degree(int deg, index_t n, const S* x, const S* c, S* out, S* const* act, const S* packed) const {
    run_forward(n, x, c, out, act, packed, deg);
  }

  /// `forward_degree` in the transposed (feature-major) layout used by the sampling path: xt is
  /// D x n, ct C x n, out_t n_outputs x n, each activation buffer H x n (all row-major), so every
  /// product is vectorised over events whatever the width of a degree group. Reads `parameters()`
  /// directly (no packing).
  void forward_degree_t(int deg, index_t n, const S* xt, const S* ct, S* out_t, S* const* act) const {
    const auto [u0, u1] = unit_range(deg);
    auto lin = [&](const detail::masked_linear_spec& l, const S* X, S* Y, bool accumulate, bool with_bias, bool relu,
                   int d) {
      for (const auto& g : l.groups) {
        if (g.degree != d || g.end == g.begin) continue;
        detail::epilogue<S> e;
        e.accumulate = accumulate;
        e.relu = relu;
        if (with_bias) e.row_bias = pv(l.b) + g.begin;
        detail::gemm<S>(g.end - g.begin, n, g.prefix, pv(l.w) + g.begin * l.in, l.in, 1, X, n, Y + g.begin * n, n, e);
      }
    };
    auto ctx = [&](int vw, int vb1, int vb2, S* Y) {  // Y[units] = b1 + b2 + V c
      if (u1 <= u0) return;
      std::vector<S> rb(static_cast<std::size_t>(u1 - u0));
      for (index_t u = u0; u < u1; ++u)
        rb[static_cast<std::size_t>(u - u0)] = (vb1 >= 0 ? pv(vb1)[u] : S(0)) + (vb2 >= 0 ? pv(vb2)[u] : S(0));
      detail::epilogue<S> e;
      e.row_bias = rb.data();
      detail::gemm<S>(u1 - u0, n, C_, pv(vw) + u0 * C_, C_, 1, ct, n, Y + u0 * n, n, e);
    };
    const bool relu0 = !cfg_.residual;
    S* a0 = act[0];
    if (C_ > 0) {
      ctx(ctx0_w_, first_.b, ctx0_b_, a0);
      lin(first_, xt, a0, true, false, relu0, deg);
    } else {
      lin(first_, xt, a0, false, true, relu0, deg);
    }
    if (!cfg_.residual) {
      for (std::size_t l = 0; l < hidden_.size(); ++l) lin(hidden_[l], act[l], act[l + 1], false, true, true, deg);
      lin(last_, act[hidden_.size()], out_t, false, true, false, deg + 1);
      return;
    }
    const int B = static_cast<int>(blocks_.size());
    S* h = act[1 + 2 * B];
    std::copy(a0 + u0 * n, a0 + u1 * n, h + u0 * n);
    for (int k = 0; k < B; ++k) {
      const auto& bk = blocks_[static_cast<std::size_t>(k)];
      S* r = act[1 + 2 * k];
      S* t = act[2 + 2 * k];
      for (index_t i = u0 * n; i < u1 * n; ++i) r[i] = (std::max)(h[i], S(0));
      if (bk.ctx_w >= 0) {
        ctx(bk.ctx_w, bk.l0.b, bk.ctx_b, t);
        lin(bk.l0, r, t, true, false, true, deg);
      } else {
        lin(bk.l0, r, t, false, true, true, deg);
      }
      lin(bk.l1, t, h, true, true, false, deg);
    }
    lin(last_, h, out_t, false, true, false, deg + 1);
  }

  /// Parameter-gradient destinations for `backward`: one pointer per parameter (same order as
  /// `parameters()`), accumulated into; null to skip parameter gradients (frozen network).
  using grad_targets = S* const*;

  /// Reverse pass: given dL/d(out), accumulates dL/dx into `dx`, dL/dc into `dc` (each may be
  /// null) and parameter gradients into `pgrad` (may be null). `act` holds the activations of the
  /// matching `forward` (overwritten: one reverse pass per forward); `scratch` must hold 2 n x H
  /// values. Masked weights are never read.
  void backward(index_t n, const S* x, const S* c, const S* dout, S* const* act, S* scratch, S* dx, S* dc,
                grad_targets pgrad) const {
    S* cur = scratch;
    S* other = scratch + n * H_;
    // Each dX below is gated by its layer input's ReLU where that input is a ReLU output.
    if (!cfg_.residual) {
      const int L = static_cast<int>(hidden_.size());
      lin_backward(last_, n, dout, out_, act[L], cur, false, act[L], pgrad);
      for (int l = L; l >= 1; --l) {
        lin_backward(hidden_[static_cast<std::size_t>(l - 1)], n, cur, H_, act[l - 1], other, false, act[l - 1], pgrad);
        std::swap(cur, other);
      }
    } else {
      const int B = static_cast<int>(blocks_.size());
      lin_backward(last_, n, dout, out_, act[1 + 2 * B], cur, false, nullptr, pgrad);
      for (int k = B - 1; k >= 0; --k) {
        const auto& bk = blocks_[static_cast<std::size_t>(k)];
        const S* t = act[2 + 2 * k];
        const S* r = act[1 + 2 * k];
        lin_backward(bk.l1, n, cur, H_, t, other, false, t, pgrad);  // other = dL/da (gated by t > 0)
        if (bk.ctx_w >= 0) ctx_backward(bk.ctx_w, bk.ctx_b, n, other, c, dc, pgrad);
        lin_backward(bk.l0, n, other, H_, r, cur, true, r, pgrad);  // dh += dL/dr (r > 0)
      }
    }
    // First layer: a0 = x W^T + c V^T + b; cur holds dL/da0.
    if (C_ > 0) ctx_backward(ctx0_w_, ctx0_b_, n, cur, c, dc, pgrad);
    lin_backward(first_, n, cur, H_, x, dx, true, nullptr, pgrad);
  }

 private:
  struct block_spec {
    detail::masked_linear_spec l0, l1;
    int ctx_w = -1, ctx_b = -1;
    index_t ctx_off = 0;
  };

  std::vector<const detail::masked_linear_spec*> linears() const {
    std::vector<const detail::masked_linear_spec*> v{&first_};
    for (const auto& l : hidden_) v.push_back(&l);
    for (const auto& b : blocks_) {
      v.push_back(&b.l0);
      v.push_back(&b.l1);
    }
    v.push_back(&last_);
    return v;
  }

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
    for (const auto& g : l.groups) l.narrow = l.narrow || (g.end - g.begin < detail::lanes<S>);
    l.wt_off = packed_size_;
    packed_size_ += l.in * l.out;
    l.b_off = packed_size_;
    packed_size_ += l.out;
    // Input blocks for the reverse pass: input unit p is read by the suffix of output units
    // starting at s(p) (the first group whose prefix exceeds p).
    for (index_t p = 0; p < l.in;) {
      index_t s = l.out;
      for (const auto& g : l.groups)
        if (g.prefix > p) {
          s = g.begin;
          break;
        }
      index_t e = p + 1;
      while (e < l.in) {
        index_t s2 = l.out;
        for (const auto& g : l.groups)
          if (g.prefix > e) {
            s2 = g.begin;
            break;
          }
        if (s2 != s) break;
        ++e;
      }
      l.in_blocks.push_back({p, e, s});
      p = e;
    }
    return l;
  }

  void build(const std::vector<int>& in, const std::vector<int>& hid, const std::vector<int>& out) {
    params_.clear();
    hidden_.clear();
    blocks_.clear();
    packed_size_ = 0;
    hdeg_ = hid;
    H_ = static_cast<index_t>(hid.size());
    out_ = static_cast<index_t>(out.size());
    const bool joint = cfg_.context == made_context::joint;
    first_ = make_linear("input", in, hid, false, true);
    if (C_ > 0) {
      ctx0_w_ = add_param("context.weight", H_, C_);
      ctx0_b_ = joint ? -1 : add_param("context.bias", 1, H_);
      ctx0_off_ = packed_size_;
      packed_size_ += H_ * C_;
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
          b.ctx_off = packed_size_;
          packed_size_ += H_ * C_;
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

  // Y[:, g] (= or +=) bias + X[:, :prefix] W[g, :prefix]^T for the groups of degree `deg` (all if
  // deg < 0); ReLU if `relu`. X has leading dimension ldx, Y has H_ or out columns.
  void lin_forward(const detail::masked_linear_spec& l, index_t n, const S* X, index_t ldx, S* Y, index_t ldy,
                   const S* packed, bool accumulate, bool with_bias, bool relu, int deg) const {
    const S* Wt = packed + l.wt_off;
    const S* b = with_bias ? packed + l.b_off : nullptr;
    if (deg < 0 && l.narrow) {
      // Narrow groups (one feature's outputs): one product over the whole layer; the packed W^T
      // holds zeros at the masked positions.
      detail::gemm<S>(n, l.out, l.in, X, ldx, 1, Wt, l.out, Y, ldy, accumulate, b, relu);
      return;
    }
    for (const auto& g : l.groups) {
      if (deg >= 0 && g.degree != deg) continue;
      const index_t w = g.end - g.begin;
      if (w == 0) continue;
      if (w < detail::lanes<S> && !relu) {  // narrow group (e.g. one feature's outputs): dot products
        detail::gemm_dot<S>(n, w, g.prefix, X, ldx, pv(l.w) + g.begin * l.in, l.in, Y + g.begin, ldy, accumulate,
                            b ? b + g.begin : nullptr);
        continue;
      }
      detail::gemm<S>(n, w, g.prefix, X, ldx, 1, Wt + g.begin, l.out, Y + g.begin, ldy, accumulate,
                      b ? b + g.begin : nullptr, relu);
    }
  }
  // Y[:, units] = bias + C V^T over the hidden units [u0, u1).
  void ctx_forward(index_t off, const S* bias, index_t n, const S* c, S* Y, index_t u0, index_t u1,
                   const S* packed) const {
    if (u1 <= u0) return;
    detail::gemm<S>(n, u1 - u0, C_, c, C_, 1, packed + off + u0, H_, Y + u0, H_, false, bias ? bias + u0 : nullptr,
                    false);
  }

  std::pair<index_t, index_t> unit_range(int deg) const {
    if (deg < 0) return {0, H_};
    return {std::lower_bound(hdeg_.begin(), hdeg_.end(), deg) - hdeg_.begin(),
            std::upper_bound(hdeg_.begin(), hdeg_.end(), deg) - hdeg_.begin()};
  }

  void run_forward(index_t n, const S* x, const S* c, S* out, S* const* act, const S* packed, int deg) const {
    const auto [u0, u1] = unit_range(deg);
    const int odeg = deg < 0 ? -1 : deg + 1;
    // First layer: a0 = b + c V^T (all units of the degree at once), then += x W^T per group.
    S* a0 = act[0];
    const bool relu0 = !cfg_.residual;
    if (C_ > 0) {
      ctx_forward(ctx0_off_, packed + first_.b_off, n, c, a0, u0, u1, packed);
      lin_forward(first_, n, x, D_, a0, H_, packed, true, false, relu0, deg);
    } else {
      lin_forward(first_, n, x, D_, a0, H_, packed, false, true, relu0, deg);
    }
    if (!cfg_.residual) {
      for (std::size_t l = 0; l < hidden_.size(); ++l)
        lin_forward(hidden_[l], n, act[l], H_, act[l + 1], H_, packed, false, true, true, deg);
      lin_forward(last_, n, act[hidden_.size()], H_, out, out_, packed, false, true, false, odeg);
      return;
    }
    // Residual: act[1 + 2B] holds the running sum h (h_0 = a0, h_{k+1} = h_k + t_k W1^T + b1);
    // act[1 + 2k] = r_k = relu(h_k), act[2 + 2k] = t_k = relu(r_k W0^T + b0 + V c).
    const int B = static_cast<int>(blocks_.size());
    S* h = act[1 + 2 * B];
    for (index_t i = 0; i < n; ++i)
      for (index_t u = u0; u < u1; ++u) h[i * H_ + u] = a0[i * H_ + u];
    for (int k = 0; k < B; ++k) {
      const auto& bk = blocks_[static_cast<std::size_t>(k)];
      S* r = act[1 + 2 * k];
      S* t = act[2 + 2 * k];
      for (index_t i = 0; i < n; ++i)
        for (index_t u = u0; u < u1; ++u) r[i * H_ + u] = (std::max)(h[i * H_ + u], S(0));
      if (bk.ctx_w >= 0) {
        ctx_forward(bk.ctx_off, packed + bk.l0.b_off, n, c, t, u0, u1, packed);
        lin_forward(bk.l0, n, r, H_, t, H_, packed, true, false, true, deg);
      } else {
        lin_forward(bk.l0, n, r, H_, t, H_, packed, false, true, true, deg);
      }
      lin_forward(bk.l1, n, t, H_, h, H_, packed, true, true, false, deg);
    }
    lin_forward(last_, n, h, H_, out, out_, packed, false, true, false, odeg);
  }

  // Reverse pass of a masked linear: dX (=, or += if `accumulate_dx`; skipped if null) = gate(dY W),
  // dW += dY^T X, db += colsum(dY). dY has leading dimension ldy; X, dX and the gate (the layer
  // input, or null) have l.in columns.
  void lin_backward(const detail::masked_linear_spec& l, index_t n, const S* dY, index_t ldy, const S* X, S* dX,
                    bool accumulate_dx, const S* gate, grad_targets pg) const {
    const S* W = pv(l.w);
    if (dX != nullptr && !gate && accumulate_dx && l.in < detail::lanes<S> / 4 && l.in * l.out <= 4096) {
      // Few input columns (the first layer): dX[i, p] = dY[i, s(p):] . W[s(p):, p], dot products
      // along the outputs with W^T built on the fly.
      S wt[4096];
      for (index_t o = 0; o < l.out; ++o)
        for (index_t p = 0; p < l.in; ++p) wt[p * l.out + o] = W[o * l.in + p];
      for (const auto& blk : l.in_blocks) {
        if (blk.suffix >= l.out) continue;
        detail::gemm_dot<S>(n, blk.p1 - blk.p0, l.out - blk.suffix, dY + blk.suffix, ldy, wt + blk.p0 * l.out + blk.suffix,
                            l.out, dX + blk.p0, l.in, true, nullptr);
      }
      dX = nullptr;  // done
    }
    if (dX != nullptr) {
      for (const auto& blk : l.in_blocks) {
        if (blk.suffix >= l.out) {
          if (!accumulate_dx)
            for (index_t i = 0; i < n; ++i)
              for (index_t p = blk.p0; p < blk.p1; ++p) dX[i * l.in + p] = S(0);
          continue;
        }
        detail::epilogue<S> e;
        e.accumulate = accumulate_dx;
        if (gate) {
          e.gate = gate + blk.p0;
          e.ldg = l.in;
        }
        detail::gemm<S>(n, blk.p1 - blk.p0, l.out - blk.suffix, dY + blk.suffix, ldy, 1, W + blk.suffix * l.in + blk.p0,
                        l.in, dX + blk.p0, l.in, e);
      }
    }
    if (pg == nullptr) return;
    S* dW = pg[l.w];
    for (const auto& g : l.groups) {
      const index_t w = g.end - g.begin;
      if (w == 0 || g.prefix == 0) continue;
      if (g.prefix < detail::lanes<S> && w >= g.prefix) {
        // Narrow prefix (first layer): dW^T = X^T dY (vectorised over the group), then transposed.
        S tmp[detail::lanes<S> * 256];
        for (index_t o0 = 0; o0 < w; o0 += 256) {
          const index_t wc = (std::min)(index_t{256}, w - o0);
          detail::gemm<S>(g.prefix, wc, n, X, 1, l.in, dY + g.begin + o0, ldy, tmp, wc, false, nullptr, false);
          for (index_t p = 0; p < g.prefix; ++p)
            for (index_t o = 0; o < wc; ++o) dW[(g.begin + o0 + o) * l.in + p] += tmp[p * wc + o];
        }
        continue;
      }
      detail::gemm<S>(w, g.prefix, n, dY + g.begin, 1, ldy, X, l.in, dW + g.begin * l.in, l.in, true, nullptr, false);
    }
    if (l.b >= 0) colsum(n, dY, ldy, l.out, pg[l.b]);
  }
  static void colsum(index_t n, const S* dY, index_t ldy, index_t cols, S* out) {
    for (index_t i = 0; i < n; ++i)
      for (index_t j = 0; j < cols; ++j) out[j] += dY[i * ldy + j];
  }
  // Context term y = c V^T + b over all hidden units: dV += dY^T c, db += colsum(dY), dc += dY V.
  void ctx_backward(int vw, int vb, index_t n, const S* dY, const S* c, S* dc, grad_targets pg) const {
    if (C_ == 0) return;
    if (dc != nullptr) detail::gemm<S>(n, C_, H_, dY, H_, 1, pv(vw), C_, dc, C_, true, nullptr, false);
    if (pg == nullptr) return;
    S* dV = pg[vw];
    if (C_ < detail::lanes<S>) {  // dV^T = c^T dY (vectorised over the hidden units), transposed
      std::vector<S> tmp(static_cast<std::size_t>(C_ * H_));
      detail::gemm<S>(C_, H_, n, c, 1, C_, dY, H_, tmp.data(), H_, false, nullptr, false);
      for (index_t j = 0; j < C_; ++j)
        for (index_t o = 0; o < H_; ++o) dV[o * C_ + j] += tmp[static_cast<std::size_t>(j * H_ + o)];
    } else {
      detail::gemm<S>(H_, C_, n, dY, 1, H_, c, C_, dV, C_, true, nullptr, false);
    }
    if (vb >= 0) colsum(n, dY, H_, H_, pg[vb]);
  }

  made_config cfg_{};
  index_t D_ = 0, C_ = 0, mult_ = 1, H_ = 0, out_ = 0;
  std::vector<int> hdeg_;
  std::vector<autodiff::parameter<S>> params_;
  detail::masked_linear_spec first_, last_;
  int ctx0_w_ = -1, ctx0_b_ = -1;
  index_t ctx0_off_ = 0, packed_size_ = 0;
  std::vector<detail::masked_linear_spec> hidden_;
  std::vector<block_spec> blocks_;
};

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_MADE_HPP
