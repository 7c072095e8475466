#!/usr/bin/env bash
# install_tiktoken_ref.sh PREFIX - the reference tokeniser that the bench and
# tests/tiktoken_cases_test.sh compare llmlab with: npm tiktoken@1.0.22
# (OpenAI's Rust core compiled to WebAssembly, MIT, no dependencies),
# installed into PREFIX/node_modules/tiktoken for node.
#
# The one install step of the reference: the Makefile runs it (targets
# tiktoken-ref, tests-build, bench); nothing else downloads it. The tarball
# comes from scripts/npm_fetch.sh (cached in data/cache/, checked against the
# registry's pinned sha512 integrity), then npm installs it from that local
# file, offline. Touches PREFIX/.installed when done (the Makefile's stamp).
set -euo pipefail
prefix=${1:?usage: install_tiktoken_ref.sh PREFIX}
here=$(cd "$(dirname "$0")" && pwd)
ver=1.0.22
tarball=$(bash "$here/npm_fetch.sh" "tiktoken@$ver" "tiktoken-$ver.tgz" \
  sha512-PKvy1rVF1RibfF3JlXBSP0Jrcw2uq3yXdgcEXtKTYn3QJ/cBRBHDnrJ5jHky+MENZ6DIPwNUGWpkVx+7joCpNA==)

mkdir -p "$prefix"
npm install --silent --offline --no-audit --no-fund --no-save --prefix "$prefix" "$tarball" >/dev/null || {
  echo "install_tiktoken_ref: ERROR: npm install of $tarball into $prefix failed" >&2; exit 1; }
grep -q "\"version\": \"$ver\"" "$prefix/node_modules/tiktoken/package.json" || {
  echo "install_tiktoken_ref: ERROR: $prefix/node_modules/tiktoken is not version $ver" >&2; exit 1; }
touch "$prefix/.installed"
echo "install_tiktoken_ref: tiktoken@$ver verified and installed in $prefix"
