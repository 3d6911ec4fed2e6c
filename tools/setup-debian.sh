#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Installs the Debian 12 packages hepad's build, tests and examples need, if any are missing.
# Usage: tools/setup-debian.sh [--with-peers]   (--with-peers: also the Python peer benchmarks' stack)
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config
  libeigen3-dev libboost-dev xtensor-dev doctest-dev libbenchmark-dev nlohmann-json3-dev
  zlib1g-dev liblzma-dev liblz4-dev libzstd-dev libxxhash-dev libsnappy-dev
  libhdf5-dev libopenmpi-dev openmpi-bin libfastjet-dev
  librsvg2-bin nodejs npm
)
if [[ "${1:-}" == "--with-peers" ]]; then
  packages+=(python3-torch python3-sklearn python3-iminuit python3-xgboost python3-numpy
             python3-scipy python3-h5py python3-pandas libopenblas0-openmp)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "hepad setup: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "hepad setup: all Debian packages present"
fi
