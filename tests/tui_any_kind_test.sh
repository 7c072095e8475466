#!/usr/bin/env bash
# The text UI on a language model that is not a transformer (the shipped
# GRU): the next-token view draws its bars and steps, a view that looks
# inside a transformer says so instead of drawing, and :load brings the
# transformer back.
set -u
cd "$(dirname "$0")/.."
. tests/tui_lib.sh
tui_session anykind
GRU=$PWD/models/gru.llm
[ -f "$GRU" ] || { echo "models/gru.llm is missing"; exit 1; }
tmux new-session -d -s "$S" -x 140 -y 40 -e TMPDIR="$tmp" "$LLMLAB ui -m $GRU 'And God said'"
check "the UI starts on the GRU" "gru\.llm \| bpe"
check "the next-token view draws the GRU's bars" "rank token"
check "its most likely next token is listed with a probability" "^ +1 .*[0-9]+\.[0-9]+%"
keys ' '
check "space takes a token" "prompt 3 \+ generated 1"
keys F2
check "attention looks inside a transformer: a notice, not a crash" "The Attention view looks inside a transformer; the loaded model is of kind rnn"
check "the notice names the model" "recurrent LM \(GRU\)"
goto_view LMs
check "the table of language models works for any kind" "Language models of every kind"
keys :
keys "load $BASE" Enter
check ":load brings the transformer back" "loaded .*base\.llm"
keys Escape F2
check "attention draws again" "layer 0 +head 0|query"
keys q
echo "$fails failed"
[ $fails -eq 0 ]
