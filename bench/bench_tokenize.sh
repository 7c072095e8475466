#!/usr/bin/env bash
# bench_tokenize.sh - o200k_base encoding speed: llmlab vs npm tiktoken@1.0.22
# (OpenAI's Rust core compiled to WebAssembly, under node) on the same ~4 MB
# of text in the same run; also checks both give identical ids.
# Prints: bench tokenize_o200k llmlab_mb_s=<f> ref_mb_s=<f> ratio=<f>
# Single-threaded on both sides.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
tool=$build/tools/tok_bench
prefix=build/bench-node   # the Makefile's tiktoken-ref install (scripts/install_tiktoken_ref.sh)
work=$build/bench-tokenize
mkdir -p "$work"
[ -x "$tool" ] || make --no-print-directory "$tool" >/dev/null
[ -s data/tiktoken/o200k_base.tiktoken ] || make --no-print-directory tiktoken >/dev/null
[ -f "$prefix/.installed" ] || make --no-print-directory tiktoken-ref >/dev/null

# ~4 MB of text: the repository's sources and docs, then the published
# tokenizer test samples, repeated in a fixed order
text=$work/text.txt
if [ ! -s "$text" ]; then
  seed=$work/seed.txt
  : >"$seed"
  git ls-files -- '*.c' '*.h' '*.md' | LC_ALL=C sort | while read -r f; do
    [ -f "$f" ] && cat "$f" >>"$seed"
  done
  [ -f data/tiktoken/TestPlans.txt ] && cat data/tiktoken/TestPlans.txt >>"$seed"
  # keep only valid UTF-8 so both sides see the same text
  iconv -f UTF-8 -t UTF-8 -c "$seed" >"$seed.ok" && mv "$seed.ok" "$seed"
  : >"$text"
  while [ "$(stat -c %s "$text")" -lt 4000000 ]; do cat "$seed" >>"$text"; done
  head -c 4000000 "$text" | iconv -f UTF-8 -t UTF-8 -c >"$text.cut" && mv "$text.cut" "$text"
fi

ours=$(OMP_NUM_THREADS=1 "$tool" o200k_base "$text" "$work/ids_llmlab.txt" 5)
ref=$(node bench/tok_bench_ref.mjs "$prefix" "$text" "$work/ids_ref.txt" 5)
echo "llmlab: $ours"
echo "tiktoken@1.0.22 (node): $ref"
if ! cmp -s "$work/ids_llmlab.txt" "$work/ids_ref.txt"; then
  echo "bench_tokenize: ERROR: llmlab and tiktoken give different ids on $text" >&2
  exit 1
fi
echo "ids identical ($(wc -w <"$work/ids_ref.txt") tokens, $(stat -c %s "$text") bytes)"
a=${ours#mb_s=}; a=${a%% *}
b=${ref#mb_s=}; b=${b%% *}
awk -v a="$a" -v b="$b" 'BEGIN { printf "bench tokenize_o200k llmlab_mb_s=%.3f ref_mb_s=%.3f ratio=%.3f\n", a, b, a / b }'
