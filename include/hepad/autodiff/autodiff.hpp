// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/autodiff.hpp
/// @brief The autodiff family: the reverse-mode tape, parameters and every operation. Not
/// included: `gradcheck.hpp` (testing utility) and the forward-mode dual numbers
/// (`autodiff/forward/`).
#ifndef HEPAD_AUTODIFF_AUTODIFF_HPP
#define HEPAD_AUTODIFF_AUTODIFF_HPP

#include <hepad/autodiff/activation.hpp>
#include <hepad/autodiff/arena.hpp>
#include <hepad/autodiff/ops/arithmetic.hpp>
#include <hepad/autodiff/ops/attention.hpp>
#include <hepad/autodiff/ops/dropout.hpp>
#include <hepad/autodiff/ops/elementwise.hpp>
#include <hepad/autodiff/ops/matmul.hpp>
#include <hepad/autodiff/ops/normalization.hpp>
#include <hepad/autodiff/ops/pooling.hpp>
#include <hepad/autodiff/ops/random.hpp>
#include <hepad/autodiff/ops/reduce.hpp>
#include <hepad/autodiff/ops/shape.hpp>
#include <hepad/autodiff/ops/softmax.hpp>
#include <hepad/autodiff/parameter.hpp>
#include <hepad/autodiff/tape.hpp>

#endif  // HEPAD_AUTODIFF_AUTODIFF_HPP
