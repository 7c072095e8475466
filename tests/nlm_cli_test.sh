#!/usr/bin/env bash
# nlm_cli_test.sh - the feed-forward and recurrent LMs' commands through the
# real binary: --help everywhere; usage errors; a tiny GRU and FFLM trained,
# resumed (steps continue, a finished run does nothing, model options are
# refused with --resume, another kind's checkpoint is refused); Ctrl-C saves
# and exits 130; grad-norms, generate (the same seed, the same text) and
# fflm window on what was trained; a file that is not a model, or a model of
# the wrong kind, refused with a message and never a crash.
set -u
cd "$(dirname "$0")/.."
BAD_BYTES=2000
. tests/cli_lib.sh   # B, tmp, n, fails, ok, bad, expect_grep
B=$(realpath "$B")
# expect NAME STATUS PATTERN command...: the exit status and a pattern in stdout+stderr
expect() {
    local name=$1 want=$2 pat=$3; shift 3
    local out rc=0
    out=$("$@" 2>&1) || rc=$?
    if [ "$rc" -eq "$want" ] && grep -qE -- "$pat" <<<"$out"; then ok "$name"
    else bad "$name (status $rc, want $want; pattern '$pat')" "$out"; fi
}

for i in $(seq 300); do echo "the cat sat on the mat and the dog sat on the log."; done >"$tmp/d.txt"

# --- help and usage
expect "fflm --help" 0 "fflm train" "$B" fflm --help
expect "fflm train --help" 0 "--context N" "$B" fflm train --help
expect "fflm window --help" 0 "only the last N" "$B" fflm window --help
expect "rnn --help" 0 "rnn grad-norms" "$B" rnn --help
expect "rnn train --help" 0 "--cell elman\|gru" "$B" rnn train --help
expect "rnn grad-norms --help" 0 "log scale" "$B" rnn grad-norms --help
expect "rnn generate --help" 0 "same seed" "$B" rnn generate --help
expect "help rnn" 0 "recurrent" "$B" help rnn
expect "rnn with no action" 2 "usage: llmlab rnn" "$B" rnn
expect "an unknown action" 2 "unknown action 'fly'" "$B" fflm fly
expect "an unknown cell" 2 "--cell is elman or gru" "$B" rnn train --cell lstm -o "$tmp/x.llm"
expect "a bad option names itself" 2 "--hiden" "$B" rnn train --hiden 3 -o "$tmp/x.llm"
expect "no -o" 2 "-o OUT is required" "$B" fflm train --data "$tmp/d.txt"
expect "a context too long" 2 "--context" "$B" fflm train --context 100 -o "$tmp/x.llm"

# --- train a tiny GRU, resume it, finish it
G=(rnn train -t char --cell gru --embed 4 --hidden 8 --data "$tmp/d.txt" --batch 2 --seq 8 --lr 1e-2)
expect "rnn train: a tiny GRU" 0 "rnn train: step 6, train loss" "$B" "${G[@]}" --steps 6 -o "$tmp/g.llm"
[ -s "$tmp/g.llm" ] && [ -s "$tmp/g.llm.opt" ] && ok "the model and its AdamW state are written" || bad "g.llm and g.llm.opt"
expect "the header names the model and the hold-out" 0 "recurrent LM \(GRU\): embedding 4, hidden 8.*the last 5%" \
    "$B" "${G[@]}" --steps 6 -o "$tmp/g0.llm"
expect "--resume continues at the step it stopped" 0 "steps 6\.\.10" "$B" rnn train --resume --steps 10 -o "$tmp/g.llm"
sum=$(sha256sum "$tmp/g.llm" "$tmp/g.llm.opt")
expect "a finished run does nothing" 0 "nothing to do: .* already at step 10 of 10" "$B" rnn train --resume -o "$tmp/g.llm"
[ "$sum" = "$(sha256sum "$tmp/g.llm" "$tmp/g.llm.opt")" ] && ok "and leaves the files alone" || bad "a finished run rewrote its files"
expect "--resume refuses model options" 2 "--hidden is fixed by the checkpoint" "$B" rnn train --resume --hidden 16 --steps 12 -o "$tmp/g.llm"
expect "fflm train --resume refuses an rnn checkpoint" 1 "is a rnn model, not fflm" "$B" fflm train --resume --steps 12 -o "$tmp/g.llm"
expect "--resume of a missing file" 1 "cannot load" "$B" rnn train --resume -o "$tmp/none.llm"
expect "--data that does not exist" 1 "nosuch" "$B" "${G[@]}" --steps 2 --data "$tmp/nosuch.txt" -o "$tmp/y.llm"

# --- Ctrl-C: finish the step, save, exit 130 (polls for the first checkpoint; no fixed sleep)
"$B" "${G[@]}" --steps 1000000 --save-every 5 -o "$tmp/c.llm" >"$tmp/c.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do [ -s "$tmp/c.llm" ] && break; sleep 0.1; done
kill -INT $pid; st=0; wait $pid || st=$?
if [ $st -eq 130 ] && grep -q "interrupted after step" "$tmp/c.log"; then ok "Ctrl-C saves and exits 130"
else bad "Ctrl-C (status $st)" "$(tail -5 "$tmp/c.log")"; fi
stopped=$(sed -n 's/^interrupted after step \([0-9]*\) .*/\1/p' "$tmp/c.log")
expect "and the run resumes from there" 0 "steps $stopped\.\.$((stopped + 2)), batch" \
    "$B" rnn train --resume --steps $((stopped + 2)) -o "$tmp/c.llm"

# --- a tiny FFLM
F=(fflm train -t char --context 3 --embed 4 --hidden 8 --direct --data "$tmp/d.txt" --batch 2 --seq 8 --lr 1e-2)
expect "fflm train: a tiny FFLM with direct connections" 0 "feed-forward LM: context 3 tokens.*direct connections" \
    "$B" "${F[@]}" --steps 5 -o "$tmp/f.llm"
expect "fflm window: the same last 3 tokens, the same prediction" 0 "A and B end in the same 3 tokens" \
    "$B" fflm window -m "$tmp/f.llm" "a dog sat" "the cat sat"
expect "fflm window: a token inside the window differs" 0 "A and B differ inside the window" \
    "$B" fflm window -m "$tmp/f.llm" "a dog sat" "the cat set"
expect "fflm window: a short text is padded" 0 "\[\(pad\)\] \[\(pad\)\] \[a\]" "$B" fflm window -m "$tmp/f.llm" "a"
expect "fflm window on an rnn model" 1 "not a feed-forward LM" "$B" fflm window -m "$tmp/g.llm" "a"

# --- grad-norms and generate
expect "grad-norms on the GRU" 0 "k  token read" "$B" rnn grad-norms -m "$tmp/g.llm" "the cat sat on the mat"
expect "grad-norms: fresh Elman and GRU" 0 "elman \(fresh, seed 1\)" "$B" rnn grad-norms --fresh --hidden 8 --embed 4
expect "grad-norms of an FFLM is refused" 1 "need a recurrent LM" "$B" rnn grad-norms -m "$tmp/f.llm"
head -c 5000 /dev/urandom >"$tmp/junk.llm"
expect "grad-norms of a file that is not a model" 1 "junk.llm" "$B" rnn grad-norms -m "$tmp/junk.llm"
expect "grad-norms of a missing file" 1 "missing.llm" "$B" rnn grad-norms -m "$tmp/missing.llm"
a=$("$B" rnn generate -m "$tmp/g.llm" -m "$tmp/f.llm" -n 12 --seed 7 "the cat" 2>&1); ra=$?
b=$("$B" rnn generate -m "$tmp/g.llm" -m "$tmp/f.llm" -n 12 --seed 7 "the cat" 2>&1)
if [ $ra -eq 0 ] && [ "$a" = "$b" ] && grep -q "recurrent LM (GRU)" <<<"$a" && grep -q "feed-forward LM" <<<"$a"; then
    ok "generate: each model continues the prompt, the same seed the same text"
else bad "generate" "$a"; fi
expect "generate of a file that is not a model" 1 "junk.llm" "$B" rnn generate -m "$tmp/junk.llm" "x"

echo "$((n - fails)) of $n passed"
[ "$fails" -eq 0 ]
