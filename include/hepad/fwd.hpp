// SPDX-License-Identifier: BSL-1.0
/// @file hepad/fwd.hpp
/// @brief Forward declarations of hepad's core vocabulary types (cheap to include in headers that
/// only mention them).
#ifndef HEPAD_FWD_HPP
#define HEPAD_FWD_HPP

namespace hepad {
class rng;
class error;
class thread_pool;
class progress_bar;
template <class T>
struct result;
template <class S>
struct transform_result;
template <class... Stages>
class pipeline;
template <class Payload>
class any_stage;
template <class Payload>
class runtime_pipeline;
template <class... Stages>
struct registry;
namespace config {
class value;
}
}  // namespace hepad

#endif  // HEPAD_FWD_HPP
