// SPDX-License-Identifier: BSL-1.0
/// @file hepad/config/value.hpp
/// @brief `hepad::config::value`: a parser-independent configuration tree (null, bool, number,
/// string, array, object). Adapters (config/json.hpp) build it from text; `from_value<T>` and
/// `to_value` (config/fields.hpp) map it to and from aggregate configs.
#ifndef HEPAD_CONFIG_VALUE_HPP
#define HEPAD_CONFIG_VALUE_HPP

#include <hepad/core/error.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hepad::config {

/// A configuration value. Objects keep insertion order.
class value {
 public:
  using array = std::vector<value>;
  using object = std::vector<std::pair<std::string, value>>;
  using storage = std::variant<std::monostate, bool, double, std::string, array, object>;

  value() = default;
  value(std::nullptr_t) {}
  value(bool b) : v_(b) {}
  template <class T>
    requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
  value(T x) : v_(static_cast<double>(x)) {}
  value(const char* s) : v_(std::string(s)) {}
  value(std::string s) : v_(std::move(s)) {}
  value(std::string_view s) : v_(std::string(s)) {}
  value(array a) : v_(std::move(a)) {}
  value(object o) : v_(std::move(o)) {}

  [[nodiscard]] bool is_null() const noexcept { return std::holds_alternative<std::monostate>(v_); }
  [[nodiscard]] bool is_bool() const noexcept { return std::holds_alternative<bool>(v_); }
  [[nodiscard]] bool is_number() const noexcept { return std::holds_alternative<double>(v_); }
  [[nodiscard]] bool is_string() const noexcept { return std::holds_alternative<std::string>(v_); }
  [[nodiscard]] bool is_array() const noexcept { return std::holds_alternative<array>(v_); }
  [[nodiscard]] bool is_object() const noexcept { return std::holds_alternative<object>(v_); }

  [[nodiscard]] const storage& raw() const noexcept { return v_; }
  [[nodiscard]] storage& raw() noexcept { return v_; }

  /// Name of the held kind ("null", "bool", "number", "string", "array", "object").
  [[nodiscard]] std::string_view kind() const noexcept {
    constexpr std::string_view names[] = {"null", "bool", "number", "string", "array", "object"};
    return names[v_.index()];
  }

  /// Member `key` of an object, or nullptr (also when this is not an object).
  [[nodiscard]] const value* find(std::string_view key) const noexcept {
    if (const auto* o = std::get_if<object>(&v_))
      for (const auto& [k, x] : *o)
        if (k == key) return &x;
    return nullptr;
  }
  /// Sets member `key` of an object (this must be null or an object).
  value& set(std::string key, value x) {
    if (is_null()) v_ = object{};
    auto& o = std::get<object>(v_);
    for (auto& [k, y] : o)
      if (k == key) return y = std::move(x);
    o.emplace_back(std::move(key), std::move(x));
    return o.back().second;
  }

  friend bool operator==(const value&, const value&) = default;

 private:
  storage v_;
};

}  // namespace hepad::config

#endif  // HEPAD_CONFIG_VALUE_HPP
