// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/eigen.hpp
/// @brief hepad's matrix vocabulary on Eigen: row-major matrices (one row per event), vectors and
/// non-owning references. Include this instead of Eigen directly.
#ifndef HEPAD_CORE_EIGEN_HPP
#define HEPAD_CORE_EIGEN_HPP

#include <Eigen/Core>

#include <cstddef>

namespace hepad {

/// Signed index type used by matrices.
using index_t = Eigen::Index;

/// Dense row-major matrix; row = event, column = feature.
template <class S>
using matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
/// Dense column vector (per-event weights, labels, scores).
template <class S>
using vector = Eigen::Matrix<S, Eigen::Dynamic, 1>;
/// Dense row vector (one event).
template <class S>
using row_vector = Eigen::Matrix<S, 1, Eigen::Dynamic>;

/// Read-only reference to any row-major matrix expression with unit inner stride (no copy for
/// `matrix<S>`, blocks of rows, or `Eigen::Map`s of contiguous memory).
template <class S>
using matrix_cref = Eigen::Ref<const matrix<S>>;
/// Writable reference to a row-major matrix.
template <class S>
using matrix_ref = Eigen::Ref<matrix<S>>;
/// Read-only reference to a vector.
template <class S>
using vector_cref = Eigen::Ref<const vector<S>>;
/// Writable reference to a vector.
template <class S>
using vector_ref = Eigen::Ref<vector<S>>;

/// Map of contiguous row-major memory as a matrix (zero-copy model input).
template <class S>
using matrix_map = Eigen::Map<matrix<S>>;
template <class S>
using matrix_cmap = Eigen::Map<const matrix<S>>;

}  // namespace hepad

#endif  // HEPAD_CORE_EIGEN_HPP
