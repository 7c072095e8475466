#!/usr/bin/env bash
# tui_scratch_test.sh - drives the train view (5) of `llmlab ui` in tmux:
# pretraining a fresh tiny model from scratch (the first loss near ln V, the
# number the screen states from the vocabulary, then the loss below it), and
# the view model's label in the train view, the status line and the compare
# view: "fresh 2x64 model, N pretrain steps (unsaved)", "base.llm + N SFT
# steps (unsaved)", and the saved file's name after "save as". Every wait
# polls the screen with a timeout.
set -u
cd "$(dirname "$0")/.."
. tests/tui_lib.sh   # LLMLAB, pass/fail, screen, wait_for, check, keys, click, re
tui_session scratch   # BASE, tmp, S
# the vocabulary of the shipped model, from `llmlab info`, and its ln V
V=$("$LLMLAB" info "$BASE" | awk '$1 == "vocabulary" { print $2 }')
[ -n "$V" ] || { echo "llmlab info gave no vocabulary"; exit 1; }
LNV=$(awk -v v="$V" 'BEGIN { printf "%.3f", log(v) }')

cp "$BASE" "$tmp/base.llm"
tmux new-session -d -s "$S" -x 150 -y 45 -e LANG=C.UTF-8 -e TERM=xterm-256color -e TMPDIR="$tmp" \
    "'$LLMLAB' ui -m '$tmp/base.llm' 'Once upon a time'; echo UI-EXITED=\$?; sleep 30" || { echo "cannot start tmux"; exit 1; }
check "the UI starts" "5 Train" 15
check "the status line names the file" "^ base\\.llm \\| "

# ---- from scratch
keys 5 f
check "f picks a tiny model from scratch" "from scratch: tiny 2x64"
keys .
check "one step on the fresh model" "^ step 1 +loss [0-9.]+" 30
check "the view model is labelled a fresh model" "view model: fresh 2x64 model, 1 pretrain step \\(unsaved\\)"
check "the curve marks ln V = $LNV (V = $V from llmlab info)" "ln V = $LNV"
first=$(screen | awk '/^ step 1 +loss/ { print $4; exit }')
if [ -n "$first" ] && awk -v a="$first" -v b="$LNV" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 0.3) }'; then
    pass "the first loss $first is within 0.3 of ln V $LNV"
else fail "the first loss '$first' is not within 0.3 of ln V $LNV"; fi
keys s
below() {   # the loss shown is at least 1 below ln V
    local l
    l=$(screen | awk '/^ step [0-9]+ +loss/ { print $4; exit }')
    [ -n "$l" ] && awk -v a="$l" -v b="$LNV" 'BEGIN { exit !(a < b - 1) }'
}
i=0; while [ $i -lt 600 ] && ! below; do sleep 0.1; i=$((i + 1)); done
if below; then pass "the loss falls more than 1 below ln V"; else fail "the loss stays near ln V"; screen | sed 's/^/     | /'; fi
keys x
check "stopped: the fresh model stays the view model" "training stopped"
keys 4
check "the status line names the fresh model with its steps" "^ fresh 2x64 model, [0-9]+ pretrain steps \\(unsaved\\) \\|"
check "the compare view names it too" "base: fresh 2x64 model, [0-9]+ pretrain steps \\(unsaved\\)"
keys 5 R
check "R goes back to the file" "view model reverted to"
check "the status line names the file again" "^ base\\.llm \\| "
check "the train view's label too" "view model: base\\.llm *$"

# ---- the loaded model, SFT, and a save
keys f f m
check "back to the loaded model, SFT" "sft +m +continue the loaded model"
keys . . .
check "three SFT steps" "^ step 3 +loss" 30
check "the label counts them" "view model: base\\.llm \\+ 3 SFT steps \\(unsaved\\)"
check "the status line too" "^ base\\.llm \\+ 3 SFT steps \\(unsaved\\) \\|"
keys 4
check "and the compare view" "base: base\\.llm \\+ 3 SFT steps \\(unsaved\\)"
keys 5 w
check "save asks for a path" "save as: .*trained-step3\\.llm"
keys Enter
check "saved" "saved .*trained-step3\\.llm"
check "after saving the view model is that file" "view model: trained-step3\\.llm *"
check "the status line names the saved file" "^ trained-step3\\.llm \\| "
[ -f "$tmp/trained-step3.llm" ] && pass "the file is there" || fail "no $tmp/trained-step3.llm"
keys .
check "a step after the save counts from it" "view model: trained-step3\\.llm \\+ 1 SFT step \\(unsaved\\)"
keys x q
check "the UI exits cleanly" "UI-EXITED=0"
echo "$fails failed"
[ "$fails" -eq 0 ]
