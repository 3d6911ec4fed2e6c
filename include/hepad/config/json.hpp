// SPDX-License-Identifier: BSL-1.0
/// @file hepad/config/json.hpp
/// @brief JSON adapter (component `hepad::json`, needs nlohmann-json3-dev): JSON text <-> 
/// `hepad::config::value`, and reading configs from JSON files with errors that name the file,
/// line and column.
#ifndef HEPAD_CONFIG_JSON_HPP
#define HEPAD_CONFIG_JSON_HPP

#include <hepad/config/fields.hpp>
#include <hepad/config/value.hpp>
#include <hepad/core/atomic_file.hpp>
#include <hepad/core/error.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace hepad::config {

/// Converts a parsed nlohmann::json document to a `value`.
inline value from_json(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return value();
    case nlohmann::json::value_t::boolean: return value(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return value(j.get<double>());
    case nlohmann::json::value_t::string: return value(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      value::array a;
      a.reserve(j.size());
      for (const auto& e : j) a.push_back(from_json(e));
      return value(std::move(a));
    }
    case nlohmann::json::value_t::object: {
      value::object o;
      for (auto it = j.begin(); it != j.end(); ++it) o.emplace_back(it.key(), from_json(it.value()));
      return value(std::move(o));
    }
    default: break;
  }
  hepad::detail::raise<config_error>("json: unsupported value type (binary)");
}

/// Converts a `value` to nlohmann::json.
inline nlohmann::json to_json(const value& v) {
  return std::visit(
      [](const auto& x) -> nlohmann::json {
        using X = std::remove_cvref_t<decltype(x)>;
        if constexpr (std::is_same_v<X, std::monostate>) {
          return nullptr;
        } else if constexpr (std::is_same_v<X, value::array>) {
          nlohmann::json a = nlohmann::json::array();
          for (const auto& e : x) a.push_back(to_json(e));
          return a;
        } else if constexpr (std::is_same_v<X, value::object>) {
          nlohmann::json o = nlohmann::json::object();
          for (const auto& [k, e] : x) o[k] = to_json(e);
          return o;
        } else {
          return x;
        }
      },
      v.raw());
}

/// Parses JSON text. @param source names the text in errors (a file name).
/// @throws hepad::config_error with the parser's position on malformed input.
inline value parse_json(std::string_view text, std::string_view source = "<json>") {
  try {
    return from_json(nlohmann::json::parse(text.begin(), text.end()));
  } catch (const nlohmann::json::parse_error& e) {
    hepad::detail::raise<config_error>(hepad::detail::concat(source, ": invalid JSON: ", e.what()));
  }
}

/// Reads and parses a JSON file. @throws hepad::io_error if unreadable, config_error if malformed.
inline value read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) hepad::detail::raise<io_error>(path.string(), "cannot open file for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_json(ss.str(), path.string());
}

/// Serialises a `value` as JSON text (`indent` < 0: compact).
inline std::string dump_json(const value& v, int indent = 2) { return to_json(v).dump(indent); }

/// Writes a `value` as a JSON file, atomically.
inline void write_json_file(const std::filesystem::path& path, const value& v) {
  write_file_atomically(path, dump_json(v) + "\n");
}

}  // namespace hepad::config

#endif  // HEPAD_CONFIG_JSON_HPP
