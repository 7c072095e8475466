#!/usr/bin/env bash
# install_tiktoken_ref.sh PREFIX - the reference tokeniser that the bench and
# tests/tiktoken_cases_test.sh compare llmlab with: npm tiktoken@1.0.22
# (OpenAI's Rust core compiled to WebAssembly, MIT, no dependencies),
# installed into PREFIX/node_modules/tiktoken for node.
#
# The one install step of the reference: the Makefile runs it (targets
# tiktoken-ref, tests-build, bench); nothing else downloads it. The tarball is
# fetched once with `npm pack`, cached in data/cache/ (re-runs work offline),
# and checked against the registry's pinned sha512 integrity before npm
# installs it from the local file. Fails loudly on any mismatch. Touches
# PREFIX/.installed when done (the Makefile's stamp).
set -euo pipefail
prefix=${1:?usage: install_tiktoken_ref.sh PREFIX}
root=$(cd "$(dirname "$0")/.." && pwd)
pkg=tiktoken
ver=1.0.22
integrity=sha512-PKvy1rVF1RibfF3JlXBSP0Jrcw2uq3yXdgcEXtKTYn3QJ/cBRBHDnrJ5jHky+MENZ6DIPwNUGWpkVx+7joCpNA==
cache=$root/data/cache
tarball=$cache/$pkg-$ver.tgz

command -v node >/dev/null && command -v npm >/dev/null || {
  echo "install_tiktoken_ref: ERROR: node and npm are needed (make setup installs them)" >&2; exit 1; }
mkdir -p "$cache" "$prefix"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -s "$tarball" ]; then
  echo "install_tiktoken_ref: npm pack $pkg@$ver"
  (cd "$tmp" && npm pack --silent "$pkg@$ver" >/dev/null) || {
    echo "install_tiktoken_ref: ERROR: npm pack $pkg@$ver failed" >&2; exit 1; }
  mv "$tmp/$pkg-$ver.tgz" "$tarball"
fi

# the same form as npm's "integrity" field: sha512- then base64 of the digest
got=$(node -e 'const c = require("crypto"), f = require("fs");
  console.log("sha512-" + c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$tarball")
if [ "$got" != "$integrity" ]; then
  echo "install_tiktoken_ref: ERROR: integrity mismatch for $tarball" >&2
  echo "  expected $integrity" >&2
  echo "  got      $got" >&2
  echo "  (delete $tarball to download again)" >&2
  exit 1
fi

npm install --silent --offline --no-audit --no-fund --no-save --prefix "$prefix" "$tarball" >/dev/null || {
  echo "install_tiktoken_ref: ERROR: npm install of $tarball into $prefix failed" >&2; exit 1; }
grep -q "\"version\": \"$ver\"" "$prefix/node_modules/$pkg/package.json" || {
  echo "install_tiktoken_ref: ERROR: $prefix/node_modules/$pkg is not version $ver" >&2; exit 1; }
touch "$prefix/.installed"
echo "install_tiktoken_ref: $pkg@$ver verified and installed in $prefix"
