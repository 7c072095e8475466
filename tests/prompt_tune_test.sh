#!/usr/bin/env bash
# `llmlab prompt-tune` as a user runs it, on the shipped base model and a
# small task made here: --help everywhere, a short training run that prints
# the frozen weights' CRC before and after (equal), --resume, eval's rows
# and baseline, generate and near with the soft prompt, and the messages for
# bad input (a task file that is not one, a soft prompt for another model, a
# transformer given as a soft prompt, a damaged soft prompt).
set -u
cd "$(dirname "$0")/.."
BAD_LINES=30
. tests/cli_lib.sh   # B, tmp, n, fails, ok, bad, expect_grep
M=models/base.llm
# expect_fail NAME STATUS REGEX CMD...: that exit status, stderr matches REGEX
expect_fail() {
    local name=$1 want=$2 re=$3; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ $rc -eq "$want" ] && grep -Eq -- "$re" "$tmp/err"; then ok "$name"; else bad "$name" "status $rc, err: $(cat "$tmp/err")"; fi
}

for s in "" train eval generate near; do
    expect_grep "help: prompt-tune $s" "usage: llmlab prompt-tune" "$B" prompt-tune $s --help
done
expect_fail "no sub-command" 2 "usage: llmlab prompt-tune" "$B" prompt-tune
expect_fail "unknown sub-command" 2 "unknown sub-command 'tune'" "$B" prompt-tune tune

# a task of 40 items (2 held out)
{
    echo '{"task": "colour", "instruction": "Name the colour.", "separator": " //"}'
    for i in $(seq 1 40); do
        if [ $((i % 2)) -eq 0 ]; then echo "{\"input\": \"The sky on day $i\", \"answer\": \"blue\"}"
        else echo "{\"input\": \"The grass on day $i\", \"answer\": \"green\"}"; fi
    done
} >"$tmp/task.jsonl"

out=$("$B" prompt-tune train -m $M --task "$tmp/task.jsonl" --tokens 4 --steps 3 --batch 4 --eval-every 3 \
      -o "$tmp/sp.llm" 2>&1); rc=$?
crc_before=$(printf '%s\n' "$out" | sed -n 's/^frozen model before: .* CRC \([0-9a-f]*\)$/\1/p')
crc_after=$(printf '%s\n' "$out" | sed -n 's/^frozen model after : .* CRC \([0-9a-f]*\)$/\1/p')
if [ $rc -eq 0 ] && [ -n "$crc_before" ] && [ "$crc_before" = "$crc_after" ] &&
   printf '%s' "$out" | grep -q "the frozen weights are unchanged (CRC $crc_before before and after)" &&
   printf '%s' "$out" | grep -q "4 soft vectors x 256 = 1024 trainable numbers" &&
   printf '%s' "$out" | grep -q "task colour: 38 training items, 2 held out" &&
   printf '%s' "$out" | grep -Eq "val_loss [0-9.]+ accuracy [0-9.]+" && [ -f "$tmp/sp.llm" ] && [ -f "$tmp/sp.llm.opt" ]
then ok "train: 3 steps, frozen CRC before = after"; else bad "train" "$out"; fi
expect_grep "info names the kind" "kind +softprompt" "$B" info "$tmp/sp.llm"
expect_grep "resume continues the schedule" "step 5, train loss" \
    "$B" prompt-tune train --resume -o "$tmp/sp.llm" --steps 5
expect_grep "resume: nothing to do at the end" "nothing to do" "$B" prompt-tune train --resume -o "$tmp/sp.llm" --steps 5

out=$("$B" prompt-tune eval -m $M -p "$tmp/sp.llm" --task "$tmp/task.jsonl" --show 1 2>&1); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$out" | grep -q "task colour: 2 held-out items" &&
   printf '%s' "$out" | grep -Eq '^always "(blue|green)" +[0-9]+/2 ' &&
   printf '%s' "$out" | grep -Eq '^zero-shot +[0-2]/2 ' && printf '%s' "$out" | grep -Eq '^3-shot +[0-2]/2 ' &&
   printf '%s' "$out" | grep -Eq '^soft prompt \(4 vectors\) +[0-2]/2 ' &&
   printf '%s' "$out" | grep -q "\[soft prompt\] item 1" && printf '%s' "$out" | grep -q "frozen model: $M"
then ok "eval: baseline, zero-shot, 3-shot, soft prompt rows"; else bad "eval" "$out"; fi
expect_grep "eval without a soft prompt" "^3-shot" "$B" prompt-tune eval -m $M --task "$tmp/task.jsonl"
expect_grep "generate with the soft prompt" "^\[4 soft vectors\] The sky on day 9 //" \
    "$B" prompt-tune generate -m $M -p "$tmp/sp.llm" -n 3 "The sky on day 9 //"
expect_grep "near lists a row per vector" "^ +3 +[0-9.]+ " "$B" prompt-tune near -m $M -p "$tmp/sp.llm" -k 2

# bad input
printf '{"input": "x", "answer": "y"}\n' >"$tmp/bad.jsonl"
expect_fail "a task file without its task line" 1 "bad.jsonl:1: the first line must name the task" \
    "$B" prompt-tune eval -m $M --task "$tmp/bad.jsonl"
expect_fail "train: missing --task" 2 "--task FILE is required" "$B" prompt-tune train -m $M -o "$tmp/x.llm"
expect_fail "train: --seq does not apply" 2 "--seq does not apply" \
    "$B" prompt-tune train -m $M --task "$tmp/task.jsonl" --seq 32 -o "$tmp/x.llm"
expect_fail "train: too many vectors" 2 "--tokens" "$B" prompt-tune train -m $M --task "$tmp/task.jsonl" --tokens 65 -o "$tmp/x.llm"
expect_fail "a soft prompt for another model" 1 "does not belong to models/instruct.llm: .*CRC" \
    "$B" prompt-tune near -m models/instruct.llm -p "$tmp/sp.llm"
expect_fail "a transformer is no soft prompt" 1 "is a gpt model, not a soft prompt" \
    "$B" prompt-tune generate -m $M -p $M "hi"
head -c 300 "$tmp/sp.llm" >"$tmp/cut.llm"
expect_fail "a damaged soft prompt" 1 "cannot load soft prompt" "$B" prompt-tune near -m $M -p "$tmp/cut.llm"
expect_fail "a soft prompt as the model" 1 "softprompt" "$B" generate -m "$tmp/sp.llm" hi

echo "$((n - fails)) of $n passed"
[ $fails -eq 0 ]
