// SPDX-License-Identifier: BSL-1.0
/// @file hepad/hep/correction.hpp
/// @brief `hepad::hep::correction_set`: an evaluator for correctionlib schema-v2 JSON (the format
/// of CMS scale factors and pileup weights): node types number, binning (edges list or uniform
/// {n, low, high}; flow "clamp", "error" or a content node), multibinning, category (string or
/// integer keys, optional default), transform and formula / formularef (TFormula subset: + - * / ^,
/// unary minus, comparisons, x y z t variables, [i] parameters, abs sqrt exp log log10 pow min max
/// erf erfc tanh sin cos tan asin acos atan atan2 sinh cosh). Not here: hashprng, compound
/// corrections (rejected with a clear error), writing corrections.
///
/// Component `hepad::json`. Errors name the file, the correction and the input.
#ifndef HEPAD_HEP_CORRECTION_HPP
#define HEPAD_HEP_CORRECTION_HPP

#include <hepad/core/error.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hepad::hep {

/// An input value of a correction: a number (real or int inputs) or a string (category keys).
using correction_input = std::variant<double, std::string>;

namespace detail {

/// A compiled TFormula expression.
struct formula_node {
  enum kind_t { number, variable, parameter, unary_minus, binary, call } kind = number;
  double value = 0;
  int index = 0;    // variable or parameter index
  char op = 0;      // + - * / ^ < > l(<=) g(>=) e(==) n(!=)
  std::string fn;   // function name
  std::vector<formula_node> args;
};

class formula_parser {
 public:
  formula_parser(std::string_view text, std::string_view where) : s_(text), where_(where) {}
  formula_node parse() {
    auto n = comparison();
    skip_ws();
    if (p_ != s_.size()) fail("unexpected character");
    return n;
  }

 private:
  [[noreturn]] void fail(std::string_view what) const {
    hepad::detail::raise<config_error>(hepad::detail::concat(where_, ": formula '", s_, "': ", what, " at position ", p_));
  }
  void skip_ws() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }
  bool eat(std::string_view t) {
    skip_ws();
    if (s_.substr(p_, t.size()) == t) {
      p_ += t.size();
      return true;
    }
    return false;
  }
  formula_node bin(char op, formula_node a, formula_node b) {
    formula_node n;
    n.kind = formula_node::binary;
    n.op = op;
    n.args.push_back(std::move(a));
    n.args.push_back(std::move(b));
    return n;
  }
  formula_node comparison() {
    auto a = additive();
    for (;;) {
      if (eat("<=")) a = bin('l', std::move(a), additive());
      else if (eat(">=")) a = bin('g', std::move(a), additive());
      else if (eat("==")) a = bin('e', std::move(a), additive());
      else if (eat("!=")) a = bin('n', std::move(a), additive());
      else if (eat("<")) a = bin('<', std::move(a), additive());
      else if (eat(">")) a = bin('>', std::move(a), additive());
      else return a;
    }
  }
  formula_node additive() {
    auto a = multiplicative();
    for (;;) {
      if (eat("+")) a = bin('+', std::move(a), multiplicative());
      else if (eat("-")) a = bin('-', std::move(a), multiplicative());
      else return a;
    }
  }
  formula_node multiplicative() {
    auto a = unary();
    for (;;) {
      if (eat("*")) a = bin('*', std::move(a), unary());
      else if (eat("/")) a = bin('/', std::move(a), unary());
      else return a;
    }
  }
  formula_node unary() {
    if (eat("-")) {
      formula_node n;
      n.kind = formula_node::unary_minus;
      n.args.push_back(unary());
      return n;
    }
    if (eat("+")) return unary();
    return power();
  }
  formula_node power() {
    auto a = primary();
    if (eat("^")) return bin('^', std::move(a), unary());  // right associative
    return a;
  }
  formula_node primary() {
    skip_ws();
    if (p_ >= s_.size()) fail("unexpected end");
    const char c = s_[p_];
    formula_node n;
    if (c == '(') {
      ++p_;
      n = comparison();
      if (!eat(")")) fail("missing ')'");
      return n;
    }
    if (c == '[') {
      ++p_;
      std::size_t q = p_;
      while (q < s_.size() && std::isdigit(static_cast<unsigned char>(s_[q]))) ++q;
      if (q == p_) fail("bad parameter index");
      n.kind = formula_node::parameter;
      n.index = std::atoi(std::string(s_.substr(p_, q - p_)).c_str());
      p_ = q;
      if (!eat("]")) fail("missing ']'");
      return n;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      const std::string rest(s_.substr(p_));
      char* end = nullptr;
      n.value = std::strtod(rest.c_str(), &end);
      if (end == rest.c_str()) fail("bad number");
      p_ += static_cast<std::size_t>(end - rest.c_str());
      return n;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t q = p_;
      while (q < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[q])) || s_[q] == '_' || s_[q] == ':')) ++q;
      std::string id(s_.substr(p_, q - p_));
      p_ = q;
      if (id == "x" || id == "y" || id == "z" || id == "t") {
        n.kind = formula_node::variable;
        n.index = id == "x" ? 0 : id == "y" ? 1 : id == "z" ? 2 : 3;
        return n;
      }
      if (id.rfind("TMath::", 0) == 0) id = id.substr(7);
      if (!eat("(")) fail("unknown identifier '" + id + "'");
      n.kind = formula_node::call;
      n.fn = id;
      if (!eat(")")) {
        do n.args.push_back(comparison());
        while (eat(","));
        if (!eat(")")) fail("missing ')' after arguments");
      }
      static constexpr std::string_view one[] = {"abs", "fabs", "Abs", "sqrt", "Sqrt", "exp", "Exp", "log", "Log",
                                                 "log10", "Log10", "erf", "Erf", "erfc", "Erfc", "tanh", "TanH",
                                                 "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh"};
      static constexpr std::string_view two[] = {"pow", "Power", "min", "Min", "max", "Max", "atan2", "ATan2"};
      const bool is1 = std::find(std::begin(one), std::end(one), n.fn) != std::end(one);
      const bool is2 = std::find(std::begin(two), std::end(two), n.fn) != std::end(two);
      if (!is1 && !is2) fail("unknown function '" + n.fn + "'");
      if (n.args.size() != (is1 ? 1u : 2u)) fail("wrong number of arguments of '" + n.fn + "'");
      return n;
    }
    fail("unexpected character");
  }

  std::string_view s_;
  std::string where_;
  std::size_t p_ = 0;
};

inline double eval_formula(const formula_node& n, const double* vars, const std::vector<double>& params) {
  switch (n.kind) {
    case formula_node::number: return n.value;
    case formula_node::variable: return vars[n.index];
    case formula_node::parameter: return params.at(static_cast<std::size_t>(n.index));
    case formula_node::unary_minus: return -eval_formula(n.args[0], vars, params);
    case formula_node::binary: {
      const double a = eval_formula(n.args[0], vars, params), b = eval_formula(n.args[1], vars, params);
      switch (n.op) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/': return a / b;
        case '^': return std::pow(a, b);
        case '<': return a < b;
        case '>': return a > b;
        case 'l': return a <= b;
        case 'g': return a >= b;
        case 'e': return a == b;
        default: return a != b;
      }
    }
    case formula_node::call: {
      const double a = eval_formula(n.args[0], vars, params);
      const std::string& f = n.fn;
      if (n.args.size() == 2) {
        const double b = eval_formula(n.args[1], vars, params);
        if (f == "pow" || f == "Power") return std::pow(a, b);
        if (f == "min" || f == "Min") return (std::min)(a, b);
        if (f == "max" || f == "Max") return (std::max)(a, b);
        return std::atan2(a, b);
      }
      if (f == "abs" || f == "fabs" || f == "Abs") return std::abs(a);
      if (f == "sqrt" || f == "Sqrt") return std::sqrt(a);
      if (f == "exp" || f == "Exp") return std::exp(a);
      if (f == "log" || f == "Log") return std::log(a);
      if (f == "log10" || f == "Log10") return std::log10(a);
      if (f == "erf" || f == "Erf") return std::erf(a);
      if (f == "erfc" || f == "Erfc") return std::erfc(a);
      if (f == "tanh" || f == "TanH") return std::tanh(a);
      if (f == "sin") return std::sin(a);
      if (f == "cos") return std::cos(a);
      if (f == "tan") return std::tan(a);
      if (f == "asin") return std::asin(a);
      if (f == "acos") return std::acos(a);
      if (f == "atan") return std::atan(a);
      if (f == "sinh") return std::sinh(a);
      return std::cosh(a);
    }
  }
  return 0;
}

/// A node of a correction's content tree.
struct correction_node {
  enum kind_t { number, binning, multibinning, category, formula, transform } kind = number;
  double value = 0;
  std::vector<int> inputs;                 // input indices (binning: 1, multibinning: k, category/transform: 1, formula: variables)
  std::vector<std::vector<double>> edges;  // per binning dimension
  std::vector<correction_node> content;    // bins (row-major) / category values / [rule, content] for transform
  int flow = 0;                            // 0 error, 1 clamp, 2 node (last element of content)
  std::vector<correction_input> keys;      // category keys
  bool has_default = false;                // category default = last element of content
  formula_node expr;
  std::vector<double> params;
};

}  // namespace detail

/// One correction: named inputs, a content tree, `evaluate(inputs...)`.
class correction {
 public:
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] int version() const noexcept { return version_; }
  /// Input names in evaluation order.
  [[nodiscard]] const std::vector<std::string>& inputs() const noexcept { return input_names_; }

  /// Evaluates with one value per input, in `inputs()` order.
  /// @throws hepad::invalid_argument on a wrong number or type of inputs, a value outside a binning
  /// whose flow is "error", or a category key that is not listed (and no default); the message
  /// names the correction and the input.
  [[nodiscard]] double evaluate(const std::vector<correction_input>& in) const {
    if (in.size() != input_names_.size())
      throw_invalid_argument("hep::correction::evaluate",
                             hepad::detail::concat("correction '", name_, "' takes ", input_names_.size(),
                                                   " inputs, got ", in.size()));
    for (std::size_t i = 0; i < in.size(); ++i)
      if (std::holds_alternative<std::string>(in[i]) != (input_types_[i] == "string"))
        throw_invalid_argument("hep::correction::evaluate",
                               hepad::detail::concat("correction '", name_, "': input '", input_names_[i],
                                                     "' must be ", input_types_[i]));
    std::vector<correction_input> vals = in;
    return eval(root_, vals);
  }
  /// Convenience: `evaluate({x, y, "nominal"})`.
  template <class... A>
  [[nodiscard]] double operator()(const A&... a) const {
    return evaluate(std::vector<correction_input>{to_input(a)...});
  }

  /// Internal: builds from the JSON of one correction.
  static correction from_json(const nlohmann::json& j, std::string_view where) {
    correction c;
    c.where_ = std::string(where);
    c.name_ = j.at("name").get<std::string>();
    c.version_ = j.value("version", 0);
    for (const auto& i : j.at("inputs")) {
      c.input_names_.push_back(i.at("name").get<std::string>());
      c.input_types_.push_back(i.at("type").get<std::string>());
    }
    c.root_ = c.build(j.at("data"), 0);
    return c;
  }

 private:
  template <class A>
  static correction_input to_input(const A& a) {
    if constexpr (std::is_convertible_v<A, std::string_view>) return std::string(std::string_view(a));
    else return static_cast<double>(a);
  }
  [[noreturn]] void bad_json(std::string_view what) const {
    hepad::detail::raise<config_error>(hepad::detail::concat(where_, ": correction '", name_, "': ", what));
  }
  int input_index(const nlohmann::json& name) const {
    const auto n = name.get<std::string>();
    for (std::size_t i = 0; i < input_names_.size(); ++i)
      if (input_names_[i] == n) return static_cast<int>(i);
    bad_json("unknown input '" + n + "'");
  }
  detail::correction_node build(const nlohmann::json& j, int depth) const {
    using N = detail::correction_node;
    if (depth > 64) bad_json("content nested too deeply");
    N n;
    if (j.is_number()) {
      n.value = j.get<double>();
      return n;
    }
    if (!j.is_object()) bad_json("content must be a number or an object");
    const auto type = j.at("nodetype").get<std::string>();
    auto read_edges = [&](const nlohmann::json& e) {
      std::vector<double> out;
      if (e.is_array()) {
        for (const auto& x : e) {
          if (x.is_string()) {  // correctionlib writes infinite edges as "inf" / "+inf" / "-inf"
            const auto t = x.get<std::string>();
            if (t == "inf" || t == "+inf") out.push_back(std::numeric_limits<double>::infinity());
            else if (t == "-inf") out.push_back(-std::numeric_limits<double>::infinity());
            else bad_json("bad edge '" + t + "'");
          } else {
            out.push_back(x.get<double>());
          }
        }
      } else {
        const int nb = e.at("n").get<int>();
        const double lo = e.at("low").get<double>(), hi = e.at("high").get<double>();
        if (nb < 1 || !(hi > lo)) bad_json("bad uniform binning");
        for (int i = 0; i <= nb; ++i) out.push_back(lo + (hi - lo) * i / nb);
      }
      if (out.size() < 2 || !std::is_sorted(out.begin(), out.end())) bad_json("edges must be increasing");
      return out;
    };
    auto read_flow = [&](const nlohmann::json& f) {
      if (f.is_string()) {
        const auto s = f.get<std::string>();
        if (s == "clamp") n.flow = 1;
        else if (s == "error") n.flow = 0;
        else bad_json("unknown flow '" + s + "'");
      } else {
        n.flow = 2;
      }
    };
    if (type == "binning" || type == "multibinning") {
      n.kind = type == "binning" ? N::binning : N::multibinning;
      std::size_t total = 1;
      if (n.kind == N::binning) {
        n.inputs.push_back(input_index(j.at("input")));
        n.edges.push_back(read_edges(j.at("edges")));
      } else {
        for (const auto& i : j.at("inputs")) n.inputs.push_back(input_index(i));
        for (const auto& e : j.at("edges")) n.edges.push_back(read_edges(e));
        if (n.edges.size() != n.inputs.size()) bad_json("multibinning: inputs and edges differ in length");
      }
      for (const auto& e : n.edges) total *= e.size() - 1;
      for (const auto& c : j.at("content")) n.content.push_back(build(c, depth + 1));
      if (n.content.size() != total) bad_json("binning content has the wrong length");
      read_flow(j.at("flow"));
      if (n.flow == 2) n.content.push_back(build(j.at("flow"), depth + 1));
    } else if (type == "category") {
      n.kind = N::category;
      n.inputs.push_back(input_index(j.at("input")));
      for (const auto& c : j.at("content")) {
        const auto& k = c.at("key");
        n.keys.push_back(k.is_string() ? correction_input(k.get<std::string>()) : correction_input(k.get<double>()));
        n.content.push_back(build(c.at("value"), depth + 1));
      }
      if (j.contains("default") && !j.at("default").is_null()) {
        n.has_default = true;
        n.content.push_back(build(j.at("default"), depth + 1));
      }
    } else if (type == "transform") {
      n.kind = N::transform;
      n.inputs.push_back(input_index(j.at("input")));
      n.content.push_back(build(j.at("rule"), depth + 1));
      n.content.push_back(build(j.at("content"), depth + 1));
    } else if (type == "formula") {
      n.kind = N::formula;
      if (j.value("parser", "TFormula") != "TFormula") bad_json("only the TFormula parser is supported");
      for (const auto& v : j.at("variables")) n.inputs.push_back(input_index(v));
      if (n.inputs.size() > 4) bad_json("at most 4 formula variables (x, y, z, t)");
      if (j.contains("parameters"))
        for (const auto& p : j.at("parameters")) n.params.push_back(p.get<double>());
      n.expr = detail::formula_parser(j.at("expression").get<std::string>(), where_ + ": correction '" + name_ + "'").parse();
    } else {
      hepad::detail::raise<not_supported>(hepad::detail::concat(where_, ": correction '", name_, "': node type '",
                                                                type, "' is not supported"));
    }
    return n;
  }

  double number(const std::vector<correction_input>& v, int i) const {
    if (const double* d = std::get_if<double>(&v[static_cast<std::size_t>(i)])) return *d;
    throw_invalid_argument("hep::correction::evaluate",
                           hepad::detail::concat("correction '", name_, "': input '", input_names_[static_cast<std::size_t>(i)],
                                                 "' must be a number"));
  }

  double eval(const detail::correction_node& n, std::vector<correction_input>& v) const {
    using N = detail::correction_node;
    switch (n.kind) {
      case N::number: return n.value;
      case N::binning:
      case N::multibinning: {
        std::size_t flat = 0;
        for (std::size_t d = 0; d < n.inputs.size(); ++d) {
          const auto& e = n.edges[d];
          const double x = number(v, n.inputs[d]);
          const std::size_t nb = e.size() - 1;
          std::size_t bin;
          if (!(x >= e.front() && x < e.back())) {
            if (n.flow == 2) return eval(n.content.back(), v);
            if (n.flow == 0 || std::isnan(x))
              throw_invalid_argument("hep::correction::evaluate",
                                     hepad::detail::concat("correction '", name_, "': input '",
                                                           input_names_[static_cast<std::size_t>(n.inputs[d])], "' = ", x,
                                                           " is outside the binning [", e.front(), ", ", e.back(), ")"));
            bin = x < e.front() ? 0 : nb - 1;
          } else {
            bin = static_cast<std::size_t>(std::upper_bound(e.begin(), e.end(), x) - e.begin()) - 1;
          }
          flat = flat * nb + bin;
        }
        return eval(n.content[flat], v);
      }
      case N::category: {
        const auto& x = v[static_cast<std::size_t>(n.inputs[0])];
        for (std::size_t k = 0; k < n.keys.size(); ++k)
          if (n.keys[k] == x) return eval(n.content[k], v);
        if (n.has_default) return eval(n.content.back(), v);
        std::string shown = std::holds_alternative<std::string>(x) ? std::get<std::string>(x)
                                                                   : hepad::detail::concat(std::get<double>(x));
        throw_invalid_argument("hep::correction::evaluate",
                               hepad::detail::concat("correction '", name_, "': input '",
                                                     input_names_[static_cast<std::size_t>(n.inputs[0])], "' has no category '",
                                                     shown, "'"));
      }
      case N::transform: {
        const double t = eval(n.content[0], v);
        auto& slot = v[static_cast<std::size_t>(n.inputs[0])];
        const correction_input saved = slot;
        slot = std::holds_alternative<std::string>(saved) ? saved : correction_input(t);
        const double r = eval(n.content[1], v);
        slot = saved;
        return r;
      }
      case N::formula: {
        double vars[4] = {0, 0, 0, 0};
        for (std::size_t i = 0; i < n.inputs.size(); ++i) vars[i] = number(v, n.inputs[i]);
        return detail::eval_formula(n.expr, vars, n.params);
      }
    }
    return 0;
  }

  std::string where_, name_;
  int version_ = 0;
  std::vector<std::string> input_names_, input_types_;
  detail::correction_node root_;
};

/// All corrections of a correctionlib JSON document.
class correction_set {
 public:
  /// Parses a schema-v2 document. @throws hepad::config_error on malformed JSON or schema.
  static correction_set from_string(std::string_view text, std::string_view source = "<json>") {
    correction_set s;
    try {
      const auto j = nlohmann::json::parse(text.begin(), text.end());
      if (j.value("schema_version", 0) != 2)
        hepad::detail::raise<config_error>(hepad::detail::concat(source, ": correctionlib schema_version must be 2"));
      for (const auto& c : j.at("corrections")) s.items_.push_back(correction::from_json(c, source));
    } catch (const nlohmann::json::exception& e) {
      hepad::detail::raise<config_error>(hepad::detail::concat(source, ": invalid correctionlib JSON: ", e.what()));
    }
    return s;
  }
  /// Reads a file. @throws hepad::io_error if unreadable.
  static correction_set from_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) hepad::detail::raise<io_error>(path.string(), "cannot open correction file");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return from_string(text, path.string());
  }
  /// The correction named `name`. @throws hepad::out_of_range listing what exists.
  [[nodiscard]] const correction& at(std::string_view name) const {
    for (const auto& c : items_)
      if (c.name() == name) return c;
    std::string have;
    for (const auto& c : items_) have += (have.empty() ? "" : ", ") + c.name();
    hepad::detail::raise<out_of_range>(hepad::detail::concat("no correction '", name, "' (have: ", have, ")"));
  }
  [[nodiscard]] const std::vector<correction>& corrections() const noexcept { return items_; }

 private:
  std::vector<correction> items_;
};

}  // namespace hepad::hep

#endif  // HEPAD_HEP_CORRECTION_HPP
