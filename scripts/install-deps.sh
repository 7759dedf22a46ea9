#!/usr/bin/env bash
# Installs every Debian 12 package tachyon needs to build, test and run.
# Idempotent: asks dpkg first and calls apt-get only for what is missing. Then the test
# helpers' npm packages (scripts/install-node-deps.sh: ccxt for okx_ccxt_test).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

packages=(
  # toolchain and build
  build-essential cmake ninja-build pkg-config meson clang libclang-rt-14-dev llvm git
  # data plane and control plane stack
  dpdk-dev libdpdk-dev libtbb-dev libjemalloc-dev liburing-dev libssl-dev
  libsimdjson-dev libwebsockets-dev libhwloc-dev hwloc libpcap-dev zlib1g-dev
  # tests, benchmarks, config and command line
  libbenchmark-dev libgtest-dev libgmock-dev librapidcheck-dev libtomlplusplus-dev libcli11-dev
  # tools the tests drive
  curl python3 tcpdump iproute2 openssl
  # headless browser that renders the latency report in its test (tachyon report)
  chromium
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
else
  echo "install-deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: must run as root to install packages (missing: ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # The package index may be stale or empty on a fresh machine.
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

"$here/install-node-deps.sh"
