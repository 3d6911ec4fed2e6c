// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/gradcheck.hpp
/// @brief `gradcheck`: compares the reverse-mode gradient of a function recorded on a
/// `tape<double>` with central finite differences (Richardson-extrapolated, so the numerical
/// error is about 1e-10 relative), for inputs (`gradcheck`) or module parameters
/// (`gradcheck_parameters`). A matrix-valued output is reduced to a scalar with a fixed random
/// projection, so every entry of the Jacobian contributes.
#ifndef HEPAD_AUTODIFF_GRADCHECK_HPP
#define HEPAD_AUTODIFF_GRADCHECK_HPP

#include <hepad/autodiff/tape.hpp>
#include <hepad/core/detail/str.hpp>
#include <hepad/core/random.hpp>

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hepad::autodiff {

/// Options of `gradcheck`.
struct gradcheck_options {
  double step = 1e-4;   ///< finite-difference step, relative to max(1, |x|)
  double rtol = 1e-6;   ///< relative tolerance
  double atol = 1e-8;   ///< absolute tolerance
  std::uint64_t seed = 20240601;  ///< seed of the output projection and of the tape's generator
  bool training = true;  ///< tape mode during the check
};

/// Outcome of a gradient check: `ok` and the worst entry.
struct gradcheck_result {
  bool ok = true;
  double max_abs_error = 0;  ///< max |analytic - numeric|
  double worst_ratio = 0;    ///< max |analytic - numeric| / (atol + rtol max(|a|, |n|)); <= 1 passes
  std::size_t input = 0;     ///< index of the input (or parameter) holding the worst entry
  index_t row = 0, col = 0;  ///< position of the worst entry
  double analytic = 0, numeric = 0;  ///< values at the worst entry
  std::size_t checked = 0;   ///< number of entries compared
  /// Human-readable summary of the worst entry.
  [[nodiscard]] std::string message() const {
    return hepad::detail::concat(ok ? "gradcheck passed" : "gradcheck FAILED", ": worst entry input ",
                                 input, " (", row, ", ", col, "): analytic ", analytic, ", numeric ",
                                 numeric, ", |diff| ", max_abs_error, ", ratio to tolerance ",
                                 worst_ratio, " over ", checked, " entries");
  }
  explicit operator bool() const noexcept { return ok; }
};

namespace detail {
inline double fd_derivative(double x0, double h, auto&& eval_at) {
  // Richardson extrapolation of two central differences: error O(h^4).
  const double d1 = (eval_at(x0 + h) - eval_at(x0 - h)) / (2 * h);
  const double d2 = (eval_at(x0 + h / 2) - eval_at(x0 - h / 2)) / h;
  return (4 * d2 - d1) / 3;
}
inline void gradcheck_compare(gradcheck_result& r, const gradcheck_options& o, std::size_t input,
                              index_t i, index_t j, double a, double n) {
  const double err = std::abs(a - n);
  const double tol = o.atol + o.rtol * (std::max)(std::abs(a), std::abs(n));
  const double ratio = std::isfinite(err) ? err / tol : std::numeric_limits<double>::infinity();
  ++r.checked;
  if (ratio > r.worst_ratio || (!std::isfinite(ratio) && r.ok)) {
    r.worst_ratio = ratio;
    r.max_abs_error = err;
    r.input = input;
    r.row = i;
    r.col = j;
    r.analytic = a;
    r.numeric = n;
  }
  if (!(ratio <= 1.0)) r.ok = false;
}
/// sum(P .* out) for the fixed projection P (created on first use).
inline double project(node<double> out, matrix<double>& P, std::uint64_t seed) {
  if (P.rows() != out.rows() || P.cols() != out.cols()) {
    rng r(seed, 7);
    P.resize(out.rows(), out.cols());
    for (index_t k = 0; k < P.size(); ++k) P.data()[k] = r.normal();
  }
  return (P.array() * out.value().array()).sum();
}
}  // namespace detail

/// Checks the gradient of `f` with respect to each of `inputs`.
/// @param f callable `(tape<double>&, std::span<const node<double>> xs) -> node<double>`; it must
/// be deterministic (stochastic operations draw from the tape's generator, which is re-seeded for
/// every evaluation).
/// @param inputs the point at which to check (each becomes a variable).
/// Complexity: 4 evaluations of f per input entry, plus one forward and backward pass.
template <class F>
inline gradcheck_result gradcheck(F&& f, std::vector<matrix<double>> inputs,
                                  const gradcheck_options& opt = {}) {
  matrix<double> P;
  auto evaluate = [&](std::vector<matrix<double>>& xs, tape<double>& t,
                      std::vector<node<double>>& nodes) {
    t.reset();
    t.set_training(opt.training);
    t.set_random(rng(opt.seed, 99));
    nodes.clear();
    for (auto& x : xs) nodes.push_back(t.variable(x));
    return f(t, std::span<const node<double>>(nodes.data(), nodes.size()));
  };
  tape<double> t;
  std::vector<node<double>> nodes;
  node<double> out = evaluate(inputs, t, nodes);
  detail::project(out, P, opt.seed);
  t.backward(out, P);
  std::vector<matrix<double>> grads;
  for (auto& n : nodes) grads.emplace_back(n.grad());
  gradcheck_result r;
  tape<double> t2;
  std::vector<node<double>> nodes2;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    for (index_t i = 0; i < inputs[k].rows(); ++i)
      for (index_t j = 0; j < inputs[k].cols(); ++j) {
        const double x0 = inputs[k](i, j);
        const double h = opt.step * (std::max)(1.0, std::abs(x0));
        const double num = detail::fd_derivative(x0, h, [&](double v) {
          inputs[k](i, j) = v;
          const double y = detail::project(evaluate(inputs, t2, nodes2), P, opt.seed);
          inputs[k](i, j) = x0;
          return y;
        });
        detail::gradcheck_compare(r, opt, k, i, j, grads[k](i, j), num);
      }
  }
  return r;
}

/// Checks the gradient of `f` with respect to the values of `params` (a module's parameters).
/// @param f callable `(tape<double>&) -> node<double>` that uses the parameters through
/// `tape::parameter` (e.g. a module's forward on fixed inputs).
template <class F>
inline gradcheck_result gradcheck_parameters(F&& f, std::span<parameter<double>* const> params,
                                             const gradcheck_options& opt = {}) {
  matrix<double> P;
  auto evaluate = [&](tape<double>& t) {
    t.reset();
    t.set_training(opt.training);
    t.set_random(rng(opt.seed, 99));
    return f(t);
  };
  tape<double> t;
  node<double> out = evaluate(t);
  detail::project(out, P, opt.seed);
  t.backward(out, P);
  std::vector<matrix<double>> grads;
  for (auto* p : params)
    grads.push_back(t.has_parameter_grad(*p) ? matrix<double>(t.parameter_grad(*p))
                                             : matrix<double>::Zero(p->rows(), p->cols()));
  gradcheck_result r;
  tape<double> t2;
  for (std::size_t k = 0; k < params.size(); ++k) {
    auto& v = params[k]->value;
    for (index_t i = 0; i < v.rows(); ++i)
      for (index_t j = 0; j < v.cols(); ++j) {
        const double x0 = v(i, j);
        const double h = opt.step * (std::max)(1.0, std::abs(x0));
        const double num = detail::fd_derivative(x0, h, [&](double x) {
          v(i, j) = x;
          const double y = detail::project(evaluate(t2), P, opt.seed);
          v(i, j) = x0;
          return y;
        });
        detail::gradcheck_compare(r, opt, k, i, j, grads[k](i, j), num);
      }
  }
  return r;
}

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_GRADCHECK_HPP
