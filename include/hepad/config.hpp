// SPDX-License-Identifier: BSL-1.0
/// @file hepad/config.hpp
/// @brief Compile-time switches of the library. Users may define these before including hepad.
///
/// - `HEPAD_ENABLE_ASSERT`: turn on internal invariant checks (`HEPAD_ASSERT`) in release builds;
///   they are on by default when `NDEBUG` is not defined.
/// - `HEPAD_DISABLE_TYPE_CHECKS`: skip the readable `static_assert`s of entry points (faster
///   compiles; errors then come from deep inside templates).
/// - `HEPAD_THROW(ex)`: how errors are raised (default `throw ex`); an override must not return.
#ifndef HEPAD_CONFIG_HPP
#define HEPAD_CONFIG_HPP

#if !defined(NDEBUG) && !defined(HEPAD_ENABLE_ASSERT)
#define HEPAD_ENABLE_ASSERT
#endif

#ifndef HEPAD_THROW
#define HEPAD_THROW(ex) throw(ex)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define HEPAD_COLD [[gnu::cold]]
#define HEPAD_LIKELY(x) __builtin_expect(!!(x), 1)
#define HEPAD_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define HEPAD_RESTRICT __restrict__
#else
#define HEPAD_COLD
#define HEPAD_LIKELY(x) (x)
#define HEPAD_UNLIKELY(x) (x)
#define HEPAD_RESTRICT
#endif

#endif  // HEPAD_CONFIG_HPP
