// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/dataset.hpp
/// @brief The `dataset` concept family: tables of events whose features can be viewed as a
/// row-major matrix without copying. See docs/concepts/dataset.md.
#ifndef HEPAD_CORE_CONCEPTS_DATASET_HPP
#define HEPAD_CORE_CONCEPTS_DATASET_HPP

#include <hepad/core/eigen.hpp>

#include <concepts>
#include <cstdint>
#include <span>

namespace hepad {

/// Labels are 32-bit integers (0 = background-like class, 1 = signal-like class, ...).
using label_vector = Eigen::Matrix<std::int32_t, Eigen::Dynamic, 1>;
using label_cref = Eigen::Ref<const label_vector>;

/// A table of `size()` events with `n_features()` feature columns.
template <class D>
concept dataset = requires(const D& d) {
  typename D::scalar_type;
  { d.size() } -> std::convertible_to<std::int64_t>;
  { d.n_features() } -> std::convertible_to<std::int64_t>;
  { d.features() } -> std::convertible_to<matrix_cref<typename D::scalar_type>>;
};

/// A dataset with one integer label per event.
template <class D>
concept labeled_dataset = dataset<D> && requires(const D& d) {
  { d.labels() } -> std::convertible_to<label_cref>;
};

/// A dataset with one weight per event. Weights may be negative (NLO generators).
template <class D>
concept weighted_dataset = dataset<D> && requires(const D& d) {
  { d.weights() } -> std::convertible_to<vector_cref<typename D::scalar_type>>;
};

/// A dataset with context (conditioning) columns, e.g. the variables that define the regions.
template <class D>
concept conditional_dataset = dataset<D> && requires(const D& d) {
  { d.context() } -> std::convertible_to<matrix_cref<typename D::scalar_type>>;
};

/// A dataset from which a subset of rows can be taken (as the same type).
template <class D>
concept sliceable_dataset = dataset<D> && requires(const D& d, std::span<const std::int64_t> rows) {
  { d.select(rows) } -> std::convertible_to<D>;
};

/// Scalar type of a dataset.
template <dataset D>
using scalar_of = typename D::scalar_type;

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_DATASET_HPP
