#!/usr/bin/env bash
# Installs the test helpers' npm packages: ccxt (the independent OKX signer the
# okx_ccxt_test cross-checks against), pinned in tests/integrations/ccxt/package-lock.json,
# into tests/integrations/ccxt/node_modules, from the npm registry, when node >= 20.19 and
# npm are on PATH. Idempotent: does nothing when the installed packages match the
# lockfile. Called by scripts/install-deps.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir="$here/tests/integrations/ccxt"
stamp="$dir/node_modules/.tachyon-lock"

have() { command -v "$1" >/dev/null 2>&1; }

# The pinned ccxt's dependencies (@noble/*, ES modules loaded by require) need node
# 20.19 or newer. Debian 12's own nodejs is 18, which cannot load them, so this script
# installs no node: without a new enough node and npm, okx_ccxt_test is skipped (it
# says why) and there is nothing to install.
if ! have node || ! have npm; then
  echo "install-node-deps: node or npm not on PATH: ccxt not installed; okx_ccxt_test will be skipped" \
       "(the cross-check needs node >= 20.19 with npm)"
  exit 0
fi
node_version=$(node --version)
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "install-node-deps: node $node_version is older than 20.19, which the pinned ccxt's dependencies" \
       "need: ccxt not installed; okx_ccxt_test will be skipped"
  exit 0
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
