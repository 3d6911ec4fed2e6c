// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: root_io
/// @file hepad/processing/frame.hpp
/// @brief `hepad::processing::frame`: the columnar processor model over one event_chunk: lazily
/// evaluated defined columns of any type (`define`), named filters (`filter`, evaluated on first
/// use, cached), the event mask (AND of the filters in order), weights with variations, and
/// cutflow filling. Not here: executing over many chunks (executor.hpp).
#ifndef HEPAD_PROCESSING_FRAME_HPP
#define HEPAD_PROCESSING_FRAME_HPP

#include <hepad/core/error.hpp>
#include <hepad/processing/cutflow.hpp>
#include <hepad/processing/event_chunk.hpp>
#include <hepad/processing/weights.hpp>

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <typeindex>
#include <vector>

namespace hepad::processing {

/// Lazy defines and filters over one chunk.
class frame {
 public:
  explicit frame(const event_chunk& events) : ev_(&events), w_(events.size()) {}
  frame(const frame&) = delete;
  frame& operator=(const frame&) = delete;

  [[nodiscard]] const event_chunk& events() const noexcept { return *ev_; }
  [[nodiscard]] std::size_t size() const noexcept { return ev_->size(); }

  /// Defines `name` as `f(frame)` (returning a `T`), evaluated on first `get<T>(name)`.
  /// @throws hepad::invalid_argument if the name is taken.
  template <class T, class F>
  frame& define(std::string name, F f) {
    add(std::move(name), typeid(T), [f = std::move(f)](const frame& fr) -> std::shared_ptr<void> {
      return std::make_shared<T>(f(fr));
    });
    return *this;
  }
  /// The value of a defined column (evaluated once).
  /// @throws hepad::out_of_range for an unknown name, hepad::invalid_argument for a wrong type.
  template <class T>
  [[nodiscard]] const T& get(std::string_view name) const {
    auto& e = entry_of(name);
    if (e.type != std::type_index(typeid(T)))
      throw_invalid_argument("frame::get", hepad::detail::concat("'", name, "' was defined with another type"));
    if (!e.value) {
      if (e.evaluating) throw_invalid_argument("frame::get", hepad::detail::concat("'", name, "' depends on itself"));
      e.evaluating = true;
      e.value = e.make(*this);
      e.evaluating = false;
    }
    return *static_cast<const T*>(e.value.get());
  }

  /// Adds filter `name`: `f(frame)` returns one char per event (non-zero = pass). Lazy.
  template <class F>
  frame& filter(std::string name, F f) {
    define<std::vector<char>>(name, [f = std::move(f), n = size(), name](const frame& fr) {
      std::vector<char> m = f(fr);
      if (m.size() != n)
        throw_invalid_argument("frame::filter", hepad::detail::concat("filter '", name, "' returned ", m.size(),
                                                                      " values for ", n, " events"));
      return m;
    });
    filters_.push_back(std::move(name));
    return *this;
  }
  [[nodiscard]] const std::vector<std::string>& filters() const noexcept { return filters_; }
  /// Mask of one filter.
  [[nodiscard]] const std::vector<char>& passes(std::string_view filter) const { return get<std::vector<char>>(filter); }
  /// AND of all filters (all events if none).
  [[nodiscard]] std::vector<char> mask() const {
    std::vector<char> m(size(), 1);
    for (const auto& f : filters_) {
      const auto& p = passes(f);
      for (std::size_t i = 0; i < m.size(); ++i) m[i] = static_cast<char>(m[i] && p[i]);
    }
    return m;
  }
  /// Indices of the events passing every filter.
  [[nodiscard]] std::vector<std::size_t> selected() const {
    const auto m = mask();
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < m.size(); ++i)
      if (m[i]) out.push_back(i);
    return out;
  }

  [[nodiscard]] event_weights& weights() noexcept { return w_; }
  [[nodiscard]] const event_weights& weights() const noexcept { return w_; }

  /// Fills `cf` (cuts = this frame's filters, in order) with weights `w` (empty: unweighted).
  void fill_cutflow(cutflow& cf, std::span<const double> w = {}) const {
    if (cf.cuts().empty() && cf.n_all() == 0) cf = cutflow(filters_);
    std::vector<std::span<const char>> masks;
    for (const auto& f : filters_) masks.emplace_back(passes(f));
    cf.fill(masks, w);
  }

 private:
  struct entry {
    std::type_index type;
    std::function<std::shared_ptr<void>(const frame&)> make;
    std::shared_ptr<void> value;
    bool evaluating = false;
  };
  void add(std::string name, const std::type_info& t, std::function<std::shared_ptr<void>(const frame&)> make) {
    if (defs_.count(name)) throw_invalid_argument("frame::define", "'" + name + "' is already defined");
    defs_.emplace(std::move(name), entry{std::type_index(t), std::move(make), nullptr, false});
  }
  entry& entry_of(std::string_view name) const {
    auto it = defs_.find(name);
    if (it == defs_.end()) hepad::detail::raise<out_of_range>(hepad::detail::concat("frame: nothing defined as '", name, "'"));
    return it->second;
  }

  const event_chunk* ev_;
  event_weights w_;
  mutable std::map<std::string, entry, std::less<>> defs_;
  std::vector<std::string> filters_;
};

}  // namespace hepad::processing

#endif  // HEPAD_PROCESSING_FRAME_HPP
