// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts.hpp
/// @brief All concept families of hepad (see docs/concepts/).
#ifndef HEPAD_CORE_CONCEPTS_HPP
#define HEPAD_CORE_CONCEPTS_HPP

#include <hepad/core/concepts/bijector.hpp>
#include <hepad/core/concepts/callback.hpp>
#include <hepad/core/concepts/classifier.hpp>
#include <hepad/core/concepts/dataset.hpp>
#include <hepad/core/concepts/density.hpp>
#include <hepad/core/concepts/fit.hpp>
#include <hepad/core/concepts/likelihood.hpp>
#include <hepad/core/concepts/loss.hpp>
#include <hepad/core/concepts/metric.hpp>
#include <hepad/core/concepts/module.hpp>
#include <hepad/core/concepts/objective.hpp>
#include <hepad/core/concepts/optimizer.hpp>
#include <hepad/core/concepts/preprocessor.hpp>
#include <hepad/core/concepts/stage.hpp>
#include <hepad/core/concepts/test_statistic.hpp>

#endif  // HEPAD_CORE_CONCEPTS_HPP
