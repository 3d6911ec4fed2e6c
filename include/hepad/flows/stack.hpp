// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/stack.hpp
/// @brief Composition of flow layers: `any_layer<S>` (type-erased layer, one virtual call per
/// layer and batch), `stack<S>` (runtime-sized sequence, what configuration-built flows use) and
/// `chain<L...>` (compile-time sequence in a std::tuple, no virtual calls). Both model
/// `flow_layer` themselves, so they nest. Not here: base distributions and the flow (flow.hpp).
#ifndef HEPAD_FLOWS_STACK_HPP
#define HEPAD_FLOWS_STACK_HPP

#include <hepad/autodiff/ops/arithmetic.hpp>
#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/detail/str.hpp>
#include <hepad/core/concepts/bijector.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/flows/concepts.hpp>

#include <cstdint>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepad::flows {

namespace detail {
/// Adds `b` to the accumulated log-det node `a` (either may be empty).
template <class S>
inline autodiff::node<S> add_log_det(autodiff::node<S> a, autodiff::node<S> b) {
  if (!b.valid()) return a;
  if (!a.valid()) return b;
  return autodiff::add(a, b);
}
template <class L, class S>
inline void maybe_initialize(L& l, matrix_cref<S> x, matrix_cref<S> c) {
  if constexpr (data_initialized_layer<L, S>) l.initialize(x, c);
}
template <class L>
inline void maybe_set_training(L& l, bool on) {
  if constexpr (stateful_layer<L>) l.set_training(on);
}
template <class S, class L>
inline void append_buffers(L& l, std::vector<matrix<S>*>& v) {
  if constexpr (requires { l.buffers(); })
    for (auto* b : l.buffers()) v.push_back(b);
}
}  // namespace detail

/// A type-erased flow layer (value semantics: copying clones the layer).
/// @tparam S float or double.
template <class S>
class any_layer {
 public:
  using scalar_type = S;

  any_layer() = default;
  template <class L>
    requires(!std::is_same_v<std::remove_cvref_t<L>, any_layer> && flow_layer<std::remove_cvref_t<L>, S>)
  any_layer(L&& l) : p_(std::make_unique<model<std::remove_cvref_t<L>>>(std::forward<L>(l))) {}
  any_layer(const any_layer& o) : p_(o.p_ ? o.p_->clone() : nullptr) {}
  any_layer& operator=(const any_layer& o) {
    if (this != &o) p_ = o.p_ ? o.p_->clone() : nullptr;
    return *this;
  }
  any_layer(any_layer&&) noexcept = default;
  any_layer& operator=(any_layer&&) noexcept = default;
  ~any_layer() = default;

  [[nodiscard]] std::int64_t n_features() const { return p_->n_features(); }
  [[nodiscard]] std::int64_t n_context() const { return p_->n_context(); }
  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x, matrix_cref<S> c) const { return p_->forward(x, c); }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u, matrix_cref<S> c) const { return p_->inverse(u, c); }
  flow_nodes<S> forward(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S> c, bool train) {
    return p_->record(t, x, c, train);
  }
  void reset_parameters(rng& r) { p_->reset_parameters(r); }
  [[nodiscard]] std::vector<autodiff::parameter<S>*> parameters() { return p_->parameters(); }
  void initialize(matrix_cref<S> x, matrix_cref<S> c) { p_->initialize(x, c); }
  void set_training(bool on) { p_->set_training(on); }
  /// Non-trainable state saved with the layer (batch-norm running statistics).
  [[nodiscard]] std::vector<matrix<S>*> buffers() { return p_->buffers(); }
  /// The wrapped layer if it is an `L`, else null.
  template <class L>
  [[nodiscard]] L* target() noexcept {
    auto* m = dynamic_cast<model<L>*>(p_.get());
    return m ? &m->l : nullptr;
  }
  template <class L>
  [[nodiscard]] const L* target() const noexcept {
    const auto* m = dynamic_cast<const model<L>*>(p_.get());
    return m ? &m->l : nullptr;
  }

 private:
  struct base {
    virtual ~base() = default;
    virtual std::unique_ptr<base> clone() const = 0;
    virtual std::int64_t n_features() const = 0;
    virtual std::int64_t n_context() const = 0;
    virtual transform_result<S> forward(matrix_cref<S>, matrix_cref<S>) const = 0;
    virtual transform_result<S> inverse(matrix_cref<S>, matrix_cref<S>) const = 0;
    virtual flow_nodes<S> record(autodiff::tape<S>&, autodiff::node<S>, autodiff::node<S>, bool) = 0;
    virtual void reset_parameters(rng&) = 0;
    virtual std::vector<autodiff::parameter<S>*> parameters() = 0;
    virtual void initialize(matrix_cref<S>, matrix_cref<S>) = 0;
    virtual void set_training(bool) = 0;
    virtual std::vector<matrix<S>*> buffers() = 0;
  };
  template <class L>
  struct model final : base {
    L l;
    explicit model(L x) : l(std::move(x)) {}
    std::unique_ptr<base> clone() const override { return std::make_unique<model>(l); }
    std::int64_t n_features() const override { return l.n_features(); }
    std::int64_t n_context() const override { return l.n_context(); }
    transform_result<S> forward(matrix_cref<S> x, matrix_cref<S> c) const override { return l.forward(x, c); }
    transform_result<S> inverse(matrix_cref<S> u, matrix_cref<S> c) const override { return l.inverse(u, c); }
    flow_nodes<S> record(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S> c, bool train) override {
      return l.forward(t, x, c, train);
    }
    void reset_parameters(rng& r) override { l.reset_parameters(r); }
    std::vector<autodiff::parameter<S>*> parameters() override { return l.parameters(); }
    void initialize(matrix_cref<S> x, matrix_cref<S> c) override { detail::maybe_initialize<L, S>(l, x, c); }
    void set_training(bool on) override { detail::maybe_set_training(l, on); }
    std::vector<matrix<S>*> buffers() override {
      std::vector<matrix<S>*> v;
      detail::append_buffers<S>(l, v);
      return v;
    }
  };
  std::unique_ptr<base> p_;
};

/// A runtime-sized sequence of layers: forward applies them in order (data to base), inverse in
/// reverse order; log-dets add up. Layer i is initialised from `r.split(i)`.
/// @tparam S float or double.
template <class S>
class stack {
 public:
  using scalar_type = S;

  stack() = default;
  explicit stack(std::vector<any_layer<S>> layers) {
    for (auto& l : layers) push_back(std::move(l));
  }
  /// Appends a layer; its parameters are renamed "layers.<i>.<name>" (checkpoint names).
  void push_back(any_layer<S> l) {
    for (auto* p : l.parameters()) p->name = hepad::detail::concat("layers.", layers_.size(), ".", p->name);
    layers_.push_back(std::move(l));
  }
  [[nodiscard]] std::size_t size() const noexcept { return layers_.size(); }
  [[nodiscard]] bool empty() const noexcept { return layers_.empty(); }
  [[nodiscard]] any_layer<S>& operator[](std::size_t i) { return layers_.at(i); }
  [[nodiscard]] const any_layer<S>& operator[](std::size_t i) const { return layers_.at(i); }

  [[nodiscard]] std::int64_t n_features() const { return layers_.empty() ? 0 : layers_.front().n_features(); }
  [[nodiscard]] std::int64_t n_context() const { return layers_.empty() ? 0 : layers_.front().n_context(); }

  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x, matrix_cref<S> c) const {
    transform_result<S> r{x, vector<S>::Zero(x.rows())};
    for (const auto& l : layers_) {
      transform_result<S> s = l.forward(r.value, c);
      r.value = std::move(s.value);
      r.log_det += s.log_det;
    }
    return r;
  }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u, matrix_cref<S> c) const {
    transform_result<S> r{u, vector<S>::Zero(u.rows())};
    for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
      transform_result<S> s = it->inverse(r.value, c);
      r.value = std::move(s.value);
      r.log_det += s.log_det;
    }
    return r;
  }
  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x) const { return forward(x, matrix<S>(x.rows(), 0)); }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u) const { return inverse(u, matrix<S>(u.rows(), 0)); }

  flow_nodes<S> forward(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S> c, bool train) {
    flow_nodes<S> r{x, autodiff::node<S>()};
    for (auto& l : layers_) {
      const flow_nodes<S> s = l.forward(t, r.value, c, train);
      r.value = s.value;
      r.log_det = detail::add_log_det(r.log_det, s.log_det);
    }
    return r;
  }
  void reset_parameters(rng& r) {
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      rng ri = r.split(i);
      layers_[i].reset_parameters(ri);
    }
  }
  [[nodiscard]] std::vector<autodiff::parameter<S>*> parameters() {
    std::vector<autodiff::parameter<S>*> v;
    for (auto& l : layers_)
      for (auto* p : l.parameters()) v.push_back(p);
    return v;
  }
  /// Data-dependent initialisation (ActNorm), layer by layer on the transformed events.
  void initialize(matrix_cref<S> x, matrix_cref<S> c) {
    matrix<S> v = x;
    for (auto& l : layers_) {
      l.initialize(v, c);
      v = l.forward(v, c).value;
    }
  }
  void set_training(bool on) {
    for (auto& l : layers_) l.set_training(on);
  }
  [[nodiscard]] std::vector<matrix<S>*> buffers() {
    std::vector<matrix<S>*> v;
    for (auto& l : layers_)
      for (auto* b : l.buffers()) v.push_back(b);
    return v;
  }

 private:
  std::vector<any_layer<S>> layers_;
};

/// A compile-time sequence of layers (same behaviour as `stack`, without type erasure).
/// @tparam L layer types (all with the same scalar type).
template <class... L>
class chain {
  static_assert(sizeof...(L) > 0, "flows::chain needs at least one layer");

 public:
  using scalar_type = typename std::tuple_element_t<0, std::tuple<L...>>::scalar_type;
  using S = scalar_type;
  static_assert((flow_layer<L, S> && ...), "flows::chain: every layer must model flows::flow_layer "
                                           "(see docs/concepts/bijector.md)");

  chain() = default;
  explicit chain(L... layers) : layers_(std::move(layers)...) {}

  [[nodiscard]] std::int64_t n_features() const { return std::get<0>(layers_).n_features(); }
  [[nodiscard]] std::int64_t n_context() const { return std::get<0>(layers_).n_context(); }
  template <std::size_t I>
  [[nodiscard]] auto& get() noexcept {
    return std::get<I>(layers_);
  }

  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x, matrix_cref<S> c) const {
    transform_result<S> r{x, vector<S>::Zero(x.rows())};
    std::apply([&](const auto&... l) { (step(l.forward(r.value, c), r), ...); }, layers_);
    return r;
  }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u, matrix_cref<S> c) const {
    transform_result<S> r{u, vector<S>::Zero(u.rows())};
    inverse_from<sizeof...(L)>(r, c);
    return r;
  }
  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x) const { return forward(x, matrix<S>(x.rows(), 0)); }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u) const { return inverse(u, matrix<S>(u.rows(), 0)); }

  flow_nodes<S> forward(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S> c, bool train) {
    flow_nodes<S> r{x, autodiff::node<S>()};
    std::apply(
        [&](auto&... l) {
          ((r = [&] {
             const flow_nodes<S> s = l.forward(t, r.value, c, train);
             return flow_nodes<S>{s.value, detail::add_log_det(r.log_det, s.log_det)};
           }()),
           ...);
        },
        layers_);
    return r;
  }
  void reset_parameters(rng& r) {
    std::size_t i = 0;
    std::apply([&](auto&... l) { ((void)[&] { rng ri = r.split(i++); l.reset_parameters(ri); }(), ...); }, layers_);
  }
  [[nodiscard]] std::vector<autodiff::parameter<S>*> parameters() {
    std::vector<autodiff::parameter<S>*> v;
    std::apply([&](auto&... l) { ((void)[&] { for (auto* p : l.parameters()) v.push_back(p); }(), ...); }, layers_);
    return v;
  }
  void initialize(matrix_cref<S> x, matrix_cref<S> c) {
    matrix<S> v = x;
    std::apply([&](auto&... l) {
      ((void)[&] {
        detail::maybe_initialize<std::remove_cvref_t<decltype(l)>, S>(l, v, c);
        v = l.forward(v, c).value;
      }(), ...);
    }, layers_);
  }
  void set_training(bool on) {
    std::apply([&](auto&... l) { (detail::maybe_set_training(l, on), ...); }, layers_);
  }
  [[nodiscard]] std::vector<matrix<S>*> buffers() {
    std::vector<matrix<S>*> v;
    std::apply([&](auto&... l) { (detail::append_buffers<S>(l, v), ...); }, layers_);
    return v;
  }

 private:
  static void step(transform_result<S>&& s, transform_result<S>& r) {
    r.value = std::move(s.value);
    r.log_det += s.log_det;
  }
  template <std::size_t I>
  void inverse_from(transform_result<S>& r, matrix_cref<S> c) const {
    if constexpr (I > 0) {
      step(std::get<I - 1>(layers_).inverse(r.value, c), r);
      inverse_from<I - 1>(r, c);
    }
  }

  std::tuple<L...> layers_;
};

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_STACK_HPP
