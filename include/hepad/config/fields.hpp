// SPDX-License-Identifier: BSL-1.0
/// @file hepad/config/fields.hpp
/// @brief Field lists for aggregate configs, and generic `from_value` / `to_value`.
///
/// A config lists its fields once:
/// @code
/// struct adam {
///   double learning_rate = 1e-3, beta1 = 0.9;
///   static constexpr std::string_view name = "adam";
///   static constexpr auto fields() {
///     return std::tuple{config::field{"learning_rate", &adam::learning_rate},
///                       config::field{"beta1", &adam::beta1}};
///   }
/// };
/// @endcode
/// and can then be read from any `config::value` (keys not given keep their defaults; unknown keys
/// and wrong types are errors naming the path, e.g. "cwola.optimizer.learning_rate"), printed and
/// saved with results.
#ifndef HEPAD_CONFIG_FIELDS_HPP
#define HEPAD_CONFIG_FIELDS_HPP

#include <hepad/config/value.hpp>
#include <hepad/core/error.hpp>

#include <array>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace hepad::config {

/// One named member of a config struct.
template <class T, class M>
struct field {
  std::string_view name;
  M T::*member;
};
template <class T, class M>
field(std::string_view, M T::*) -> field<T, M>;

/// `T` publishes its fields via `static constexpr auto fields()`.
template <class T>
concept reflected = requires { T::fields(); };

namespace detail {
template <class T>
struct is_std_vector : std::false_type {};
template <class T, class A>
struct is_std_vector<std::vector<T, A>> : std::true_type {};
template <class T>
struct is_std_array : std::false_type {};
template <class T, std::size_t N>
struct is_std_array<std::array<T, N>> : std::true_type {};

[[noreturn]] inline void type_mismatch(std::string_view path, std::string_view want, const value& v) {
  hepad::detail::raise<config_error>(
      hepad::detail::concat(path.empty() ? std::string_view("<root>") : path, " must be ", want,
                            ", got ", v.kind()));
}
inline std::string join(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : hepad::detail::concat(path, ".", key);
}
}  // namespace detail

/// Reads `out` from `v`; `path` names `v` in error messages.
template <class T>
void read_value(const value& v, T& out, std::string_view path);

/// Converts `v` to a `T` (starting from a default-constructed `T`, so missing keys keep defaults).
template <class T>
T from_value(const value& v, std::string_view path = {}) {
  T out{};
  read_value(v, out, path);
  return out;
}

template <class T>
void read_value(const value& v, T& out, std::string_view path) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_bool()) detail::type_mismatch(path, "a bool", v);
    out = std::get<bool>(v.raw());
  } else if constexpr (std::is_enum_v<T>) {
    std::underlying_type_t<T> u{};
    read_value(v, u, path);
    out = static_cast<T>(u);
  } else if constexpr (std::is_integral_v<T>) {
    if (!v.is_number()) detail::type_mismatch(path, "an integer", v);
    const double d = std::get<double>(v.raw());
    if (d != std::floor(d) || d < static_cast<double>(std::numeric_limits<T>::lowest()) ||
        d > static_cast<double>(std::numeric_limits<T>::max()))
      hepad::detail::raise<config_error>(
          hepad::detail::concat(path, " must be an integer in range, got ", d));
    out = static_cast<T>(d);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) detail::type_mismatch(path, "a number", v);
    out = static_cast<T>(std::get<double>(v.raw()));
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) detail::type_mismatch(path, "a string", v);
    out = std::get<std::string>(v.raw());
  } else if constexpr (detail::is_std_vector<T>::value) {
    if (!v.is_array()) detail::type_mismatch(path, "an array", v);
    const auto& a = std::get<value::array>(v.raw());
    out.clear();
    out.resize(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
      read_value(a[i], out[i], hepad::detail::concat(path, "[", i, "]"));
  } else if constexpr (detail::is_std_array<T>::value) {
    if (!v.is_array()) detail::type_mismatch(path, "an array", v);
    const auto& a = std::get<value::array>(v.raw());
    if (a.size() != out.size())
      hepad::detail::raise<config_error>(hepad::detail::concat(
          path, " must have ", out.size(), " elements, got ", a.size()));
    for (std::size_t i = 0; i < a.size(); ++i)
      read_value(a[i], out[i], hepad::detail::concat(path, "[", i, "]"));
  } else if constexpr (reflected<T>) {
    if (!v.is_object()) detail::type_mismatch(path, "an object", v);
    const auto& o = std::get<value::object>(v.raw());
    for (const auto& [key, x] : o) {
      bool known = false;
      std::apply(
          [&](const auto&... f) {
            (((f.name == key) ? (known = true, read_value(x, out.*(f.member), detail::join(path, key)))
                              : void()),
             ...);
          },
          T::fields());
      if (!known && key != "name" && key != "stage")
        hepad::detail::raise<config_error>(
            hepad::detail::concat(detail::join(path, key), " is not a known setting"));
    }
  } else {
    static_assert(!sizeof(T), "hepad::config::from_value: this type has no field list; add "
                              "`static constexpr auto fields()` (see hepad/config/fields.hpp)");
  }
}

/// Converts a config (or a field type) to a `value`.
template <class T>
value to_value(const T& x) {
  if constexpr (std::is_same_v<T, bool> || std::is_arithmetic_v<T>) {
    return value(x);
  } else if constexpr (std::is_enum_v<T>) {
    return value(static_cast<std::underlying_type_t<T>>(x));
  } else if constexpr (std::is_same_v<T, std::string>) {
    return value(x);
  } else if constexpr (detail::is_std_vector<T>::value || detail::is_std_array<T>::value) {
    value::array a;
    for (const auto& e : x) a.push_back(to_value(e));
    return value(std::move(a));
  } else if constexpr (reflected<T>) {
    value v(value::object{});
    if constexpr (requires { T::name; }) v.set("name", value(std::string_view(T::name)));
    std::apply([&](const auto&... f) { (v.set(std::string(f.name), to_value(x.*(f.member))), ...); },
               T::fields());
    return v;
  } else {
    static_assert(!sizeof(T), "hepad::config::to_value: this type has no field list");
  }
}

}  // namespace hepad::config

#endif  // HEPAD_CONFIG_FIELDS_HPP
