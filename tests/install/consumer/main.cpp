// SPDX-License-Identifier: BSL-1.0
// Uses a little of hepad through its public headers and checks the answer.
#include <hepad/hepad.hpp>
#ifdef HEPAD_HAS_JSON
#include <hepad/config/json.hpp>
#endif

#include <cstdio>

int main() {
  hepad::rng r(42);
  double s = 0;
  for (int i = 0; i < 1000; ++i) s += r.uniform();
  const bool ok = s > 450 && s < 550;
#ifdef HEPAD_HAS_JSON
  const auto v = hepad::config::parse_json(R"({"a": 1})");
  if (!v.find("a")) return 2;
#endif
  std::printf("hepad %s consumer: %s\n", hepad::version_string, ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
