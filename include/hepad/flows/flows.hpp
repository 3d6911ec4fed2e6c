// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/flows.hpp
/// @brief The flows family: MADE, transformers (affine, rational-quadratic spline), layers
/// (autoregressive, coupling, permutations, LU-linear, ActNorm, batch norm), composition (stack,
/// chain), bases (standard normal, frozen flow, density), flow, configuration and presets, and the
/// density-estimator policy `density_flow` trained with nn::trainer.
#ifndef HEPAD_FLOWS_FLOWS_HPP
#define HEPAD_FLOWS_FLOWS_HPP

#include <hepad/flows/autoregressive.hpp>
#include <hepad/flows/base.hpp>
#include <hepad/flows/concepts.hpp>
#include <hepad/flows/config.hpp>
#include <hepad/flows/coupling.hpp>
#include <hepad/flows/density_flow.hpp>
#include <hepad/flows/flow.hpp>
#include <hepad/flows/lu_linear.hpp>
#include <hepad/flows/made.hpp>
#include <hepad/flows/normalization.hpp>
#include <hepad/flows/permutation.hpp>
#include <hepad/flows/rq_spline.hpp>
#include <hepad/flows/stack.hpp>
#include <hepad/flows/transformers.hpp>

#endif  // HEPAD_FLOWS_FLOWS_HPP
