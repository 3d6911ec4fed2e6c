// SPDX-License-Identifier: BSL-1.0
// The doctest main, compiled once (OBJECT library) and linked into every test executable.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
