// SPDX-License-Identifier: BSL-1.0
// Precompiled header shared by all test executables: doctest, Eigen and the standard headers the
// tests use most. Tests still include what they use; this only makes it cheaper.
#include <doctest/doctest.h>

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>
