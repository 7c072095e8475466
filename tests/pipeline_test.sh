#!/usr/bin/env bash
# pipeline_test.sh - trains a tiny base/instruct pair end to end with the real
# binary, in a temp dir, never touching models/:
#   bpe-train -> train (stopped by Ctrl-C, then --resume) -> sft (--show-mask too) -> eval
# Checks that losses fall, checkpoints resume, the SFT mask covers only the
# assistant's reply, and eval prints its table. About a minute on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
LLMLAB="${LLMLAB:-./llmlab}"
PY=/usr/bin/python3
dir=$(mktemp -d /tmp/llmlab-pipeline.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

models_before=$(find models -type f -exec sha256sum {} + 2>/dev/null | sort || true)

# 1. a small generated corpus, SFT set and eval set (fixed seed)
"$PY" - "$dir" <<'PYEOF'
import json, random, sys
d = sys.argv[1]
rng = random.Random(7)
names = ["Ada Lovelace", "Alan Turing", "Marie Curie", "Isaac Newton", "Albert Einstein",
         "Grace Hopper", "Niels Bohr", "Rosalind Franklin", "Carl Gauss", "Emmy Noether"]
years = [1815, 1912, 1867, 1643, 1879, 1906, 1885, 1920, 1777, 1882]
docs = []
for _ in range(300):
    i = rng.randrange(len(names))
    n, y = names[i], years[i]
    kind = rng.randrange(3)
    if kind == 0:
        docs.append(f"{n} was born in {y}. {n} is remembered as a great scientist.")
    elif kind == 1:
        qs = rng.sample(names, 4)
        docs.append("Quiz sheet\n" + "\n".join(f"{k+1}. When was {q} born?" for k, q in enumerate(qs)))
    else:
        docs.append(f"User question: When was {n} born?\nYour answer: {n} was born in {y}.")
open(f"{d}/train.txt", "w").write("\n<|endoftext|>\n".join(docs) + "\n")
open(f"{d}/val.txt", "w").write("\n<|endoftext|>\n".join(docs[:40]) + "\n")
with open(f"{d}/sft.jsonl", "w") as f:
    for _ in range(200):
        i = rng.randrange(len(names))
        f.write(json.dumps({"messages": [{"role": "user", "content": f"When was {names[i]} born?"},
                                         {"role": "assistant", "content": f"{names[i]} was born in {years[i]}."}]}) + "\n")
with open(f"{d}/eval.jsonl", "w") as f:
    for i in range(4):
        f.write(json.dumps({"kind": "fact_qa", "question": f"In which year was {names[i]} born?", "answers": [str(years[i])]}) + "\n")
        f.write(json.dumps({"kind": "bare_question", "question": f"When was {names[i]} born?", "answers": [str(years[i])]}) + "\n")
        f.write(json.dumps({"kind": "few_shot", "question": f"When was {names[i]} born?", "answers": [str(years[i])]}) + "\n")
    f.write(json.dumps({"kind": "unknown", "question": "When was Zorblax Quint born?"}) + "\n")
    f.write(json.dumps({"kind": "letters", "question": "How many r are in strawberry?", "answer": "3"}) + "\n")
PYEOF

# 2. tokeniser (with the chat specials)
"$LLMLAB" bpe-train --vocab 400 -o "$dir/tok.bin" "$dir/train.txt" >"$dir/bpe.log" 2>&1 \
    || { cat "$dir/bpe.log"; fail "bpe-train"; }

# 3. pretraining: a long run stopped by Ctrl-C (SIGINT) after its first
#    checkpoint, then --resume to step 160
common=(--layers 2 --heads 2 --width 64 --mlp 256 --ctx 64)
"$LLMLAB" train --tokenizer "$dir/tok.bin" "${common[@]}" --data "$dir/train.txt" --val "$dir/val.txt" \
    --steps 100000 --batch 8 --seq 64 --lr 3e-3 --warmup 10 --save-every 20 --eval-every 20 \
    -o "$dir/base.llm" >"$dir/train1.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do [ -s "$dir/base.llm" ] && break; sleep 0.1; done
[ -s "$dir/base.llm" ] || { kill $pid; cat "$dir/train1.log"; fail "no checkpoint after 60 s"; }
kill -INT $pid
st=0; wait $pid || st=$?
[ $st -eq 130 ] || { cat "$dir/train1.log"; fail "train after Ctrl-C should exit 130 (saved), got $st"; }
grep -q "interrupted after step" "$dir/train1.log" || { cat "$dir/train1.log"; fail "no interruption message"; }
stopped=$("$LLMLAB" info "$dir/base.llm" | sed -n 's/^ *step=//p')
[ -n "$stopped" ] && [ "$stopped" -ge 20 ] && [ "$stopped" -lt 160 ] || fail "checkpoint step '$stopped'"
[ -s "$dir/base.llm.opt" ] || fail "no optimizer state next to the checkpoint"
"$LLMLAB" train --resume -o "$dir/base.llm" --steps 160 >"$dir/train2.log" 2>&1 \
    || { cat "$dir/train2.log"; fail "train --resume"; }
grep -q "steps $stopped..160" "$dir/train2.log" || { cat "$dir/train2.log"; fail "resume did not continue at step $stopped"; }
"$LLMLAB" info "$dir/base.llm" | grep -q "step=160" || fail "base.llm does not record step 160"
# resuming a finished run does nothing and leaves the file alone
sum_before=$(sha256sum "$dir/base.llm" "$dir/base.llm.opt")
"$LLMLAB" train --resume -o "$dir/base.llm" >"$dir/train3.log" 2>&1 || { cat "$dir/train3.log"; fail "train --resume on a finished run"; }
grep -q "nothing to do: $dir/base.llm is already at step 160 of 160" "$dir/train3.log" || { cat "$dir/train3.log"; fail "no 'nothing to do'"; }
[ "$sum_before" = "$(sha256sum "$dir/base.llm" "$dir/base.llm.opt")" ] || fail "a finished run's checkpoint was rewritten"
"$PY" - "$dir/train1.log" "$dir/train2.log" <<'PYEOF' || fail "pretraining loss did not fall"
import re, sys, math
# an untrained model scores about ln(400) = 6.0 nats; the tiny corpus is easy
last = re.search(r"val loss ([0-9.]+)", open(sys.argv[2]).read().splitlines()[-1])
v = float(last.group(1))
print("final val loss", v, "vs uniform", math.log(400))
assert v < math.log(400) - 3.0, v
PYEOF

# 4. SFT: the mask shows only the reply, then 80 steps
"$LLMLAB" sft -m "$dir/base.llm" --data "$dir/sft.jsonl" --show-mask >"$dir/mask.txt" 2>&1 \
    || { cat "$dir/mask.txt"; fail "sft --show-mask"; }
grep -q '<|assistant|>\[.* was born in [0-9]*\.<|end|>\]' "$dir/mask.txt" || { cat "$dir/mask.txt"; fail "mask marks"; }
grep -q '\[.*<|user|>' "$dir/mask.txt" && fail "the user turn is marked as trained"
"$LLMLAB" sft -m "$dir/base.llm" --data "$dir/sft.jsonl" --steps 80 --batch 8 --seq 64 --lr 2e-3 \
    --eval-every 40 -o "$dir/instruct.llm" >"$dir/sft.log" 2>&1 || { cat "$dir/sft.log"; fail "sft"; }
grep -q "kind=sft" <("$LLMLAB" info "$dir/instruct.llm") || fail "instruct.llm metadata"
"$PY" - "$dir/sft.log" <<'PYEOF' || fail "SFT loss did not fall"
import re, sys
losses = [float(m.group(1)) for m in re.finditer(r"step \d+/\d+ loss ([0-9.]+)", open(sys.argv[1]).read())]
print("sft losses", losses[0], "->", losses[-1])
assert losses[-1] < losses[0] * 0.6, losses
PYEOF

# 5. eval: both models, the table has every row, each beside its baseline
#    (replies of 16 tokens: the context is 64)
for m in base instruct; do
    "$LLMLAB" eval "$dir/$m.llm" --val "$dir/val.txt" --evalset "$dir/eval.jsonl" --max-new 16 >"$dir/eval_$m.txt" 2>&1 \
        || { cat "$dir/eval_$m.txt"; fail "eval $m"; }
    for row in val_loss perplexity bits_per_byte fact_qa known_refused bare_continues few_shot_0 few_shot_3 idk_rate letters; do
        grep -q "^$row .* baseline=" "$dir/eval_$m.txt" || { cat "$dir/eval_$m.txt"; fail "eval $m: no row $row"; }
    done
    awk '$1 == "fact_qa" && $3 == 4 { found = 1 } END { exit !found }' "$dir/eval_$m.txt" \
        || { cat "$dir/eval_$m.txt"; fail "eval $m: fact_qa did not judge its 4 items"; }
done
cat "$dir/eval_instruct.txt"
# a name picks one evaluation; an unknown name is a usage error
"$LLMLAB" eval "$dir/instruct.llm" --evalset "$dir/eval.jsonl" fact_qa | grep -q "^fact_qa " || fail "eval fact_qa"
set +e
"$LLMLAB" eval "$dir/instruct.llm" nonsense >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown evaluation name should exit 2"
set -e

# the default data files are found next to the binary, from any folder
if [ -r data/corpus/val.txt ] && [ -r data/gen/eval.jsonl ]; then
    bin=$(cd "$(dirname "$LLMLAB")" && pwd)/$(basename "$LLMLAB")
    (cd "$dir" && "$bin" eval "$dir/base.llm" val letters --val-batches 1 --batch 2 --seq 32 --limit 1) \
        >"$dir/eval_cwd.txt" 2>&1 || { cat "$dir/eval_cwd.txt"; fail "eval from another folder"; }
    grep -q "^val_loss " "$dir/eval_cwd.txt" && grep -q "^letters " "$dir/eval_cwd.txt" \
        || { cat "$dir/eval_cwd.txt"; fail "eval from another folder: default data not found"; }
else
    echo "note: data/corpus/val.txt or data/gen/eval.jsonl missing; default-path check skipped"
fi

models_after=$(find models -type f -exec sha256sum {} + 2>/dev/null | sort || true)
[ "$models_before" = "$models_after" ] || fail "models/ changed"
echo "pipeline ok"
