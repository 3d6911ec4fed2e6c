// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/density_flow.hpp
/// @brief `flows::density_flow<S, Base>`: a normalising flow as a density-estimator policy. It is
/// configured by a `flow_config` (architecture) and a `flow_trainer` (maximum likelihood with
/// nn::trainer: weights, validation split, early stopping with best-state restore, checkpoints,
/// schedules), built from the data's dimensions in `fit`, and then evaluated, sampled and used to
/// transport events. Models `density_estimator`/`sampleable_density` (no context) and
/// `conditional_density` (with context), so pipelines can swap it with KDE, GMM and histograms.
/// Also `flows::fit_flow`, the maximum-likelihood training of any flow. Not here: the layers.
#ifndef HEPAD_FLOWS_DENSITY_FLOW_HPP
#define HEPAD_FLOWS_DENSITY_FLOW_HPP

#include <hepad/autodiff/ops/arithmetic.hpp>
#include <hepad/autodiff/ops/reduce.hpp>
#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/density/concepts.hpp>
#include <hepad/flows/base.hpp>
#include <hepad/flows/config.hpp>
#include <hepad/flows/detail/tape_support.hpp>
#include <hepad/flows/flow.hpp>
#include <hepad/flows/normalization.hpp>
#include <hepad/flows/stack.hpp>
#include <hepad/nn/batch.hpp>
#include <hepad/nn/trainer.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace hepad::flows {

/// The maximum-likelihood objective: the mean over the batch of -log p(x | c), or with weights
/// -sum w log p / (n * mean training weight) (so that the per-part means the trainer combines are
/// consistent). A plain struct usable by nn::trainer (`obj(tape, model, batch)`).
template <class S>
struct nll_objective {
  S inv_mean_weight = S(1);
  template <class M>
  autodiff::node<S> operator()(autodiff::tape<S>& t, M& model, const nn::batch<S>& b) const {
    const autodiff::node<S> x = b.features(t);
    const autodiff::node<S> c = b.c != nullptr ? b.context(t) : t.constant(b.n, 0, S(0));
    const autodiff::node<S> lp = model.log_prob(t, x, c, true);
    if (b.w == nullptr) return autodiff::affine(autodiff::mean(lp), S(-1));
    return autodiff::affine(autodiff::mean(autodiff::mul(b.weights(t), lp)), -inv_mean_weight);
  }
};

/// Trains `f` (anything with the flow training interface: `log_prob(tape, x, c, train)`,
/// `parameters()`, `scalar_type`; e.g. `flows::flow`) by maximum likelihood on x (n x D), context c
/// (n x C, or n x 0) and optional per-event weights (may be negative, with a positive mean).
/// Layers with data-dependent initialisation are initialised on the first batch_size events.
/// @returns the trainer's history (losses in nats per event; status; best epoch).
/// @throws invalid_argument for non-finite data, shape mismatches, or batch norm with chunks > 1.
template <class F, class Optimizer, class Schedule, class... Callbacks>
inline nn::history fit_flow(F& f, const nn::trainer<Optimizer, Schedule>& tr, matrix_cref<typename F::scalar_type> x,
                            matrix_cref<typename F::scalar_type> c, const vector<typename F::scalar_type>* w, rng& r,
                            Callbacks&&... callbacks) {
  using S = typename F::scalar_type;
  constexpr std::string_view fn = "flows::fit_flow";
  detail::check_events<S>(fn, "x", x, f.n_features());
  if (f.n_context() > 0)
    detail::check_context<S>(fn, c, x.rows(), f.n_context());
  else if (c.cols() != 0)
    throw_invalid_argument(fn, hepad::detail::concat("the flow has no context, got ", c.cols(), " context columns"));
  if constexpr (requires { f.buffers(); }) {
    if (!f.buffers().empty() && tr.chunks != 1)
      throw_invalid_argument(fn, "a flow with batch normalisation needs trainer.chunks = 1 (whole batches)");
  }
  const matrix<S> xs = x, cs = c;
  vector<S> ws;
  nll_objective<S> obj;
  if (w != nullptr) {
    check_size(fn, "weights", static_cast<std::size_t>(w->size()), static_cast<std::size_t>(x.rows()));
    check_all_finite(fn, "weights", *w);
    ws = *w;
    const double mw = static_cast<double>(ws.template cast<double>().mean());
    if (!(mw > 0)) throw_invalid_argument(fn, hepad::detail::concat("the mean weight must be positive, got ", mw));
    obj.inv_mean_weight = static_cast<S>(1.0 / mw);
  }
  if constexpr (requires { f.initialize(xs, cs); }) {
    const index_t k = (std::min)(x.rows(), static_cast<index_t>(tr.batch_size));
    f.initialize(xs.topRows(k), cs.topRows(k));
  }
  return tr.fit(f, obj, nn::make_data(xs, matrix<S>(), ws, cs), r, std::forward<Callbacks>(callbacks)...);
}

/// A flow as a (conditional) density-estimator policy.
///
/// `fit` builds the flow for the data's dimensions (`build_transform(arch)`), initialises it from
/// `r.split(0)` (unless `warm_start` and already built), and trains it with `trainer` on
/// `r.split(1)`. Afterwards the best-validation state is the one in use (when a validation split
/// is configured). The second argument of `fit` is read as weights if it is a column vector and
/// as context otherwise; `fit(x, c, w, r)` takes both.
/// @tparam S float (default) or double; @tparam Base the base distribution (standard normal, or
/// e.g. `frozen<density_flow<S>>` for a flow on top of a trained flow).
template <class S = float, class Base = standard_normal<S>>
class density_flow {
 public:
  using scalar_type = S;
  using flow_type = flow<S, stack<S>, Base>;

  explicit density_flow(flow_config arch = presets::peer_maf(), flow_trainer trainer = presets::peer_maf_training(),
                        Base base = {})
      : arch_(std::move(arch)), trainer_(std::move(trainer)), base_(std::move(base)) {}

  /// Continue training the existing flow on the next `fit` instead of re-initialising it.
  bool warm_start = false;

  // --- fitting ------------------------------------------------------------------------------------

  /// Builds the flow for D features and C context columns and initialises it (no training).
  void build(index_t D, index_t C, rng& r) {
    rng rb = r.split(0);
    flow_ = flow_type(build_transform<S>(arch_, D, C, rb), base_);
    rng ri = r.split(2);
    flow_->reset_parameters(ri);
  }

  nn::history fit(matrix_cref<S> x, rng& r) { return fit_impl(x, matrix<S>(x.rows(), 0), nullptr, r); }
  template <class A>
  nn::history fit(matrix_cref<S> x, const A& a, rng& r) {
    if constexpr (density::column_vector_expr<A>) {
      const vector<S> w = a;
      return fit_impl(x, matrix<S>(x.rows(), 0), &w, r);
    } else {
      return fit_impl(x, matrix_cref<S>(a), nullptr, r);
    }
  }
  nn::history fit(matrix_cref<S> x, matrix_cref<S> c, vector_cref<S> w, rng& r) {
    const vector<S> wv = w;
    return fit_impl(x, c, &wv, r);
  }

  // --- evaluation ---------------------------------------------------------------------------------

  [[nodiscard]] vector<S> log_prob(matrix_cref<S> x, matrix_cref<S> c) const { return get("log_prob").log_prob(x, c); }
  [[nodiscard]] vector<S> log_prob(matrix_cref<S> x) const { return get("log_prob").log_prob(x); }
  [[nodiscard]] matrix<S> sample(matrix_cref<S> c, rng& r) const { return get("sample").sample(c, r); }
  /// `k` events per context row (row i k + j belongs to context row i): any oversampling factor.
  [[nodiscard]] matrix<S> sample(matrix_cref<S> c, std::int64_t k, rng& r) const { return get("sample").sample(c, k, r); }
  [[nodiscard]] matrix<S> sample(std::int64_t n, rng& r) const { return get("sample").sample(n, r); }
  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x, matrix_cref<S> c) const { return get("forward").forward(x, c); }
  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x) const { return get("forward").forward(x); }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u, matrix_cref<S> c) const { return get("inverse").inverse(u, c); }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u) const { return get("inverse").inverse(u); }
  [[nodiscard]] std::int64_t n_features() const { return flow_ ? flow_->n_features() : 0; }
  [[nodiscard]] std::int64_t n_context() const { return flow_ ? flow_->n_context() : 0; }

  // --- training side (e.g. as a frozen base of another flow) ---------------------------------------

  autodiff::node<S> log_prob(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S> c, bool train = true) {
    return get_mut("log_prob").log_prob(t, x, c, train);
  }
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x) { return get_mut("forward").forward(t, x); }
  [[nodiscard]] std::vector<autodiff::parameter<S>*> parameters() { return get_mut("parameters").parameters(); }
  [[nodiscard]] std::vector<matrix<S>*> buffers() { return get_mut("buffers").buffers(); }

  [[nodiscard]] bool fitted() const noexcept { return flow_.has_value(); }
  /// The fitted flow.
  [[nodiscard]] flow_type& model() { return get_mut("model"); }
  [[nodiscard]] const flow_type& model() const { return get("model"); }
  [[nodiscard]] const nn::history& history() const noexcept { return history_; }
  [[nodiscard]] const flow_config& architecture() const noexcept { return arch_; }
  [[nodiscard]] flow_trainer& trainer() noexcept { return trainer_; }
  [[nodiscard]] const flow_trainer& trainer() const noexcept { return trainer_; }

 private:
  const flow_type& get(std::string_view fn) const {
    if (!flow_) throw_invalid_argument(hepad::detail::concat("flows::density_flow::", fn),
                                       "the flow is not fitted (call fit or build first)");
    return *flow_;
  }
  flow_type& get_mut(std::string_view fn) {
    if (!flow_) throw_invalid_argument(hepad::detail::concat("flows::density_flow::", fn),
                                       "the flow is not fitted (call fit or build first)");
    return *flow_;
  }

  nn::history fit_impl(matrix_cref<S> x, matrix_cref<S> c, const vector<S>* w, rng& r) {
    constexpr std::string_view fn = "flows::density_flow::fit";
    check_not_empty(fn, "x (rows)", static_cast<std::size_t>(x.rows()));
    check_not_empty(fn, "x (columns)", static_cast<std::size_t>(x.cols()));
    if (c.cols() > 0 && c.rows() != x.rows())
      throw_invalid_argument(fn, hepad::detail::concat("context must have ", x.rows(), " rows, got ", c.rows()));
    if (!(warm_start && flow_ && flow_->n_features() == x.cols() && flow_->n_context() == c.cols()))
      build(x.cols(), c.cols(), r);
    rng rt = r.split(1);
    history_ = fit_flow(*flow_, trainer_, x, c, w, rt);
    return history_;
  }

  flow_config arch_;
  flow_trainer trainer_;
  Base base_;
  std::optional<flow_type> flow_;
  nn::history history_;
};

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_DENSITY_FLOW_HPP
