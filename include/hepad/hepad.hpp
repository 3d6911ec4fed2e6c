// SPDX-License-Identifier: BSL-1.0
/// @file hepad/hepad.hpp
/// @brief Umbrella header: the core and every family that needs only Eigen and the light parts of
/// Boost. Not included (include them by name): adapters with optional dependencies (JSON, HDF5,
/// ROOT I/O, MPI, FastJet), and the families built on Boost.Math / Boost.Histogram, which would
/// add about 2.5 s to every translation unit (docs/build-cost.md): <hepad/stats/stats.hpp>
/// (fits, tests, limits, metrics), <hepad/stats/histogram.hpp>, and <hepad/ad/...> (the S0
/// methods, which use stats). Prefer the narrow headers in your own code.
#ifndef HEPAD_HEPAD_HPP
#define HEPAD_HEPAD_HPP

#include <hepad/config.hpp>
#include <hepad/version.hpp>

#include <hepad/core/assert.hpp>
#include <hepad/core/atomic_file.hpp>
#include <hepad/core/chunk_size.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/progress.hpp>
#include <hepad/core/random.hpp>
#include <hepad/core/result.hpp>

#include <hepad/config/fields.hpp>
#include <hepad/config/value.hpp>

#include <hepad/pipeline/any_stage.hpp>
#include <hepad/pipeline/pipeline.hpp>
#include <hepad/pipeline/registry.hpp>

#include <hepad/data/batching.hpp>
#include <hepad/data/chunked.hpp>
#include <hepad/data/injection.hpp>
#include <hepad/data/jagged.hpp>
#include <hepad/data/region.hpp>
#include <hepad/data/row_mask.hpp>
#include <hepad/data/sideband_labeler.hpp>
#include <hepad/data/split.hpp>
#include <hepad/data/table.hpp>
#include <hepad/data/window.hpp>
// (The synthetic generators, hepad/data/synthetic/*.hpp, are included by name.)

#include <hepad/pre/chain.hpp>
#include <hepad/pre/log.hpp>
#include <hepad/pre/logit.hpp>
#include <hepad/pre/minmax.hpp>
#include <hepad/pre/on.hpp>
#include <hepad/pre/sin_cos.hpp>
#include <hepad/pre/standardize.hpp>
#include <hepad/pre/whiten.hpp>

#include <hepad/autodiff/autodiff.hpp>
#include <hepad/nn/nn.hpp>
// (autodiff/gradcheck.hpp, a testing utility, is included by name.)

#include <hepad/density/density.hpp>
#include <hepad/flows/flows.hpp>

#include <hepad/autodiff/forward/derivatives.hpp>
#include <hepad/plot/plot.hpp>
// (stats/stats.hpp and stats/histogram.hpp, on Boost.Math and Boost.Histogram, are included by
// name: see the file comment.)

#endif  // HEPAD_HEPAD_HPP
