// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: root_io json
/// @file hepad/processing/dataset_config.hpp
/// @brief Dataset configuration files in the cms-anomfinder format:
/// `{"<name>": {"files": {"<path or URL>": "<tree>", ...}, "metadata": {"isMC": bool, "XS": number}}}`.
/// File order is the JSON key order (kept), `max_files` keeps the first N. Relative local paths
/// are resolved against the configuration file's folder. Not here: remote (root://) access.
///
/// Component `hepad::json`.
#ifndef HEPAD_PROCESSING_DATASET_CONFIG_HPP
#define HEPAD_PROCESSING_DATASET_CONFIG_HPP

#include <hepad/core/error.hpp>
#include <hepad/processing/executor.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace hepad::processing {

/// Reads every dataset of one configuration file (`max_files` < 0: all files).
/// @throws hepad::io_error if unreadable, hepad::config_error naming the file and the entry if malformed.
inline std::vector<dataset> load_dataset_config(const std::filesystem::path& path, int max_files = -1) {
  std::ifstream in(path, std::ios::binary);
  if (!in) hepad::detail::raise<io_error>(path.string(), "cannot open dataset configuration");
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    hepad::detail::raise<config_error>(hepad::detail::concat(path.string(), ": invalid JSON: ", e.what()));
  }
  if (!j.is_object() || j.empty())
    hepad::detail::raise<config_error>(hepad::detail::concat(path.string(), ": expected {\"<dataset>\": {...}}"));
  std::vector<dataset> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string where = path.string() + ": " + it.key();
    const auto& d = it.value();
    if (!d.is_object() || !d.contains("files") || !d.at("files").is_object())
      hepad::detail::raise<config_error>(where + ".files must be an object {path: tree}");
    dataset ds;
    ds.info.name = it.key();
    if (d.contains("metadata")) {
      const auto& m = d.at("metadata");
      if (m.contains("isMC")) {
        if (!m.at("isMC").is_boolean()) hepad::detail::raise<config_error>(where + ".metadata.isMC must be true or false");
        ds.info.is_mc = m.at("isMC").get<bool>();
      }
      if (m.contains("XS")) {
        if (!m.at("XS").is_number()) hepad::detail::raise<config_error>(where + ".metadata.XS must be a number");
        ds.info.xs = m.at("XS").get<double>();
      }
    }
    for (auto f = d.at("files").begin(); f != d.at("files").end(); ++f) {
      if (max_files >= 0 && static_cast<int>(ds.files.size()) >= max_files) break;
      if (!f.value().is_string()) hepad::detail::raise<config_error>(where + ".files['" + f.key() + "'] must be a tree name");
      std::filesystem::path p = f.key();
      if (p.is_relative() && f.key().find("://") == std::string::npos) p = path.parent_path() / p;
      ds.files.push_back({p.string(), f.value().get<std::string>()});
    }
    out.push_back(std::move(ds));
  }
  return out;
}

}  // namespace hepad::processing

#endif  // HEPAD_PROCESSING_DATASET_CONFIG_HPP
