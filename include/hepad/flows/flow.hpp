// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/flow.hpp
/// @brief `flows::flow<S, Transform, Base>`: a normalising flow = a transform (any `flow_layer`:
/// a `stack`, a `chain`, one layer) on top of a base distribution (standard normal, a frozen
/// flow, a differentiable density). Conditional on context columns. Evaluation: `log_prob(x, c)`,
/// `sample(c, r)` (one event per context row, or k per row), `forward`/`inverse` to transport
/// events; training side: `log_prob(tape, x, c)` and `parameters()`. Not here: maximum-likelihood
/// training (`fit_flow`) and the density-estimator policy (density_flow.hpp), configurations and
/// presets (config.hpp).
#ifndef HEPAD_FLOWS_FLOW_HPP
#define HEPAD_FLOWS_FLOW_HPP

#include <hepad/autodiff/ops/arithmetic.hpp>
#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts/bijector.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/flows/base.hpp>
#include <hepad/flows/concepts.hpp>
#include <hepad/flows/detail/tape_support.hpp>
#include <hepad/flows/stack.hpp>

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace hepad::flows {

/// Normalising flow log p(x | c) = log p_base(f(x; c) | c) + log|det df/dx|.
///
/// Every evaluation entry point checks its input: the number of columns, and finiteness (NaN or
/// infinite entries throw `invalid_argument` naming the row and column). Any finite input gives a
/// finite or -inf log density for the spline flows (identity tails); affine flows can overflow
/// only where the density underflows. Models `conditional_bijector` (transport) and, with its
/// sampling, the evaluation half of `conditional_density` (training: see density_flow.hpp).
/// @tparam S float or double; @tparam Transform a flow_layer; @tparam Base a flow_base.
template <class S, class Transform = stack<S>, class Base = standard_normal<S>>
class flow {
  static_assert(flow_layer<Transform, S>, "flows::flow: Transform must model flows::flow_layer "
                                          "(see docs/concepts/bijector.md)");
  static_assert(flow_base<Base, S>, "flows::flow: Base must model flows::flow_base (log_prob(u, c) "
                                    "and its tape version; see docs/design/flows.md)");

 public:
  using scalar_type = S;
  using transform_type = Transform;
  using base_type = Base;

  flow() = default;
  explicit flow(Transform t, Base b = {}) : t_(std::move(t)), b_(std::move(b)) {
    if constexpr (requires { b_.set_n_features(std::int64_t{}); }) b_.set_n_features(t_.n_features());
  }

  [[nodiscard]] std::int64_t n_features() const { return t_.n_features(); }
  [[nodiscard]] std::int64_t n_context() const { return t_.n_context(); }
  [[nodiscard]] Transform& transform() noexcept { return t_; }
  [[nodiscard]] const Transform& transform() const noexcept { return t_; }
  [[nodiscard]] Base& base() noexcept { return b_; }
  [[nodiscard]] const Base& base() const noexcept { return b_; }

  /// log p(x | c) per event. @throws invalid_argument on a shape mismatch or non-finite input.
  [[nodiscard]] vector<S> log_prob(matrix_cref<S> x, matrix_cref<S> c) const {
    check_inputs("flows::flow::log_prob", x, c);
    const transform_result<S> r = t_.forward(x, c);
    return vector<S>(b_.log_prob(r.value, c)) + r.log_det;
  }
  /// Unconditional log p(x) (flows without context).
  [[nodiscard]] vector<S> log_prob(matrix_cref<S> x) const { return log_prob(x, no_context(x.rows())); }

  /// One event per context row: z ~ base, x = f^-1(z; c).
  [[nodiscard]] matrix<S> sample(matrix_cref<S> c, rng& r) const
    requires sampleable_base<Base, S>
  {
    if (n_context() > 0) detail::check_events<S>("flows::flow::sample", "context", c, n_context());
    const matrix<S> z = b_.sample(c, r);
    return t_.inverse(z, c).value;
  }
  /// `k` events per context row (row i * k + j is the j-th event for context row i): any
  /// oversampling factor.
  [[nodiscard]] matrix<S> sample(matrix_cref<S> c, std::int64_t k, rng& r) const
    requires sampleable_base<Base, S>
  {
    check_positive("flows::flow::sample", "k", k);
    matrix<S> cr(c.rows() * k, c.cols());
    for (index_t i = 0; i < c.rows(); ++i) cr.middleRows(i * k, k) = c.row(i).replicate(k, 1);
    return sample(matrix_cref<S>(cr), r);
  }
  /// `n` events of an unconditional flow. @throws invalid_argument if the flow has context.
  [[nodiscard]] matrix<S> sample(std::int64_t n, rng& r) const
    requires sampleable_base<Base, S>
  {
    check_nonnegative("flows::flow::sample", "n", n);
    if (n_context() > 0)
      throw_invalid_argument("flows::flow::sample", "this flow is conditional: pass the context rows");
    return sample(no_context(n), r);
  }

  /// Transport to the base space: u = f(x; c) with log|det du/dx|.
  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x, matrix_cref<S> c) const {
    check_inputs("flows::flow::forward", x, c);
    return t_.forward(x, c);
  }
  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x) const { return forward(x, no_context(x.rows())); }
  /// Transport from the base space: x = f^-1(u; c) with log|det dx/du|.
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u, matrix_cref<S> c) const {
    check_inputs("flows::flow::inverse", u, c);
    return t_.inverse(u, c);
  }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u) const { return inverse(u, no_context(u.rows())); }

  // --- training side ----------------------------------------------------------------------------

  /// Records log p(x | c) (n x 1) on a tape. With `train == false` the flow's parameters are
  /// constants (a frozen flow), while gradients still flow to x and c.
  autodiff::node<S> log_prob(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S> c, bool train = true) {
    const flow_nodes<S> r = t_.forward(t, x, c, train);
    autodiff::node<S> lp = b_.log_prob(t, r.value, c);
    return r.log_det.valid() ? autodiff::add(lp, r.log_det) : lp;
  }
  /// The trainable parameters (the base is never trained).
  [[nodiscard]] std::vector<autodiff::parameter<S>*> parameters() { return t_.parameters(); }
  /// Re-initialises the transform's parameters from `r`.
  void reset_parameters(rng& r) { t_.reset_parameters(r); }
  /// Data-dependent initialisation of the layers that need it (ActNorm).
  void initialize(matrix_cref<S> x, matrix_cref<S> c) {
    if constexpr (requires { t_.initialize(x, c); }) t_.initialize(x, c);
  }
  /// The `module` interface (unconditional use): log p(x) as an n x 1 node.
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x) {
    return log_prob(t, x, t.constant(x.rows(), 0, S(0)));
  }
  /// Non-trainable state (batch-norm running statistics), saved with the parameters.
  [[nodiscard]] std::vector<matrix<S>*> buffers() {
    if constexpr (requires { t_.buffers(); })
      return t_.buffers();
    else
      return {};
  }
  /// Training or evaluation mode of stateful layers (batch normalisation).
  void set_training(bool on) {
    if constexpr (requires { t_.set_training(on); }) t_.set_training(on);
  }

 private:
  static matrix<S> no_context(index_t n) { return matrix<S>(n, 0); }
  void check_inputs(std::string_view fn, matrix_cref<S> x, matrix_cref<S> c) const {
    detail::check_events<S>(fn, "x", x, n_features());
    if (n_context() > 0) {
      detail::check_context<S>(fn, c, x.rows(), n_context());
    } else if (c.cols() != 0) {
      throw_invalid_argument(fn, hepad::detail::concat("this flow has no context, got ", c.cols(),
                                                       " context columns"));
    }
  }

  Transform t_{};
  Base b_{};
};

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_FLOW_HPP
