// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/tape.hpp
/// @brief The reverse-mode tape: `hepad::autodiff::tape<S>` (an explicit object, never global),
/// `node<S>` (a handle to a matrix-valued node recorded on a tape) and the helpers that custom
/// operations use to write their reverse pass. Not here: the operations themselves (ops/*.hpp),
/// gradient checking (gradcheck.hpp).
///
/// Memory model: every node's value and adjoint, every reverse-pass closure and every scratch
/// buffer live in the tape's arena. `reset()` releases them at once and keeps the memory, so a
/// training step that records the same graph every time allocates nothing after the first step.
/// Adjoints are written by their first contributor and accumulated by the following ones (no
/// zero-filling pass); a node that the backward pass never reaches reads as zero.
///
/// Threads: a tape is used by one thread at a time; independent tapes (one per thread) may share
/// the same parameters read-only while they record and run backward.
#ifndef HEPAD_AUTODIFF_TAPE_HPP
#define HEPAD_AUTODIFF_TAPE_HPP

#include <hepad/autodiff/arena.hpp>
#include <hepad/autodiff/parameter.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepad::autodiff {

template <class S>
class tape;

namespace detail {
/// A node as stored in the arena (trivially destructible).
template <class S>
struct node_data {
  S* value = nullptr;      ///< rows x cols, row-major
  S* grad = nullptr;       ///< adjoint (allocated iff requires_grad)
  index_t rows = 0;
  index_t cols = 0;
  tape<S>* owner = nullptr;
  bool requires_grad = false;
  bool grad_set = false;   ///< the adjoint holds a value (written by at least one contributor)
};
}  // namespace detail

/// Handle to a matrix-valued node on a tape (rows = events). Cheap to copy; valid until the tape
/// is reset or rewound past it.
/// @tparam S scalar type (float or double).
template <class S>
class node {
 public:
  using scalar_type = S;
  using map_type = Eigen::Map<matrix<S>>;
  using const_map_type = Eigen::Map<const matrix<S>>;

  node() noexcept = default;
  explicit node(detail::node_data<S>* d) noexcept : d_(d) {}

  /// True if this handle refers to a node.
  [[nodiscard]] bool valid() const noexcept { return d_ != nullptr; }
  [[nodiscard]] index_t rows() const noexcept { return d_->rows; }
  [[nodiscard]] index_t cols() const noexcept { return d_->cols; }
  [[nodiscard]] index_t size() const noexcept { return d_->rows * d_->cols; }
  /// True if gradients flow into this node (it depends on a variable or parameter).
  [[nodiscard]] bool requires_grad() const noexcept { return d_->requires_grad; }
  /// The tape this node is recorded on.
  [[nodiscard]] tape<S>& owner() const noexcept { return *d_->owner; }
  /// The value (read-only view).
  [[nodiscard]] const_map_type value() const noexcept { return {d_->value, d_->rows, d_->cols}; }
  /// Writable view of the value: only for custom operations filling the node they created.
  [[nodiscard]] map_type mutable_value() const noexcept { return {d_->value, d_->rows, d_->cols}; }
  /// The value of a 1 x 1 node. @throws invalid_argument if the node is not 1 x 1.
  [[nodiscard]] S item() const {
    if (d_->rows != 1 || d_->cols != 1)
      throw_invalid_argument("autodiff::node::item",
                             detail_concat_shape("node must be 1 x 1, got ", d_->rows, d_->cols));
    return d_->value[0];
  }
  /// The adjoint d(output)/d(this node) after `tape::backward`; zero if the backward pass did not
  /// reach this node. @throws invalid_argument if the node does not require a gradient.
  [[nodiscard]] const_map_type grad() const {
    if (!d_->requires_grad)
      throw_invalid_argument("autodiff::node::grad",
                             "this node does not require a gradient (it depends on no variable or "
                             "parameter, or was recorded with gradients disabled)");
    if (!d_->grad_set) {
      std::fill_n(d_->grad, d_->rows * d_->cols, S(0));
      d_->grad_set = true;
    }
    return {d_->grad, d_->rows, d_->cols};
  }
  /// The stored node (for operation implementations).
  [[nodiscard]] detail::node_data<S>* data() const noexcept { return d_; }

 private:
  static std::string detail_concat_shape(const char* what, index_t r, index_t c) {
    return hepad::detail::concat(what, r, " x ", c);
  }
  detail::node_data<S>* d_ = nullptr;
};

/// A reverse-mode tape with matrix-valued nodes.
///
/// Record a computation with the operations in ops/*.hpp (each takes nodes and returns a node on
/// the same tape), then call `backward(loss)`; gradients of parameters are read with
/// `parameter_grad(p)` or added to `p.grad` with `accumulate_parameter_grads()`. Call `reset()`
/// before recording the next step.
/// @tparam S float or double.
template <class S>
class tape {
  static_assert(std::is_same_v<S, float> || std::is_same_v<S, double>,
                "hepad::autodiff::tape<S>: S must be float or double");

 public:
  using scalar_type = S;

  /// @param initial_bytes size of the first arena block (it grows as needed).
  explicit tape(std::size_t initial_bytes = std::size_t{1} << 20) : arena_(initial_bytes) {}
  tape(const tape&) = delete;
  tape& operator=(const tape&) = delete;
  /// Moving a tape invalidates the nodes recorded on it.
  tape(tape&& o) noexcept
      : arena_(std::move(o.arena_)), records_(std::move(o.records_)), commits_(std::move(o.commits_)),
        params_(std::move(o.params_)), rng_(o.rng_), training_(o.training_),
        grad_enabled_(o.grad_enabled_), n_nodes_(o.n_nodes_) {
    records_.clear();
    commits_.clear();
    params_.clear();
  }
  tape& operator=(tape&& o) noexcept {
    arena_ = std::move(o.arena_);
    records_ = std::move(o.records_);
    commits_ = std::move(o.commits_);
    params_ = std::move(o.params_);
    records_.clear();
    commits_.clear();
    params_.clear();
    rng_ = o.rng_;
    training_ = o.training_;
    grad_enabled_ = o.grad_enabled_;
    n_nodes_ = 0;
    return *this;
  }
  ~tape() = default;

  // --- leaves ---------------------------------------------------------------------------------

  /// A constant (no gradient) holding a copy of `x`.
  node<S> constant(matrix_cref<S> x) {
    node<S> n = make(x.rows(), x.cols(), false);
    for (index_t i = 0; i < x.rows(); ++i)
      std::memcpy(n.data()->value + i * x.cols(), x.row(i).data(),
                  static_cast<std::size_t>(x.cols()) * sizeof(S));
    return n;
  }
  /// A `rows x cols` constant filled with `value`.
  node<S> constant(index_t rows, index_t cols, S value) {
    node<S> n = make(rows, cols, false);
    std::fill_n(n.data()->value, rows * cols, value);
    return n;
  }
  /// A 1 x 1 constant.
  node<S> scalar(S value) { return constant(1, 1, value); }
  /// A constant that views `rows x cols` contiguous row-major data without copying. The data must
  /// stay alive and unchanged until the tape is reset.
  node<S> view(const S* data, index_t rows, index_t cols) {
    auto* d = arena_.create<detail::node_data<S>>();
    d->value = const_cast<S*>(data);  // never written through: operations do not modify inputs
    d->rows = rows;
    d->cols = cols;
    d->owner = this;
    ++n_nodes_;
    return node<S>(d);
  }
  /// A leaf with a gradient holding a copy of `x` (for tests and gradient checks).
  node<S> variable(matrix_cref<S> x) {
    node<S> n = make(x.rows(), x.cols(), grad_enabled_);
    for (index_t i = 0; i < x.rows(); ++i)
      std::memcpy(n.data()->value + i * x.cols(), x.row(i).data(),
                  static_cast<std::size_t>(x.cols()) * sizeof(S));
    return n;
  }
  /// The leaf node of a trainable parameter: views `p.value` (no copy); its gradient is kept on
  /// the tape until `accumulate_parameter_grads()`. Calling this twice with the same parameter on
  /// one tape returns the same node (shared weights accumulate both contributions).
  /// A parameter destroyed since and another one created at the same address (a model rebuilt
  /// while the tape was not reset) is recognised by its storage and gets a fresh leaf.
  node<S> parameter(autodiff::parameter<S>& p) {
    std::pair<autodiff::parameter<S>*, detail::node_data<S>*>* stale = nullptr;
    for (auto& e : params_)
      if (e.first == &p) {
        if (e.second->value == p.value.data() && e.second->rows == p.value.rows() && e.second->cols == p.value.cols())
          return node<S>(e.second);
        stale = &e;
      }
    auto* d = arena_.create<detail::node_data<S>>();
    d->value = p.value.data();
    d->rows = p.value.rows();
    d->cols = p.value.cols();
    d->owner = this;
    d->requires_grad = grad_enabled_;
    if (d->requires_grad) d->grad = arena_.allocate_array<S>(static_cast<std::size_t>(p.value.size()));
    if (stale) stale->second = d;
    else params_.emplace_back(&p, d);
    ++n_nodes_;
    return node<S>(d);
  }

  // --- building blocks for operations -----------------------------------------------------------

  /// A new node with uninitialised value (and adjoint storage if `requires_grad` and gradients
  /// are enabled). Used by operations, including user-written custom ones.
  node<S> make(index_t rows, index_t cols, bool requires_grad) {
    check_nonnegative("autodiff::tape::make", "rows", rows);
    check_nonnegative("autodiff::tape::make", "cols", cols);
    auto* d = arena_.create<detail::node_data<S>>();
    const auto n = static_cast<std::size_t>(rows * cols);
    d->value = arena_.allocate_array<S>(n);
    d->rows = rows;
    d->cols = cols;
    d->owner = this;
    d->requires_grad = requires_grad && grad_enabled_;
    if (d->requires_grad) d->grad = arena_.allocate_array<S>(n);
    ++n_nodes_;
    return node<S>(d);
  }

  /// True if gradients are enabled and any of `xs` requires a gradient.
  template <class... N>
  [[nodiscard]] bool any_requires_grad(const N&... xs) const noexcept {
    return grad_enabled_ && (false || ... || xs.requires_grad());
  }

  /// Records a reverse-pass closure for `out`: during `backward`, `f()` runs (in reverse order of
  /// recording) if and only if the adjoint of `out` was reached. `f` must be trivially copyable
  /// and destructible (capture node handles, pointers, sizes and scalars by value); it reads
  /// `out`'s adjoint and accumulates into its inputs' adjoints with `accumulate_grad`.
  template <class F>
  void on_backward(node<S> out, F f) {
    static_assert(std::is_trivially_copyable_v<F> && std::is_trivially_destructible_v<F>,
                  "hepad::autodiff::tape::on_backward: the closure must be trivially copyable "
                  "and destructible: capture node handles, raw pointers, sizes and scalars by "
                  "value (no std::vector, std::function or Eigen matrices)");
    if (!out.requires_grad()) return;
    F* p = arena_.create<F>(std::move(f));
    records_.push_back(record{[](void* c) { (*static_cast<F*>(c))(); }, p, out.data()});
  }

  /// Records a closure to run at `commit()` (after the step's backward pass), e.g. the update of
  /// batch-norm running statistics, which must not happen while several tapes run in parallel.
  /// Same capture rules as `on_backward`. The trainer commits the chunk tapes in chunk order.
  template <class F>
  void on_commit(F f) {
    static_assert(std::is_trivially_copyable_v<F> && std::is_trivially_destructible_v<F>,
                  "hepad::autodiff::tape::on_commit: the closure must be trivially copyable and destructible");
    F* p = arena_.create<F>(std::move(f));
    commits_.push_back(record{[](void* c) { (*static_cast<F*>(c))(); }, p, nullptr});
  }
  /// Runs (in recording order) and forgets the closures recorded with `on_commit`.
  void commit() {
    for (const auto& c : commits_) c.fn(c.ctx);
    commits_.clear();
  }

  /// Uninitialised scratch memory for `n` objects of trivially destructible `T` (valid until
  /// reset), e.g. values saved by the forward pass for the reverse pass.
  template <class T>
  [[nodiscard]] T* allocate(std::size_t n) {
    return arena_.allocate_array<T>(n);
  }

  // --- reverse pass -----------------------------------------------------------------------------

  /// Back-propagates from a 1 x 1 node: d(loss)/d(loss) = `seed` (1 by default, or a weight when
  /// several partial losses are combined).
  /// @throws invalid_argument if `loss` is not 1 x 1 or does not require a gradient.
  void backward(node<S> loss, S seed = S(1)) {
    if (loss.rows() != 1 || loss.cols() != 1)
      throw_invalid_argument("autodiff::tape::backward",
                             hepad::detail::concat("loss must be 1 x 1, got ", loss.rows(), " x ",
                                                   loss.cols(), " (use backward(out, seed) for a "
                                                   "matrix output)"));
    check_owner("autodiff::tape::backward", loss);
    if (!loss.requires_grad())
      throw_invalid_argument("autodiff::tape::backward",
                             "loss does not depend on any variable or parameter with gradients "
                             "enabled");
    seed_and_run(loss.data(), &seed);
  }
  /// Back-propagates from a matrix node with the given adjoint seed (vector-Jacobian product).
  void backward(node<S> out, matrix_cref<S> seed) {
    check_owner("autodiff::tape::backward", out);
    if (seed.rows() != out.rows() || seed.cols() != out.cols())
      throw_invalid_argument("autodiff::tape::backward",
                             hepad::detail::concat("seed must be ", out.rows(), " x ", out.cols(),
                                                   ", got ", seed.rows(), " x ", seed.cols()));
    if (!out.requires_grad())
      throw_invalid_argument("autodiff::tape::backward",
                             "output does not depend on any variable or parameter with gradients "
                             "enabled");
    matrix<S> s = seed;
    seed_and_run(out.data(), s.data());
  }

  /// Adds `scale` times the gradient of every parameter used on this tape into `p.grad`.
  void accumulate_parameter_grads(S scale = S(1)) const {
    for (const auto& [p, d] : params_) {
      if (!d->requires_grad || !d->grad_set) continue;
      Eigen::Map<const matrix<S>> g(d->grad, d->rows, d->cols);
      if (scale == S(1)) p->grad += g;
      else p->grad += scale * g;
    }
  }
  /// True if `p` was used on this tape and received a gradient.
  [[nodiscard]] bool has_parameter_grad(const autodiff::parameter<S>& p) const noexcept {
    for (const auto& [q, d] : params_)
      if (q == &p) return d->requires_grad && d->grad_set;
    return false;
  }
  /// The gradient of `p` computed on this tape (not yet added to `p.grad`); zero if `p` was used
  /// but not reached. @throws invalid_argument if `p` was not used on this tape.
  [[nodiscard]] Eigen::Map<const matrix<S>> parameter_grad(const autodiff::parameter<S>& p) const {
    for (const auto& [q, d] : params_)
      if (q == &p) return node<S>(d).grad();
    throw_invalid_argument("autodiff::tape::parameter_grad",
                           hepad::detail::concat("parameter '", p.name,
                                                 "' was not used on this tape"));
  }
  /// Pointer to the gradient of `p` on this tape, or nullptr if `p` was not used or not reached
  /// (for reductions over several tapes).
  [[nodiscard]] const S* parameter_grad_data(const autodiff::parameter<S>& p) const noexcept {
    for (const auto& [q, d] : params_)
      if (q == &p) return d->requires_grad && d->grad_set ? d->grad : nullptr;
    return nullptr;
  }
  /// Parameters used on this tape, in order of first use.
  [[nodiscard]] std::size_t n_parameters() const noexcept { return params_.size(); }

  // --- modes and state ----------------------------------------------------------------------------

  /// Training mode (dropout active, batch norm uses batch statistics). Default: true.
  [[nodiscard]] bool training() const noexcept { return training_; }
  void set_training(bool on) noexcept { training_ = on; }
  /// Whether new nodes record gradients. Default: true.
  [[nodiscard]] bool grad_enabled() const noexcept { return grad_enabled_; }
  void set_grad_enabled(bool on) noexcept { grad_enabled_ = on; }
  /// The generator used by stochastic operations recorded on this tape (dropout, noise).
  [[nodiscard]] hepad::rng& random() noexcept { return rng_; }
  void set_random(const hepad::rng& r) noexcept { rng_ = r; }

  /// Forgets every node, closure and parameter leaf; keeps the memory.
  void reset() {
    arena_.reset();
    records_.clear();
    commits_.clear();
    params_.clear();
    n_nodes_ = 0;
  }
  /// Nodes recorded since the last reset.
  [[nodiscard]] std::size_t n_nodes() const noexcept { return n_nodes_; }
  /// Reverse-pass closures recorded since the last reset.
  [[nodiscard]] std::size_t n_closures() const noexcept { return records_.size(); }
  /// The arena (memory statistics).
  [[nodiscard]] const arena& memory() const noexcept { return arena_; }

  /// RAII: disables gradient recording for its lifetime (inference, validation).
  class no_grad_guard {
   public:
    explicit no_grad_guard(tape& t) noexcept : t_(t), prev_(t.grad_enabled_) { t.grad_enabled_ = false; }
    no_grad_guard(const no_grad_guard&) = delete;
    no_grad_guard& operator=(const no_grad_guard&) = delete;
    ~no_grad_guard() { t_.grad_enabled_ = prev_; }

   private:
    tape& t_;
    bool prev_;
  };

  /// RAII: everything recorded during its lifetime is forgotten at its end (for inner loops on a
  /// tape that holds an outer graph). Nodes created inside must not be used afterwards.
  class nested_scope {
   public:
    explicit nested_scope(tape& t) noexcept
        : t_(t), mark_(t.arena_.position()), records_(t.records_.size()), commits_(t.commits_.size()),
          params_(t.params_.size()), nodes_(t.n_nodes_) {}
    nested_scope(const nested_scope&) = delete;
    nested_scope& operator=(const nested_scope&) = delete;
    ~nested_scope() {
      t_.arena_.rewind(mark_);
      t_.records_.resize(records_);
      t_.commits_.resize(commits_);
      t_.params_.resize(params_);
      t_.n_nodes_ = nodes_;
    }

   private:
    tape& t_;
    arena::mark mark_;
    std::size_t records_, commits_, params_, nodes_;
  };

  /// @throws invalid_argument naming `fn` if `x` is not a node of this tape.
  void check_owner(std::string_view fn, node<S> x) const {
    if (!x.valid())
      throw_invalid_argument(fn, "node handle is empty (default-constructed)");
    if (x.data()->owner != this)
      throw_invalid_argument(fn, "node belongs to a different tape");
  }

 private:
  struct record {
    void (*fn)(void*);
    void* ctx;
    detail::node_data<S>* out;
  };

  void seed_and_run(detail::node_data<S>* out, const S* seed) {
    const auto n = static_cast<std::size_t>(out->rows * out->cols);
    if (out->grad_set) {
      for (std::size_t i = 0; i < n; ++i) out->grad[i] += seed[i];
    } else {
      if (n == 1) out->grad[0] = seed[0];
      else std::memcpy(out->grad, seed, n * sizeof(S));
      out->grad_set = true;
    }
    for (auto it = records_.rbegin(); it != records_.rend(); ++it)
      if (it->out->grad_set) it->fn(it->ctx);
  }

  arena arena_;
  std::vector<record> records_;
  std::vector<record> commits_;
  std::vector<std::pair<autodiff::parameter<S>*, detail::node_data<S>*>> params_;
  hepad::rng rng_{0};
  bool training_ = true;
  bool grad_enabled_ = true;
  std::size_t n_nodes_ = 0;
};

// --- helpers for reverse passes -------------------------------------------------------------------

/// Writable view of the adjoint storage of `x` (custom operations).
template <class S>
[[nodiscard]] inline Eigen::Map<matrix<S>> grad_storage(node<S> x) noexcept {
  return {x.data()->grad, x.rows(), x.cols()};
}

/// The adjoint of `out` inside its own reverse-pass closure (always written there).
template <class S>
[[nodiscard]] inline Eigen::Map<const matrix<S>> out_grad(node<S> out) noexcept {
  return {out.data()->grad, out.rows(), out.cols()};
}

/// Adds the Eigen expression `e` (matrix or array expression of x's shape) to the adjoint of `x`.
/// Does nothing if `x` does not require a gradient. The first contribution is assigned, later ones
/// are added, so no zero-filling pass is needed.
template <class S, class E>
inline void accumulate_grad(node<S> x, const E& e) {
  auto* d = x.data();
  if (!d->requires_grad) return;
  Eigen::Map<matrix<S>> g(d->grad, d->rows, d->cols);
  if constexpr (std::is_base_of_v<Eigen::ArrayBase<E>, E>) {
    if (d->grad_set) g.array() += e;
    else g.array() = e;
  } else {
    if (d->grad_set) g += e;
    else g = e;
  }
  d->grad_set = true;
}

/// For kernels that write adjoints themselves: returns true if the adjoint of `x` already holds a
/// value (so the kernel must add to it) and marks it as written.
template <class S>
[[nodiscard]] inline bool begin_grad_write(node<S> x) noexcept {
  const bool acc = x.data()->grad_set;
  x.data()->grad_set = true;
  return acc;
}

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_TAPE_HPP
