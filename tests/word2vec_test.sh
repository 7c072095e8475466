#!/usr/bin/env bash
# `llmlab word2vec` as a user runs it: --help everywhere, the shipped model's
# neighbours, analogy and plot (text, CSV, SVG), unknown words with a
# suggestion, bad arguments and hostile files refused with a message, a tiny
# training run, Ctrl-C that saves, and --resume that continues.
set -u
cd "$(dirname "$0")/.."
. tests/cli_lib.sh   # B, tmp, n, fails, ok, bad, expect_grep
M=models/word2vec.llm
# expect_fail NAME STATUS REGEX CMD...: that status, empty stdout, stderr matches REGEX
expect_fail() {
    local name=$1 want=$2 re=$3; shift 3
    local out; out=$("$@" 2>"$tmp/err"); local rc=$?
    if [ $rc -eq "$want" ] && [ -z "$out" ] && grep -Eq -- "$re" "$tmp/err"; then ok "$name"
    else bad "$name" "status $rc, out: $out, err: $(cat "$tmp/err")"; fi
}

# --- help
expect_grep "word2vec --help" "usage: llmlab word2vec train" "$B" word2vec --help
for s in neighbours analogy plot; do expect_grep "word2vec $s --help" "skip-gram with negative sampling" "$B" word2vec "$s" --help; done
expect_grep "word2vec train --help" "--negatives K" "$B" word2vec train --help
expect_grep "help word2vec" "usage: llmlab word2vec" "$B" help word2vec
expect_fail "no sub-command" 2 "usage: llmlab word2vec" "$B" word2vec
expect_fail "unknown sub-command" 2 "unknown sub-command 'neighbors2': train, neighbours" "$B" word2vec neighbors2 king

# --- the shipped model
expect_grep "info: kind word2vec" "kind +word2vec \(file format 2\)" "$B" info "$M"
expect_grep "neighbours of king" "nearest to king \(id [0-9]+\) by cosine similarity, among the [0-9]+ words of W_in \[[0-9]+ x 64\]" "$B" word2vec neighbours king
expect_grep "two is near three" "^ +1  three " "$B" word2vec neighbours -m "$M" -k 3 two
expect_grep "neighbors (US spelling), several words" "nearest to paris.*nearest to london" sh -c "$B word2vec neighbors -m $M paris London | tr '\n' ' '"
expect_grep "analogy: paris - france + germany = berlin" "^ +1  berlin " "$B" word2vec analogy -m "$M" paris france germany
expect_grep "analogy prints both readings" "paris - france \+ germany = \?   \(france is to paris as germany is to \?\)" "$B" word2vec analogy -m "$M" paris france germany
got=$("$B" word2vec analogy -m "$M" --csv king man woman | wc -l)
[ "$got" -eq 6 ] && ok "analogy lists 5 by default (csv: query + 5)" || bad "analogy default k" "$got lines"
expect_grep "plot: PCA table and scatter" "PCA of 4 words.*> PC1" sh -c "$B word2vec plot -m $M king queen man woman | tr '\n' ' '"
expect_grep "plot takes commas" "PCA of 3 words" "$B" word2vec plot -m "$M" one,two three
"$B" word2vec plot -m "$M" --svg "$tmp/p.svg" france paris germany berlin >"$tmp/out" 2>&1
if grep -q "wrote $tmp/p.svg (SVG, the PCA of 4 words)" "$tmp/out" && head -c 200 "$tmp/p.svg" | grep -q "<svg" &&
   grep -q "berlin" "$tmp/p.svg" && /usr/bin/python3 -c "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])" "$tmp/p.svg"; then
    ok "plot --svg writes a well-formed SVG with the words"
else bad "plot --svg" "$(cat "$tmp/out")"; fi
out=$("$B" word2vec neighbours -m "$M" king | cat)
case "$out" in *$'\e'*) bad "no colour into a pipe" ;; *) ok "no colour into a pipe" ;; esac

# --- what is refused
expect_fail "unknown word: the closest one" 2 "'kingg' is not in the vocabulary \([0-9]+ words of models/word2vec.llm\); did you mean 'king'\?" "$B" word2vec neighbours -m "$M" kingg
expect_fail "unknown word, nothing close" 2 "'qqqqqqqqqqqqxz' is not in the vocabulary \([0-9]+ words of [^)]*\)$" "$B" word2vec neighbours -m "$M" qqqqqqqqqqqqxz
expect_fail "analogy wants three words" 2 "analogy wants three words" "$B" word2vec analogy -m "$M" king man
expect_fail "plot wants two words" 2 "at least two words" "$B" word2vec plot -m "$M" king
expect_fail "plot: a word twice" 2 "'King' is named twice" "$B" word2vec plot -m "$M" king King
expect_fail "bad option" 2 "did you mean --csv" "$B" word2vec neighbours -m "$M" --cvs king
expect_fail "missing model file" 1 "nonexistent" "$B" word2vec neighbours -m "$tmp/nonexistent.llm" king
head -c 3000 /dev/urandom >"$tmp/garbage.llm"
expect_fail "garbage model file" 1 "llmlab word2vec: .*garbage.llm" "$B" word2vec neighbours -m "$tmp/garbage.llm" king
expect_fail "a transformer is not a word2vec model" 1 "kind gpt, not a word2vec model" "$B" word2vec neighbours -m models/base.llm king
expect_fail "embed refuses a word2vec model" 1 "word2vec model, not a transformer" "$B" embed -m "$M" --near king
expect_fail "a folder is not a model" 1 "not a regular file" "$B" word2vec neighbours -m "$tmp" king
expect_fail "train without -o" 2 "-o OUT is required" "$B" word2vec train --data data/corpus/val.txt
expect_fail "train without --data" 2 "--data FILE is required" "$B" word2vec train -o "$tmp/x.llm"
expect_fail "train --warmup does not apply" 2 "do not apply" "$B" word2vec train --data data/corpus/val.txt -o "$tmp/x.llm" --warmup 5
expect_fail "train --dim out of range" 2 "--dim" "$B" word2vec train --data data/corpus/val.txt -o "$tmp/x.llm" --dim 0
expect_fail "train on a missing text" 1 "nope.txt" "$B" word2vec train --data "$tmp/nope.txt" -o "$tmp/x.llm"
printf 'a b c\n' >"$tmp/tiny.txt"
expect_fail "train: no word often enough" 1 "no word occurs 5 times or more" "$B" word2vec train --data "$tmp/tiny.txt" -o "$tmp/x.llm"
[ -e "$tmp/x.llm" ] && bad "a failed run wrote no model" || ok "a failed run wrote no model"

# --- a tiny training run, resumed
head -c 200000 data/corpus/val.txt >"$tmp/small.txt"
expect_grep "train: header, steps, closing line" "word2vec: [0-9]+ parameters.*steps 0\.\.60, batch 256 pairs.*word2vec: step 60, train loss [0-9.]+, val loss [0-9.]+" \
    sh -c "$B word2vec train --data $tmp/small.txt -o $tmp/w.llm --dim 16 --min-count 2 --steps 60 --batch 256 2>&1 | tr '\n' ' '"
[ -e "$tmp/w.llm.opt" ] && bad "SGD leaves no optimizer state file" || ok "SGD leaves no optimizer state file"
expect_grep "the trained file answers" "nearest to the" "$B" word2vec neighbours -m "$tmp/w.llm" the
expect_grep "info: how it was made" "window=5" "$B" info "$tmp/w.llm"
expect_grep "resume continues" "steps 60\.\.90.*step 90" sh -c "$B word2vec train --resume -o $tmp/w.llm --steps 90 2>&1 | tr '\n' ' '"
expect_grep "resume at the end: nothing to do" "nothing to do: .* already at step 90" "$B" word2vec train --resume -o "$tmp/w.llm" --steps 90

# --- Ctrl-C saves a checkpoint and exits 130
# (the first checkpoint shows the loop runs, its signal handler in place)
"$B" word2vec train --data "$tmp/small.txt" -o "$tmp/c.llm" --dim 16 --min-count 2 --steps 100000000 --save-every 500 >"$tmp/c.out" 2>&1 &
pid=$!
for _ in $(seq 1 600); do [ -s "$tmp/c.llm" ] && break; sleep 0.1; done
kill -INT $pid; wait $pid; rc=$?
if [ $rc -eq 130 ] && grep -q "interrupted after step" "$tmp/c.out" && [ -s "$tmp/c.llm" ]; then ok "Ctrl-C saves and exits 130"
else bad "Ctrl-C" "status $rc: $(tail -3 "$tmp/c.out")"; fi

echo "$((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
