#!/usr/bin/env bash
# tui_inside_test.sh - drives the Q.K inside, block / positions and cost
# panels of `llmlab ui` in tmux and asserts on the screen against what the
# CLI prints (`llmlab qk`, `llmlab block`, `llmlab positions`): the softmax
# row of the last query, the q norm of a chosen position and the heads'
# shares after changing layer, head and position; each block step's norm
# after changing layer and position; the position table's rows; and the cost
# table filling in while a key during the measuring is answered within
# 100 ms (the UI's key latency log). Every wait polls the screen.
set -u
cd "$(dirname "$0")/.."
. tests/tui_lib.sh   # LLMLAB, pass/fail, screen, wait_for, check, keys, click, re
tui_session inside   # BASE, tmp, S
tab() { click " $1 " || click " $2 "; }   # LONG SHORT: a tab by its name

P="The king of France said that"
# ---- expected values, from the CLI
# the softmax row of the last query (position 5) as "0.08 0.08 0.02 ..."
softmax_row() { "$LLMLAB" qk -m "$BASE" "$@" "$P" | awk '/^after softmax/ { on = 1 } on && /^5 / { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }'; }
qnorm() { "$LLMLAB" qk -m "$BASE" "$@" "$P" | awk '$1 == "q" && $2 == "norm" { print $3; exit }'; }
share() { "$LLMLAB" qk -m "$BASE" "$@" "$P" | awk -v h="$H" '$1 ~ /head/ && $2 == h { for (i = 1; i <= NF; i++) if ($i == "share") print $(i + 1); exit }'; }
stepnorm() { "$LLMLAB" block -m "$BASE" "$@" "$P" | awk -v s="$STEP" '$1 == s { print $3; exit }'; }
row00=$(softmax_row --layer 0 --head 0)
row12=$(softmax_row --layer 1 --head 2)
q12p4=$(qnorm --layer 1 --head 2 --pos 4)
H=3; share12=$(share --layer 1 --head 2 --pos 4)
STEP=LN1; ln1_l0=$(stepnorm --layer 0)
STEP=GELU; mlp_l1p2=$(stepnorm --layer 1 --pos 2)
out_l1p2=$("$LLMLAB" block -m "$BASE" --layer 1 --pos 2 "$P" | awk '$1 == "x" && $2 == "+" && $3 == "mlp" { print $5; exit }')
pos0=$("$LLMLAB" positions -m "$BASE" | awk '$1 == "0" { print $2, $3; exit }')
for v in "$row00" "$row12" "$q12p4" "$share12" "$ln1_l0" "$mlp_l1p2" "$out_l1p2" "$pos0"; do
    [ -n "$v" ] || { echo "the CLI gave an empty expected value"; exit 1; }
done
spaced() { printf '%s' "$1" | sed 's/ \+/ +/g'; }   # "a b" -> "a +b" (any run of spaces)

tmux new-session -d -s "$S" -x 180 -y 50 -e LANG=C.UTF-8 -e TERM=xterm-256color -e TMPDIR="$tmp" \
    -e LLMLAB_UI_LATENCY_LOG="$tmp/lat.log" \
    "'$LLMLAB' ui -m '$BASE' '$P'; echo UI-EXITED=\$?; sleep 30" || { echo "cannot start tmux"; exit 1; }
check "the UI lists the new views" "(Q\\.K inside|QK) .*Block .*Cost" 15

# ---- Q.K inside
tab "Q.K inside" QK
check "Q.K view opens on layer 0 head 0 at the last position" "attention inside +layer 0 head 0 position 5 of 0-5"
check "three matrices side by side" "scores q\\.k/sqrt\\(d\\) +\\+ causal mask +softmax = attention"
check "the masked matrix shows -inf above the diagonal" "^ The .* -inf +-inf +-inf +-inf +-inf"
check "the scores before the mask fill the whole row (six numbers for the first query)" "^ The +(-?[0-9]+\\.[0-9] +){6}-?[0-9]+\\.[0-9] +-inf"
check "the last softmax row equals 'qk --layer 0 --head 0' ($row00)" "^ ·that .*$(spaced "$row00") *\$"
keys NPage Down Down
check "PgDn and Down Down: layer 1 head 2" "layer 1 head 2 position 5"
check "its last softmax row equals 'qk --layer 1 --head 2' ($row12)" "^ ·that .*$(spaced "$row12") *\$"
keys Left
check "Left: position 4" "layer 1 head 2 position 4 of 0-5"
check "q of position 4 has the CLI's norm ($q12p4)" "^ q +norm +$(re "$q12p4") \\[64\\]"
check "head 3's share equals the CLI's ($share12)" "head 3 +$(re "$share12")"

# ---- the block and the positions
tab Block Block
check "block view opens on layer 0 at the last position" "the block +layer 0 position 5 of 0-5"
check "LN1's norm equals 'block --layer 0' ($ln1_l0)" "^ LN1 +256 +$(re "$ln1_l0") "
keys NPage Left Left Left
check "PgDn, Left x3: layer 1 position 2" "layer 1 position 2 of 0-5"
check "GELU's norm equals 'block --layer 1 --pos 2' ($mlp_l1p2)" "^ GELU +1024 +$(re "$mlp_l1p2") "
check "the block's output norm equals the CLI's ($out_l1p2)" "^ x \\+ mlp +256 +$(re "$out_l1p2") "
check "the MLP's active units are stated" "% of 1024 units active"
keys m
check "m: the position encodings (learned)" "position encodings +learned"
check "row 0 equals 'positions' ($pos0)" "^ 0 +$(spaced "$pos0")( |\$)"
# the panel shows every K-th position to fit; row K against the CLI's row K
K=$(screen | sed -n 's/.*(every \([0-9]*\).*position).*/\1/p' | head -1)
[ -n "$K" ] || K=1
posK=$("$LLMLAB" positions -m "$BASE" | awk -v k="$K" '$1 == k { print $2, $3; exit }')
check "row $K equals 'positions' ($posK)" "^ $K +$(spaced "$posK")( |\$)"
keys m
check "m again: back to the block" "the block +layer 1 position 2"

# ---- cost
tab Cost Cost
check "cost view starts measuring" "measuring +[0-9]+%" 10
: >"$tmp/lat.log"
keys g
during=0; screen | grep -q "measuring" && during=1
check "a key while measuring is answered (linear axis)" " ms +\\|" 5
[ "$during" = 1 ] || echo "note: the measuring had ended when the key was sent; latency still checked"
lat=$(awk -F'[= ]' '/key=103/ { print $2; exit }' "$tmp/lat.log")
if [ -n "$lat" ] && awk -v l="$lat" 'BEGIN { exit !(l < 100) }'; then pass "the key took $lat ms (< 100)"
else fail "the key latency was '${lat:-missing}' ms"; fi
check "the measuring finishes" "measured \\(4 layers, width 256" 60
for T in 8 16 32 64 128; do
    check "the table has a measured row for T=$T" "^ +$T +[0-9]+\\.[0-9]{3} +[0-9]+\\.[0-9]{3} +[0-9]+\\.[0-9]{3} +[0-9.]+x"
done
keys q
check "q quits" "UI-EXITED=0"

echo
[ "$fails" -eq 0 ] && echo "tui_inside_test: all passed" || echo "tui_inside_test: $fails failed"
[ "$fails" -eq 0 ]
