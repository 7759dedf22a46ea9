#!/usr/bin/env bash
# Installs the test helpers' npm packages: ccxt (the independent OKX signer the
# okx_ccxt_test cross-checks against), pinned in tests/integrations/ccxt/package-lock.json,
# into tests/integrations/ccxt/node_modules. node and npm come from Debian 12's nodejs and
# npm packages when they are not already on PATH. Idempotent: does nothing when the
# installed packages match the lockfile. Called by scripts/install-deps.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir="$here/tests/integrations/ccxt"
stamp="$dir/node_modules/.tachyon-lock"

have() { command -v "$1" >/dev/null 2>&1; }

need=()
have node || need+=(nodejs)
have npm || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-node-deps: ${need[*]} missing: installing the Debian package(s)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-node-deps: must run as root to install ${need[*]} (apt-get install ${need[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# ccxt's dependencies ask for node >= 20.19 (their "engines"); say so rather than fail
# later inside the test with a module error.
node_version=$(node --version)
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "install-node-deps: warning: node $node_version is older than 20.19, which ccxt's dependencies" \
       "(@noble/*) ask for; okx_ccxt_test may fail to load ccxt" >&2
fi

if [ -f "$dir/node_modules/ccxt/package.json" ] && cmp -s "$stamp" "$dir/package-lock.json"; then
  echo "install-node-deps: ccxt $(node -p "require('$dir/node_modules/ccxt/package.json').version") already" \
       "installed in $dir/node_modules (node $node_version)"
  exit 0
fi

echo "install-node-deps: npm ci in $dir (the lockfile's packages, from the npm registry)"
(cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
cp "$dir/package-lock.json" "$stamp"
echo "install-node-deps: installed ccxt $(node -p "require('$dir/node_modules/ccxt/package.json').version")" \
     "in $dir/node_modules"
