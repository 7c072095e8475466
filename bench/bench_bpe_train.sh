#!/usr/bin/env bash
# BPE training speed: 1 MB of text to a 4,096-token vocabulary (GPT-2 style
# pre-tokenisation), single thread. Prints "bench bpe_train seconds=<float>".
# The text: the project's corpus (data/corpus/*.txt) when it exists, else the
# repository's own .c/.h/.md files; lines shuffled with a fixed seed and
# repeated up to exactly 1 MiB, so a run is reproducible for a given tree.
set -eu
cd "$(dirname "$0")/.."
build="${TEST_BUILD:-build}"
tool="$build/tools/bpe_train_bench"
[ -x "$tool" ] || make --no-print-directory "$tool" >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if compgen -G "data/corpus/*.txt" >/dev/null; then
    cat data/corpus/*.txt > "$tmp/src"
else
    git ls-files -- '*.c' '*.h' '*.md' | LC_ALL=C sort | xargs cat > "$tmp/src"
fi
LC_ALL=C awk 'BEGIN { srand(42) } { printf "%.9f\t%s\n", rand(), $0 }' "$tmp/src" \
    | LC_ALL=C sort -t "$(printf '\t')" -k1,1 | cut -f2- > "$tmp/shuf"
: > "$tmp/text"
while [ "$(stat -c %s "$tmp/text")" -lt 1048576 ]; do cat "$tmp/shuf" >> "$tmp/text"; done
head -c 1048576 "$tmp/text" > "$tmp/mb"
echo "threads: 1 (BPE training is single-threaded)"
"$tool" "$tmp/mb" 4096 gpt2
