#!/usr/bin/env bash
# The train view runs objectives whose model is another kind than the
# transformer: counting an n-gram live (its held-out perplexity falls chunk
# by chunk, it ends by itself after its last chunk) and training a fresh
# recurrent LM, while the view model stays the loaded transformer.
set -u
cd "$(dirname "$0")/.."
. tests/tui_lib.sh
tui_session trainkinds
tmux new-session -d -s "$S" -x 140 -y 40 -e TMPDIR="$tmp" "$LLMLAB ui -m $BASE"
check "the UI starts" "rank token"
goto_view Train
check "the train view" "continue the loaded model"
for _ in 1 2 3 4 5 6; do screen | grep -q "^  ngram " && break; keys m; wait_for "^  [a-z]+ +m " 5; done
check "m reaches the n-gram count" "^  ngram .*a fresh model of its own kind"
keys s
check "counting runs, with its held-out perplexity" "val_ppl [0-9]+\.[0-9]+" 60
check "the view model is not what is trained" "training a fresh ngram model of its own .*the view model stays base\.llm"
check "it ends by itself after its last chunk" "done: all 100 steps of the ngram objective" 120
ppl_first=$(grep -m1 -o 'val_ppl [0-9.]*' <<<"$(screen)" | awk '{print $2}')
[ -n "$ppl_first" ] && awk -v p="$ppl_first" 'BEGIN { exit !(p > 1 && p < 4096) }' \
    && pass "the final held-out perplexity is between 1 and the vocabulary ($ppl_first)" || fail "perplexity [$ppl_first]"
# a recurrent LM trains live the same way (a fresh Elman model of its own)
keys x
check "x ends the finished count" "training stopped; s saves the trained model"
for _ in 1 2 3 4 5 6; do screen | grep -q "^  rnn " && break; keys m; wait_for "^  [a-z-]+ +m " 5; done
check "m reaches the recurrent LM" "^  rnn .*a fresh model of its own kind"
keys s
check "the RNN trains on the corpus" "running +rnn: [0-9]+ training tokens" 60
check "its loss and validation on the progress line" "step [0-9]+ +loss [0-9.]+ grad_norm .*val_loss" 60
check "a fresh rnn model of its own, the view model unchanged" "training a fresh rnn model of its own"
keys x
wait_gone "running +rnn:" 20 || fail "x did not stop the RNN"
check "x stops it" "training stopped; s saves the trained model"
keys F1
check "the next-token view still shows the transformer" "base\.llm \| bpe"
keys q
echo "$fails failed"
[ $fails -eq 0 ]
