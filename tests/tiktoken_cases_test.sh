#!/usr/bin/env bash
# tiktoken_cases_test.sh - llmlab's r50k_base, cl100k_base and o200k_base ids
# equal those of OpenAI's own engine (npm tiktoken@1.0.22: the Rust core in
# WebAssembly) on a deterministic adversarial text: every Unicode White_Space
# character, U+FEFF, U+180E, combining marks, contractions, digits, CJK,
# emoji, long runs of spaces, newlines and punctuation.
# The reference is installed by the Makefile (`make tests-build`, which
# `make test` runs, via scripts/install_tiktoken_ref.sh into build/bench-node);
# without it the test fails: a missing reference is a broken set-up, not a pass.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TEST_BUILD:-build}
prefix=build/bench-node
tool=$build/tools/tok_bench
command -v node >/dev/null || { echo "FAIL: node not found (make setup installs it)"; exit 1; }
if ! grep -qs '"version": "1.0.22"' "$prefix/node_modules/tiktoken/package.json"; then
  echo "FAIL: reference tiktoken@1.0.22 not installed in $prefix (make tiktoken-ref)"; exit 1
fi
[ -x "$tool" ] || { echo "FAIL: missing $tool"; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work/text.txt" <<'PY'
import random, sys
r = random.Random(20240601)
cps = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2005, 0x200A, 0x2028,
       0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF, 0x180E, 0x200B, 0x301, 0x308, 0x27, 0x2F, 0x41,
       0x61, 0x5A, 0x7A, 0x31, 0x39, 0x4E2D, 0x6587, 0xAC00, 0x1F600, 0x1F1EA, 0x1F1F8, 0x3B1,
       0x391, 0x1C5, 0x2160, 0x660, 0x21, 0x2E, 0x3C, 0x7C]
words = ["'s", "'T", "'re", "'VE", "'m", "'ll", "'D", "hello", " world", "\r\n", "  \n", "\n\n\n",
         "   ", "12345678", "<|endoftext|>", "HTTPServer", "don't", "I'M", "naïve", "Ünïcödé"]
out = []
for i in range(60000):
    if r.random() < 0.3:
        out.append(r.choice(words))
    else:
        out.append(chr(r.choice(cps)))
    if i % 5000 == 0:
        out.append(" " * r.randint(1, 300) + r.choice(["x", "\n", "!", ""]))
open(sys.argv[1], "w", encoding="utf-8").write("".join(out))
PY
status=0
for enc in r50k_base cl100k_base o200k_base; do
  "$tool" "$enc" "$work/text.txt" "$work/ours.txt" 1 >/dev/null
  node bench/tok_bench_ref.mjs "$prefix" "$work/text.txt" "$work/ref.txt" 1 "$enc" >/dev/null
  if cmp -s "$work/ours.txt" "$work/ref.txt"; then
    echo "ok   $enc: $(wc -w <"$work/ref.txt") ids identical"
  else
    echo "FAIL $enc: ids differ from tiktoken@1.0.22"; status=1
  fi
done
exit $status
