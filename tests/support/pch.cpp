// SPDX-License-Identifier: BSL-1.0
// Translation unit that carries the shared precompiled header (support/pch.hpp).
namespace hepad_test_pch_anchor {}
