#!/usr/bin/env bash
# The table of language models in the text UI: its tab draws the saved
# table (models/lms.tsv) with a bar per model, and a broken table gives a
# message, not a crash.
set -u
cd "$(dirname "$0")/.."
. tests/tui_lib.sh
tui_session lms
[ -f models/lms.tsv ] || { echo "models/lms.tsv is missing"; exit 1; }
tmux new-session -d -s "$S" -x 120 -y 32 "$LLMLAB ui -m $BASE"
check "the UI starts on the next-token view" "rank token"
goto_view LMs
check "the table of language models is a tab" "Language models of every kind"
check "the uniform guess is the baseline row" "^ uniform +- +0 +- +3\.[0-9]{3} "
check "the transformer's row" "^ base +gpt +4\.24M"
check "rows carry bars" "base .*0\.[0-9]{3} +█"
keys r
check "r reads the table again" "table read again"
tmux resize-window -t "$S" -x 50 -y 20
check "a small terminal: a short title" "Every LM: held-out bits per byte"
check "a small terminal: name, bits per byte and a bar per row" "^ base +0\.[0-9]{3} █"
tmux resize-window -t "$S" -x 120 -y 32
check "wide again: every column" "^ base +gpt +4\.24M"
keys q
wait_gone "Language models" 5 || fail "q did not quit"
tmux kill-session -t "$S" 2>/dev/null
# a table that is not one: the panel says so (run from a copy of the tree's files)
mkdir -p "$tmp/models" && printf 'not a table\n' >"$tmp/models/lms.tsv"
cp "$BASE" "$tmp/models/base.llm"
tmux new-session -d -s "$S" -x 120 -y 32 "cd $tmp && $LLMLAB ui -m models/base.llm"
check "the UI starts in another folder" "rank token"
goto_view LMs
check "a broken table is named, not drawn" "not an llmlab lms table"
keys q
echo "$fails failed"
[ $fails -eq 0 ]
