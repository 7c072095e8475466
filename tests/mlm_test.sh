#!/usr/bin/env bash
# `llmlab mlm` through the real binary: --help of the command and its
# sub-commands (train, fill, eval); bad input gets a message and a usage or runtime status, never
# a crash; `mlm train` makes an encoder (kind encoder, bidirectional, the base
# BPE plus <|mask|>: 4097 ids) and continues it with --resume; `mlm fill`
# shows the encoder's bars beside the decoder's for the text cut at the blank,
# `mlm eval` both on the same held-out blanks;
# the attention view of an encoder has no mask; next, score, lens, generate
# and a next-token `train` refuse an encoder.
set -u
cd "$(dirname "$0")/.."
BAD_BYTES=2000
. tests/cli_lib.sh   # B, tmp, n, fails, ok, bad, expect_grep
B=$(realpath "$B")
# expect NAME STATUS REGEX CMD...: the status and a line of stdout+stderr matching REGEX
expect() {
    local name=$1 want=$2 re=$3; shift 3
    local out; out=$("$@" 2>&1); local rc=$?
    if [ "$rc" -eq "$want" ] && grep -Eq -- "$re" <<<"$out"; then ok "$name"; else bad "$name" "status $rc (want $want): $out"; fi
}

for i in $(seq 300); do echo "the cat sat on the mat and the dog sat on the log. the sun rose in the east."; done >"$tmp/d.txt"
BASE=models/base.llm
ENC=$tmp/enc.llm

# ---- help and usage errors
expect "mlm --help" 0 "^usage: llmlab mlm train" "$B" mlm --help
expect "mlm train --help" 0 "80% become <\|mask\|>" "$B" mlm train --help
expect "mlm fill --help" 0 "^usage: llmlab mlm fill" "$B" mlm fill --help
expect "mlm alone" 2 "say train, fill or eval" "$B" mlm
expect "mlm bogus" 2 "unknown sub-command 'bogus'" "$B" mlm bogus
expect "mlm train without -o" 2 "-o OUT is required" "$B" mlm train --steps 1
expect "mlm train --bogus" 2 "unknown option --bogus" "$B" mlm train --bogus -o "$ENC"
expect "mlm train --heads 0" 2 "--heads" "$B" mlm train --heads 0 -o "$ENC"
expect "mlm train -m a decoder" 1 "is a decoder .causal attention" "$B" mlm train -m "$BASE" --data "$tmp/d.txt" -o "$ENC"
expect "mlm train: a byte tokeniser takes no <|mask|>" 1 "only a BPE tokeniser" \
    "$B" mlm train --tokenizer char --data "$tmp/d.txt" --steps 1 -o "$ENC"
expect "mlm fill without text" 2 "give a TEXT" "$B" mlm fill -m "$BASE"
expect "mlm fill -m a decoder" 1 "is a decoder .causal attention., not an encoder" "$B" mlm fill -m "$BASE" "a [MASK] b"
[ -e "$ENC" ] && bad "nothing was written by the failures" || ok "nothing was written by the failures"

# ---- train a tiny encoder, then continue it
TRAIN=(mlm train --layers 1 --heads 2 --width 16 --ctx 16 --data "$tmp/d.txt" --batch 4 --seq 16 --seed 3)
out=$("$B" "${TRAIN[@]}" --steps 20 -o "$ENC" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "15% of positions chosen (80% of them <|mask|>, 10% random, 10% unchanged)" <<<"$out" \
   && grep -q "held-out blanks: .* filled with the hidden token" <<<"$out" && grep -q "val_mask_acc" <<<"$out"; then
    ok "mlm train: 20 steps with BERT's rule, held-out accuracy and the baseline"
else bad "mlm train" "status $rc: $out"; fi
info=$("$B" info "$ENC" 2>&1)
for want in "kind         encoder (file format 2)" "attention    bidirectional" "vocabulary   4097" "kind=mlm" "val_mask_acc="; do
    grep -qF "$want" <<<"$info" && ok "info: $want" || bad "info: $want" "$info"
done
out=$("$B" "${TRAIN[@]}" --resume --steps 30 -o "$ENC" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "steps 20..30" <<<"$out" && grep -q "adamw steps  30" <<<"$("$B" info "$ENC")"; then
    ok "mlm train --resume continues at step 20"
else bad "mlm train --resume" "status $rc: $out"; fi
expect "mlm train -m ENCODER: a fresh schedule" 0 "steps 0..2" "$B" "${TRAIN[@]}" -m "$ENC" --steps 2 -o "$tmp/enc2.llm"

# an encoder from the decoder's weights: its config, its BPE + <|mask|>
out=$("$B" mlm train --from-decoder "$BASE" --data "$tmp/d.txt" --steps 1 --batch 2 --seq 16 --val-batches 1 \
      -o "$tmp/fd.llm" 2>&1); rc=$?
info=$("$B" info "$tmp/fd.llm" 2>&1)
if [ $rc -eq 0 ] && grep -q "^layers       4$" <<<"$info" && grep -q "^vocabulary   4097$" <<<"$info" \
   && grep -q "from_decoder=$BASE" <<<"$info" && grep -q "^kind         encoder" <<<"$info"; then
    ok "mlm train --from-decoder: the decoder's blocks, one more id"
else bad "mlm train --from-decoder" "status $rc: $out $info"; fi
expect "mlm train --from-decoder with a config" 2 "takes the decoder's config" \
    "$B" mlm train --from-decoder "$BASE" --layers 2 -o "$tmp/fd2.llm"
expect "mlm train --from-decoder an encoder" 1 "is an encoder already" \
    "$B" mlm train --from-decoder "$ENC" --data "$tmp/d.txt" -o "$tmp/fd3.llm"

# ---- fill: the encoder's bars beside the decoder's
out=$("$B" mlm fill -m "$ENC" "the cat sat on the [MASK] and the dog" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q '^blank 1, the decoder reads: "the cat sat on the"$' <<<"$out" \
   && grep -q "encoder fills the blank (reads .* tokens)  |    decoder's next token (reads .* tokens)" <<<"$out" \
   && [ "$(grep -c '^ [1-8] .*  |  [1-8] ' <<<"$out")" -eq 8 ]; then
    ok "mlm fill: 8 rows of encoder bars beside the decoder's"
else bad "mlm fill" "status $rc: $out"; fi
out=$("$B" mlm fill -m "$ENC" --rows 3 "[MASK] cat sat on the [MASK] ." 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "2 blanks" <<<"$out" && grep -q '^blank 1, the decoder reads: "" (nothing: a document' <<<"$out" \
   && grep -q "^blank 2, the decoder reads: " <<<"$out" && [ "$(grep -c '^ [1-3] ' <<<"$out")" -eq 6 ]; then
    ok "mlm fill: two blanks, the first at the start"
else bad "mlm fill two blanks" "status $rc: $out"; fi
out=$("$B" mlm fill -m "$ENC" --no-decoder "the [MASK] sat" 2>&1); rc=$?
[ $rc -eq 0 ] && ! grep -q "decoder" <<<"$out" && ok "mlm fill --no-decoder" || bad "mlm fill --no-decoder" "$out"
expect "mlm fill: no [MASK]" 2 "has no \[MASK\]" "$B" mlm fill -m "$ENC" "no blank here"
expect "mlm fill: longer than the context" 2 "the encoder reads at most 16" "$B" mlm fill -m "$ENC" \
    "$(printf 'the cat sat %.0s' $(seq 10)) [MASK]"
expect "mlm fill: an encoder as --decoder" 1 "is an encoder; give a decoder" "$B" mlm fill -m "$ENC" --decoder "$ENC" "a [MASK]"
expect "mlm fill: a missing decoder" 1 "decoder" "$B" mlm fill -m "$ENC" --decoder "$tmp/none.llm" "a [MASK]"

# ---- eval: the same held-out blanks, encoder (both sides) against decoder (left side)
expect "mlm eval --help" 0 "^usage: llmlab mlm eval" "$B" mlm eval --help
expect "mlm eval: --seq beyond the encoder's context" 2 "longer than the encoder's context 16" "$B" mlm eval -m "$ENC"
out=$("$B" mlm eval -m "$ENC" --data "$tmp/d.txt" --batch 2 --seq 16 --val-batches 2 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -Eq "^[0-9]+ held-out blanks \(2 batches of 2 x 16; BERT's rule, seed 1234\)" <<<"$out" \
   && grep -Eq "^encoder .*enc.llm \(both sides\) +[0-9.]+% +[0-9.]+$" <<<"$out" \
   && grep -Eq "^decoder models/base.llm \(left side only\) +[0-9.]+% +[0-9.]+$" <<<"$out" \
   && grep -Eq "^always .* \(the most common token\) +[0-9.]+%$" <<<"$out"; then
    ok "mlm eval: encoder, decoder and the baseline on the same blanks"
else bad "mlm eval" "status $rc: $out"; fi
expect "mlm eval: an encoder as --decoder" 1 "is an encoder; give a decoder" \
    "$B" mlm eval -m "$ENC" --decoder "$ENC" --data "$tmp/d.txt" --seq 16

# ---- the encoder elsewhere: attention without the mask; next-token commands refuse it
# row 0's cells (the first token, "th"): a decoder's show the mask (·) after the first key
row0() { sed -n 's/^  0 th  *\(.*\)  max.*/\1/p' <<<"$1"; }
out=$("$B" attention -m "$ENC" "the cat sat on the mat" 2>&1)
cells=$(row0 "$out")
if grep -q "no mask: an encoder" <<<"$out" && [ -n "$cells" ] && ! grep -q "·" <<<"$cells"; then
    ok "attention: the full matrix, no mask"
else bad "attention of an encoder" "$out"; fi
out=$("$B" attention -m "$BASE" "the cat sat on the mat" 2>&1)
cells=$(row0 "$out")
grep -q "·" <<<"$cells" && ! grep -q "no mask" <<<"$out" && ok "attention of the decoder: still the causal mask" || bad "decoder attention" "$out"
# the TUI's attention panel (drawn headless by --text): in projector mode every cell
# carries its weight, so row 0 of the 6-token prompt shows 6 numbers for an encoder, 1 for a decoder
panel_row0() {
    "$B" attention -m "$1" --text - --projector --size 100x30 "the cat sat on" 2>&1 |
        awk '$1 == "0" && $2 !~ /^[0-9]+$/ { n = 0; for (i = 3; i <= NF; i++) n += $i ~ /^[0-9]+$/; print n; exit }'
}
out=$("$B" attention -m "$ENC" --text - --projector --size 100x30 "the cat sat on" 2>&1)
if [ "$(panel_row0 "$ENC")" = 6 ] && grep -q "no mask: an encoder" <<<"$out" && [ "$(panel_row0 "$BASE")" = 1 ]; then
    ok "the attention panel: an encoder's weights above the diagonal, the decoder's mask"
else bad "the attention panel" "encoder row 0: $(panel_row0 "$ENC") numbers, decoder's: $(panel_row0 "$BASE"); $out"; fi
for c in next score lens; do
    expect "$c refuses an encoder" 1 "llmlab $c: .* is an encoder: it fills blanks" "$B" "$c" -m "$ENC" "the cat"
done
expect "generate refuses an encoder" 1 "encoder .bidirectional attention" "$B" generate -m "$ENC" -n 3 "the cat"
expect "train (next-token) refuses an encoder" 1 "needs a decoder" \
    "$B" train -m "$ENC" --data "$tmp/d.txt" --steps 1 --seq 8 -o "$tmp/x.llm"

echo "$((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
