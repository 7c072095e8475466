#!/usr/bin/env bash
# The text UI on a language model that is not a transformer (the shipped
# GRU): the next-token view draws its bars and steps, a view that looks
# inside a transformer says so instead of drawing, and :load brings the
# transformer back. An encoder keeps its attention view and has no
# next-token bars.
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
# an encoder: attention shows its full matrix; the next-token view says why it has no next token
ENC=$PWD/models/encoder.llm
if [ -f "$ENC" ]; then
    # the new session starts before the old one goes: killing a server's last
    # session stops the server, and a session started at that moment fails
    old=$S; S="$S-enc"
    tmux new-session -d -s "$S" -x 140 -y 40 -e TMPDIR="$tmp" "$LLMLAB ui -m $ENC 'And the king said'"
    tmux kill-session -t "$old" 2>/dev/null
    check "an encoder has no next-token bars, and says why" "an encoder fills blanks from both sides and does not predict"
    keys ' '
    check "space takes no token from an encoder" "prompt 4 \+ generated 0"
    keys F2
    check "its attention has no causal mask" "no mask \(encoder\)"
    keys q
else
    fail "models/encoder.llm is missing"
fi
echo "$fails failed"
[ $fails -eq 0 ]
