#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Installs the Debian 12 packages hepad's build, tests and examples need, if any are missing.
# Usage: tools/setup-debian.sh [--with-peers]   (--with-peers: also the Python peer benchmarks' stack)
#
# Required packages must install, or the script fails. Optional ones (the component libraries,
# Node.js for the cross-reader tests, rsvg-convert for PNG plots) are installed when apt can;
# when it cannot (e.g. Node.js from another repository that conflicts with Debian's npm), the
# build simply turns that component or test family off, and the script says so.
set -euo pipefail
required=(
  build-essential cmake ninja-build ccache pkg-config time
  libeigen3-dev libboost-dev xtensor-dev doctest-dev libbenchmark-dev nlohmann-json3-dev
)
optional=(
  zlib1g-dev liblzma-dev liblz4-dev libzstd-dev libxxhash-dev libsnappy-dev
  libhdf5-dev libopenmpi-dev openmpi-bin libfastjet-dev librsvg2-bin
)
# Node.js and npm: any installation on PATH will do (NodeSource's nodejs bundles npm and
# conflicts with Debian's npm package).
command -v node >/dev/null 2>&1 || optional+=(nodejs)
command -v npm >/dev/null 2>&1 || optional+=(npm)
if [[ "${1:-}" == "--with-peers" ]]; then
  optional+=(python3-torch python3-sklearn python3-iminuit python3-xgboost python3-numpy
             python3-scipy python3-h5py python3-pandas libopenblas0-openmp)
fi

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing_of() { local p; for p in "$@"; do is_installed "$p" || echo "$p"; done; }

mapfile -t miss_req < <(missing_of "${required[@]}")
mapfile -t miss_opt < <(missing_of "${optional[@]}")
if ((${#miss_req[@]} + ${#miss_opt[@]} == 0)); then
  echo "hepad setup: all Debian packages present"
  exit 0
fi
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
apt_install() { $sudo apt-get install -y -qq --no-install-recommends "$@"; }
$sudo apt-get update -qq || echo "hepad setup: apt-get update failed; trying the cached package lists"
if ((${#miss_req[@]})); then
  echo "hepad setup: installing required ${miss_req[*]}"
  apt_install "${miss_req[@]}"
fi
if ((${#miss_opt[@]})); then
  echo "hepad setup: installing optional ${miss_opt[*]}"
  if ! apt_install "${miss_opt[@]}"; then
    # One conflicting package must not keep the others out: retry one by one.
    for p in "${miss_opt[@]}"; do
      apt_install "$p" >/dev/null 2>&1 || echo "hepad setup: optional package $p could not be installed; its component/tests are skipped"
    done
  fi
fi
