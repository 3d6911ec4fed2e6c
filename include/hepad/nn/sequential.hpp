// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/sequential.hpp
/// @brief Compile-time composition: `nn::sequential<M...>` (a tuple of modules applied in order; no
/// virtual calls), `nn::residual<M>` (x + M(x)) and `nn::fixed_mlp<S, Sizes...>` (an MLP whose
/// layer widths are template arguments). The runtime-sized MLP is `nn::mlp` (mlp.hpp).
#ifndef HEPAD_NN_SEQUENTIAL_HPP
#define HEPAD_NN_SEQUENTIAL_HPP

#include <hepad/autodiff/ops/arithmetic.hpp>
#include <hepad/core/concepts/module.hpp>
#include <hepad/nn/linear.hpp>
#include <hepad/nn/mlp.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepad::nn {

/// Modules applied one after the other. Parameter names get the prefix "<index>.".
template <class... M>
class sequential {
  static_assert(sizeof...(M) >= 1, "nn::sequential needs at least one module");

 public:
  using scalar_type = typename std::tuple_element_t<0, std::tuple<M...>>::scalar_type;
  static_assert((std::is_same_v<typename M::scalar_type, scalar_type> && ...),
                "nn::sequential: all modules must have the same scalar_type");
  static_assert((module<M> && ...), "nn::sequential: every element must model hepad::module (forward(tape, node) "
                                    "and parameters()); see docs/concepts/module.md");

  sequential() = default;
  explicit sequential(M... modules) : layers_(std::move(modules)...) { name_layers(); }

  autodiff::node<scalar_type> forward(autodiff::tape<scalar_type>& t, autodiff::node<scalar_type> x) {
    std::apply([&](auto&... l) { ((x = l.forward(t, x)), ...); }, layers_);
    return x;
  }
  std::vector<autodiff::parameter<scalar_type>*> parameters() {
    std::vector<autodiff::parameter<scalar_type>*> out;
    std::apply([&](auto&... l) { (append(out, l.parameters()), ...); }, layers_);
    return out;
  }
  std::vector<matrix<scalar_type>*> buffers()
    requires(module_with_buffers<M> || ...)
  {
    std::vector<matrix<scalar_type>*> out;
    std::apply([&](auto&... l) { (append_buffers(out, l), ...); }, layers_);
    return out;
  }
  [[nodiscard]] std::string architecture() const {
    std::string s = "sequential(";
    std::size_t k = 0;
    std::apply([&](const auto&... l) { ((s += (k++ ? ", " : "") + describe(l)), ...); }, layers_);
    return s + ")";
  }
  /// The I-th module.
  template <std::size_t I>
  auto& get() noexcept {
    return std::get<I>(layers_);
  }
  static constexpr std::size_t size() noexcept { return sizeof...(M); }

 private:
  template <class V>
  static void append(V& out, V in) {
    out.insert(out.end(), in.begin(), in.end());
  }
  template <class L>
  static void append_buffers(std::vector<matrix<scalar_type>*>& out, L& l) {
    if constexpr (module_with_buffers<L>) {
      auto b = l.buffers();
      out.insert(out.end(), b.begin(), b.end());
    }
  }
  template <class L>
  static std::string describe(const L& l) {
    if constexpr (requires { l.architecture(); }) return std::string(l.architecture());
    else return "module";
  }
  void name_layers() {
    std::size_t k = 0;
    std::apply([&](auto&... l) { (name_one(l, k++), ...); }, layers_);
  }
  template <class L>
  static void name_one(L& l, std::size_t k) {
    if constexpr (requires { l.set_name_prefix(std::string_view{}); }) l.set_name_prefix(hepad::detail::concat(k, "."));
  }
  std::tuple<M...> layers_;
};
template <class... M>
sequential(M...) -> sequential<M...>;

/// Residual block x + inner(x) (inner must preserve the shape).
template <class Inner>
class residual {
 public:
  using scalar_type = typename Inner::scalar_type;
  residual() = default;
  explicit residual(Inner inner) : inner_(std::move(inner)) {}
  autodiff::node<scalar_type> forward(autodiff::tape<scalar_type>& t, autodiff::node<scalar_type> x) {
    auto y = inner_.forward(t, x);
    if (y.rows() != x.rows() || y.cols() != x.cols())
      throw_invalid_argument("nn::residual::forward",
                             hepad::detail::concat("the inner module maps ", x.rows(), " x ", x.cols(), " to ",
                                                   y.rows(), " x ", y.cols(), "; a residual block needs the same shape"));
    return autodiff::add(x, y);
  }
  std::vector<autodiff::parameter<scalar_type>*> parameters() { return inner_.parameters(); }
  std::vector<matrix<scalar_type>*> buffers()
    requires module_with_buffers<Inner>
  {
    return inner_.buffers();
  }
  [[nodiscard]] std::string architecture() const {
    if constexpr (requires { inner_.architecture(); }) return "residual(" + std::string(inner_.architecture()) + ")";
    else return "residual(module)";
  }
  void set_name_prefix(std::string_view p) {
    if constexpr (requires { inner_.set_name_prefix(p); }) inner_.set_name_prefix(p);
  }
  Inner& inner() noexcept { return inner_; }

 private:
  Inner inner_;
};

/// MLP with compile-time widths {in, hidden..., out}: fused dense layers, `opt.hidden` between them.
template <class S, index_t... Sizes>
class fixed_mlp {
  static_assert(sizeof...(Sizes) >= 2, "nn::fixed_mlp needs at least an input and an output width");
  static_assert(((Sizes > 0) && ...), "nn::fixed_mlp: widths must be positive");

 public:
  using scalar_type = S;
  static constexpr std::array<index_t, sizeof...(Sizes)> widths = {Sizes...};
  static constexpr std::size_t n_layers = sizeof...(Sizes) - 1;

  fixed_mlp() = default;
  explicit fixed_mlp(rng& r, mlp_options opt = {}) : opt_(opt) {
    for (std::size_t k = 0; k < n_layers; ++k) {
      const bool last = k + 1 == n_layers;
      linear_options lo{.bias = opt.bias, .act = last ? opt.output : opt.hidden, .slope = opt.slope, .init = opt.init};
      if (last && opt.zero_init_last) lo.init = initializer::zeros;
      layers_[k] = linear<S>(widths[k], widths[k + 1], r, lo);
      layers_[k].set_name_prefix(hepad::detail::concat(k, "."));
    }
  }
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x) {
    for (std::size_t k = 0; k < n_layers; ++k) {
      x = layers_[k].forward(t, x);
      if (opt_.dropout > 0 && k + 1 < n_layers) x = autodiff::dropout(x, opt_.dropout);
    }
    return x;
  }
  std::vector<autodiff::parameter<S>*> parameters() {
    std::vector<autodiff::parameter<S>*> out;
    for (auto& l : layers_)
      for (auto* p : l.parameters()) out.push_back(p);
    return out;
  }
  [[nodiscard]] std::string architecture() const {
    std::string s = "mlp(";
    for (std::size_t k = 0; k < widths.size(); ++k) s += hepad::detail::concat(k ? "-" : "", widths[k]);
    s += hepad::detail::concat(", ", autodiff::to_string(opt_.hidden));
    if (opt_.output != activation::identity) s += hepad::detail::concat(", out=", autodiff::to_string(opt_.output));
    if (opt_.dropout > 0) s += hepad::detail::concat(", dropout=", opt_.dropout);
    if (!opt_.bias) s += ", nobias";
    return s + ")";
  }
  std::array<linear<S>, n_layers>& layers() noexcept { return layers_; }

 private:
  mlp_options opt_{};
  std::array<linear<S>, n_layers> layers_{};
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_SEQUENTIAL_HPP
