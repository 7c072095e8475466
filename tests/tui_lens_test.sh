#!/usr/bin/env bash
# tui_lens_test.sh - drives the logit lens (view 6) and head ablation (view 7)
# panels of `llmlab ui` in tmux and asserts on the screen: the lens grid's
# output row names what `llmlab next` says is most likely, moving the
# position and the target, knocking out a layer's heads by key and a head by
# click, the ablated probability equal to `llmlab next --ablate`'s, and
# restoring every head. Every wait polls the screen with a timeout.
set -u
cd "$(dirname "$0")/.."
. tests/tui_lib.sh   # LLMLAB, pass/fail, screen, wait_for, check, keys, click, re
tui_session lens   # BASE, tmp, S
# the CLI's top-1 after PROMPT (with extra options): "piece percent"
top1() { "$LLMLAB" next "$@" 2>/dev/null | awk '/%/ { sub(/^[- ]+/, ""); print $2, $3; exit }'; }

P="The king of France said that"
read -r want_piece want_p <<<"$(top1 -m "$BASE" "$P")"
read -r abl_piece abl_p <<<"$(top1 -m "$BASE" --ablate '3.*' "$P")"
[ -n "$want_piece" ] && [ -n "$abl_piece" ] || { echo "llmlab next gave nothing"; exit 1; }
abl_p1=$(printf '%.1f' "${abl_p%\%}")

tmux new-session -d -s "$S" -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color -e TMPDIR="$tmp" \
    "'$LLMLAB' ui -m '$BASE' '$P'; echo UI-EXITED=\$?; sleep 30" || { echo "cannot start tmux"; exit 1; }
check "the UI lists the lens and ablation views" "6 (Logit lens|Lens) +7 (Head ablation|Ablate)" 15

# ---- the logit lens
keys 6
check "lens view opens at the last position" "logit lens +position 5 of 0-5"
check "the grid has a row per layer, embeddings first" "^ emb +[^ ]"
check "the output row's last cell is what 'next' ranks first ($want_piece)" "^ out[0-9]+ .* $(re "$want_piece") *$"
check "the target is the model's answer" "P\\($(re "$want_piece")\\) layer by layer \\(the model's answer\\)"
keys Left
check "Left moves the position" "position 4 of 0-5"
keys Down
check "Down picks another target" "P\\([^)]+\\) layer by layer +Up/Down"
if screen | grep -q "(the model's answer)"; then fail "the header still says the model's answer after Down"
else pass "the header no longer calls the target the model's answer"; fi

# ---- head ablation
keys 7
check "ablation view opens with every head on" "0 of 16 knocked out"
check "with no head out nothing changes" "^ $(re "$want_piece") .* \\+0\\.0 *$"
keys Down Down Down a
check "a knocks out the whole layer 3" "4 of 16 knocked out"
check "layer 3's heads are marked" "layer 3 .*3\\.0x.*3\\.1x.*3\\.2x.*3\\.3x"
check "the ablated bar of $abl_piece shows 'next --ablate 3.*' ($abl_p1%)" "^ $(re "$abl_piece") .* $abl_p1% +[+-][0-9]"
check "the change column shows a delta" "^ [^ ]+ .*% +[+-]([1-9][0-9]*\\.[0-9]|0\\.[1-9]) *$"
click " 1.2 " && check "a click knocks out head 1.2" "5 of 16 knocked out" || fail "no head 1.2 to click"
check "head 1.2 is marked" "layer 1 .*1\\.2x"
keys r
check "r restores every head" "0 of 16 knocked out"
check "and the bars are the whole model's again" "^ $(re "$want_piece") .* \\+0\\.0 *$"

# ---- the other views still see the whole model
keys 1
check "the next-token view shows the unablated top-1 ($want_p)" "$(re "$want_piece") .*${want_p%\%}" 10
keys q
check "q quits" "UI-EXITED=0"

echo
[ "$fails" -eq 0 ] && echo "tui_lens_test: all passed" || echo "tui_lens_test: $fails failed"
[ "$fails" -eq 0 ]
