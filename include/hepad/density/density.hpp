// SPDX-License-Identifier: BSL-1.0
/// @file hepad/density/density.hpp
/// @brief The density family: weighted Gaussian KDE, Gaussian mixture by EM, histogram density,
/// and the generic adapters (ensemble, preprocessed). Flows are in hepad/flows/flows.hpp.
#ifndef HEPAD_DENSITY_DENSITY_HPP
#define HEPAD_DENSITY_DENSITY_HPP

#include <hepad/density/concepts.hpp>
#include <hepad/density/ensemble.hpp>
#include <hepad/density/gaussian_mixture.hpp>
#include <hepad/density/histogram_density.hpp>
#include <hepad/density/kde.hpp>
#include <hepad/density/preprocessed.hpp>

#endif  // HEPAD_DENSITY_DENSITY_HPP
