#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Project lints (run as the CTest test "lint"):
- every public header starts with an SPDX line and has an include guard that matches its path;
- no <iostream>, no namespace-scope `using namespace`, no header-scope `static` functions/variables,
  no unnamed namespaces in include/;
- the version stated in include/hepad/version.hpp (macros and version_string) matches
  packaging/vcpkg/ports/hepad/vcpkg.json.
Exits 1 and lists every problem found."""
import json
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
problems = []

for h in sorted((root / "include").rglob("*.hpp")):
    rel = h.relative_to(root / "include")
    text = h.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or "SPDX-License-Identifier" not in lines[0]:
        problems.append(f"{rel}: first line must be the SPDX licence identifier")
    guard = re.sub(r"[^A-Za-z0-9]", "_", str(rel)).upper()
    if f"#ifndef {guard}\n#define {guard}\n" not in text:
        problems.append(f"{rel}: include guard must be {guard}")
    if re.search(r"#include\s*<iostream>", text):
        problems.append(f"{rel}: <iostream> in a library header")
    for i, line in enumerate(lines, 1):
        if re.match(r"^using namespace ", line):
            problems.append(f"{rel}:{i}: namespace-scope using-directive")
        if re.match(r"^(static\b(?!_assert)|namespace\s*\{)", line):
            problems.append(f"{rel}:{i}: header-scope static or unnamed namespace")

vh = (root / "include/hepad/version.hpp").read_text()
parts = [re.search(rf"#define HEPAD_VERSION_{p} (\d+)", vh).group(1) for p in ("MAJOR", "MINOR", "PATCH")]
version = ".".join(parts)
m = re.search(r'version_string = "([^"]+)"', vh)
if not m or m.group(1) != version:
    problems.append(f"version.hpp: version_string does not match the macros ({version})")
vj = json.loads((root / "packaging/vcpkg/ports/hepad/vcpkg.json").read_text())
if vj.get("version") != version:
    problems.append(f"vcpkg.json version {vj.get('version')} != {version}")

for p in problems:
    print(p)
print(f"lint: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
