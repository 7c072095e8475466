#!/usr/bin/env bash
# make_models.sh - `make models`: remakes models/base.llm, models/instruct.llm and
# models/word2vec.llm from scratch with a fixed seed (and models/softprompt.llm,
# the soft prompt that belongs to that base), and writes $WORK/report.md with
# the figures.
#   data -> bpe-train (8192 ids, digits split, chat and tool specials) -> train base -> sft
#   instruct -> prompt-tune a soft prompt on base -> eval both -> models/
# Sized for about 3 hours on 2 cores (base about 2.3 h at 4k tokens/s); every size is an environment variable so
# a smoke run can shrink it (SMOKE=1 gives a ~2 minute run into $OUT).
# RESUME=1 skips the stages that finished and continues an interrupted training
# from its last checkpoint (Ctrl-C or a killed run loses at most 100 steps).
set -euo pipefail
cd "$(dirname "$0")/.."
LLMLAB="${LLMLAB:-./llmlab}"
PY=/usr/bin/python3
OUT="${OUT:-models}"
WORK="${WORK:-build/models-work}"
SEED="${SEED:-1234}"
VOCAB="${VOCAB:-8192}"; PATTERN="${PATTERN:-digits}"
LAYERS="${LAYERS:-4}"; HEADS="${HEADS:-4}"; WIDTH="${WIDTH:-256}"; MLP="${MLP:-1024}"; CTX="${CTX:-256}"
BATCH="${BATCH:-16}"; SEQ="${SEQ:-$CTX}"
BASE_STEPS="${BASE_STEPS:-8000}"; BASE_LR="${BASE_LR:-1e-3}"
SFT_STEPS="${SFT_STEPS:-1000}"; SFT_LR="${SFT_LR:-3e-4}"
PT_STEPS="${PT_STEPS:-300}"
BPE_BYTES="${BPE_BYTES:-0}"   # 0 = train the BPE on the whole corpus
W2V_STEPS="${W2V_STEPS:-40000}"
if [ "${SMOKE:-0}" = 1 ]; then
    OUT="${OUT_SMOKE:-build/models-smoke}"; WORK="$OUT/work"
    VOCAB=1024; LAYERS=2; HEADS=2; WIDTH=64; MLP=256; CTX=64; SEQ=64; BATCH=8
    BASE_STEPS=150; SFT_STEPS=60; BPE_BYTES=2000000; W2V_STEPS=400; PT_STEPS=20
fi
mkdir -p "$OUT" "$WORK"
t_start=$SECONDS
# RESUME=1: stages that finished (a marker in $WORK) are skipped, an
# interrupted training continues from its last checkpoint. Without it,
# everything starts afresh.
[ "${RESUME:-0}" = 1 ] || rm -f "$WORK"/*.done
done_stage() { [ -e "$WORK/$1.done" ]; }
mark() { touch "$WORK/$1.done"; }
log() { echo "== $* ($((SECONDS - t_start)) s)"; }

# 1. data (checksummed fetch + generated documents, fixed seed)
log "data"
[ -s data/corpus/train.txt ] && [ -s data/gen/eval.jsonl ] && [ "${REGEN_DATA:-0}" = 0 ] || {
    bash scripts/fetch_corpus.sh
    "$PY" scripts/gen_data.py --seed "$SEED" --out data
}

# 2. tokeniser
log "bpe-train ($VOCAB ids)"
bpe_in=data/corpus/train.txt
if [ "$BPE_BYTES" -gt 0 ]; then head -c "$BPE_BYTES" data/corpus/train.txt >"$WORK/bpe_in.txt"; bpe_in="$WORK/bpe_in.txt"; fi
done_stage tokenizer ||
    { "$LLMLAB" bpe-train --vocab "$VOCAB" --pattern "$PATTERN" -o "$WORK/tokenizer.bin" "$bpe_in" && mark tokenizer; }

# 3. base model
log "train base: $LAYERS layers x $WIDTH, $HEADS heads, MLP $MLP, ctx $CTX; $BASE_STEPS steps of $BATCH x $SEQ"
t0=$SECONDS
if done_stage base; then
    echo "(base: done before, kept)"
elif [ "${RESUME:-0}" = 1 ] && [ -s "$WORK/base.llm" ]; then
    # continue an interrupted run (Ctrl-C saves a checkpoint); --steps may change the total
    "$LLMLAB" train --resume --steps "$BASE_STEPS" -o "$WORK/base.llm" | tee -a "$WORK/train.log" | grep -v '^step '
else
rm -f "$WORK/base.llm" "$WORK/base.llm.opt"
"$LLMLAB" train --tokenizer "$WORK/tokenizer.bin" --layers "$LAYERS" --heads "$HEADS" --width "$WIDTH" \
    --mlp "$MLP" --ctx "$CTX" --data data/corpus/train.txt --val data/corpus/val.txt \
    --steps "$BASE_STEPS" --batch "$BATCH" --seq "$SEQ" --lr "$BASE_LR" --seed "$SEED" \
    --save-every 100 --eval-every 250 -o "$WORK/base.llm" | tee "$WORK/train.log" | grep -v '^step '
fi
mark base
t_base=$((SECONDS - t0))

# 4. instruct model
log "sft instruct: $SFT_STEPS steps"
t0=$SECONDS
if done_stage instruct; then
    echo "(instruct: done before, kept)"
elif [ "${RESUME:-0}" = 1 ] && [ -s "$WORK/instruct.llm" ]; then
    "$LLMLAB" sft --resume --steps "$SFT_STEPS" -o "$WORK/instruct.llm" | tee -a "$WORK/sft.log" | grep -v '^step '
else
rm -f "$WORK/instruct.llm" "$WORK/instruct.llm.opt"
"$LLMLAB" sft -m "$WORK/base.llm" --data data/gen/sft_train.jsonl --val data/gen/sft_val.jsonl \
    --steps "$SFT_STEPS" --batch "$BATCH" --seq "$SEQ" --lr "$SFT_LR" --seed "$SEED" \
    --save-every 100 --eval-every 250 -o "$WORK/instruct.llm" | tee "$WORK/sft.log" | grep -v '^step '
fi
mark instruct
t_sft=$((SECONDS - t0))

# 4b. word vectors (lesson 14): skip-gram with negative sampling on the corpus's words
log "word2vec: $W2V_STEPS steps of 1024 pairs"
t0=$SECONDS
rm -f "$WORK/word2vec.llm"
"$LLMLAB" word2vec train --data data/corpus/train.txt --val data/corpus/val.txt --steps "$W2V_STEPS" \
    --seed "$SEED" --eval-every 4000 -o "$WORK/word2vec.llm" | tee "$WORK/word2vec.log" | grep -v '^step '
t_w2v=$((SECONDS - t0))
# 4c. the soft prompt of lessons/16 (prompt tuning): it belongs to this very base (it records its CRC)
log "prompt-tune: soft prompt for base, $PT_STEPS steps"
t0=$SECONDS
[ -s data/gen/sentiment.jsonl ] || "$PY" scripts/task_sentiment.py --seed "$SEED" --out data/gen/sentiment.jsonl
rm -f "$WORK/softprompt.llm" "$WORK/softprompt.llm.opt"
"$LLMLAB" prompt-tune train -m "$WORK/base.llm" --task data/gen/sentiment.jsonl --steps "$PT_STEPS" --seed "$SEED" \
    -o "$WORK/softprompt.llm" | tee "$WORK/prompt_tune.log" | grep -v '^step '
t_pt=$((SECONDS - t0))

# 5. evaluations
log "eval"
"$LLMLAB" eval "$WORK/base.llm" | tee "$WORK/eval_base.txt"
"$LLMLAB" eval "$WORK/instruct.llm" | tee "$WORK/eval_instruct.txt"

# 6. install and describe
cp "$WORK/base.llm" "$OUT/base.llm.tmp" && mv "$OUT/base.llm.tmp" "$OUT/base.llm"
cp "$WORK/instruct.llm" "$OUT/instruct.llm.tmp" && mv "$OUT/instruct.llm.tmp" "$OUT/instruct.llm"
cp "$WORK/word2vec.llm" "$OUT/word2vec.llm.tmp" && mv "$OUT/word2vec.llm.tmp" "$OUT/word2vec.llm"
cp "$WORK/softprompt.llm" "$OUT/softprompt.llm.tmp" && mv "$OUT/softprompt.llm.tmp" "$OUT/softprompt.llm"
size_base=$(stat -c %s "$OUT/base.llm"); size_inst=$(stat -c %s "$OUT/instruct.llm")
[ "$size_base" -le 25000000 ] && [ "$size_inst" -le 25000000 ] || echo "WARNING: a model file exceeds 25 MB" >&2
meta() { "$LLMLAB" info "$1" | sed -n "s/^ *$2=//p" | tail -1; }
fwd_ms="(not measured)"; step_ms="(not measured)"
if [ -x build/tools/model_bench ]; then
    # on the shipped model itself, 2 threads, passive OpenMP waiting (as llmlab runs)
    fwd_ms=$(GOMP_SPINCOUNT=10000 build/tools/model_bench forward 2 "$OUT/base.llm" 64 | sed -n 's/.*p50_ms=\([0-9.]*\).*/\1 ms/p')
    step_ms=$(GOMP_SPINCOUNT=10000 build/tools/model_bench step 2 "$OUT/base.llm" "$BATCH" "$SEQ" | sed -n 's/.*p50_ms=\([0-9.]*\).*/\1 ms/p')
fi
wall=$((SECONDS - t_start))
{
cat <<MD
# The shipped models

Made by \`make models\` (scripts/make_models.sh) from scratch with seed $SEED on
$(nproc) cores in $((wall / 60)) min $((wall % 60)) s ($(date -u +%Y-%m-%d)).

| | base.llm | instruct.llm |
|---|---|---|
| what | pretrained on the corpus | base + SFT on chat conversations |
| steps | $BASE_STEPS ($t_base s) | $SFT_STEPS ($t_sft s) |
| batch | $BATCH x $SEQ tokens | $BATCH x $SEQ tokens (packed conversations, loss on assistant tokens) |
| peak LR | $BASE_LR (cosine to 1/10) | $SFT_LR |
| final train loss | $(meta "$OUT/base.llm" train_loss) | $(meta "$OUT/instruct.llm" train_loss) |
| final val loss | $(meta "$OUT/base.llm" val_loss) | $(meta "$OUT/instruct.llm" val_loss) |
| file size | $size_base bytes | $size_inst bytes |

Config: $LAYERS layers, width $WIDTH, $HEADS heads, MLP $MLP, context $CTX,
learned positions, GELU, $( "$LLMLAB" info "$OUT/base.llm" | sed -n 's/^parameters *//p').

Tokeniser: byte-level BPE with $VOCAB ids (GPT-4 pre-tokenisation pattern),
trained here on data/corpus/train.txt, with the chat specials
<|endoftext|>, <|system|>, <|user|>, <|assistant|>, <|end|>.

Data: data/corpus/train.txt and val.txt (scripts/fetch_corpus.sh: KJV Bible,
Austen, State of the Union addresses, checksummed; plus documents generated by
scripts/gen_data.py --seed $SEED), SFT from data/gen/sft_train.jsonl,
evaluations from data/gen/eval.jsonl (phrasings not in the SFT data).

Speed (median, 2 threads, \`build/tools/model_bench forward|step 2 MODEL ...\`):
a forward pass over 64 tokens with every attention map kept takes $fwd_ms;
a training step of $BATCH x $SEQ tokens (forward, backward, clip, AdamW) $step_ms.

## Evaluations (\`llmlab eval MODEL\`)

base.llm:

\`\`\`
$(cat "$WORK/eval_base.txt")
\`\`\`

instruct.llm:

\`\`\`
$(cat "$WORK/eval_instruct.txt")
\`\`\`

Rows: val_loss/perplexity on data/corpus/val.txt; fact_qa, idk_rate and letters
in chat mode; bare_continues (share of bare questions the model continues like a
document) and few_shot_0/3 in base mode. See src/core/eval/evals.h for the rules.

## word2vec.llm

Word vectors for lesson 14 (\`llmlab word2vec\`): skip-gram with negative
sampling on the words of data/corpus/train.txt, made by \`llmlab word2vec train
--data data/corpus/train.txt --val data/corpus/val.txt --steps $W2V_STEPS --seed
$SEED --eval-every 4000 -o models/word2vec.llm\` in $t_w2v s:
$("$LLMLAB" info "$OUT/word2vec.llm" | sed -n 's/^ *words=//p') words x 64 numbers, window 5, 5 negatives, SGD from lr 0.025
falling linearly; final val loss $(meta "$OUT/word2vec.llm" val_loss) (SGNS loss per pair on fixed
held-out pairs of val.txt); $(stat -c %s "$OUT/word2vec.llm") bytes.
## softprompt.llm

A soft prompt for base.llm (prompt tuning, lessons/16-prompt-tuning.md): 16
vectors trained for $PT_STEPS steps ($t_pt s) on data/gen/sentiment.jsonl in front of
the frozen base, by \`llmlab prompt-tune train -m base.llm --task
data/gen/sentiment.jsonl --steps $PT_STEPS --seed $SEED\`; on the held-out
items at the end: $(grep -E '^step .*accuracy' "$WORK/prompt_tune.log" | tail -1 | sed 's/.*\(val_loss\)/\1/; s/ ETA.*//').
Compare with zero-shot and 3-shot: \`llmlab prompt-tune eval -m models/base.llm -p
models/softprompt.llm --task data/gen/sentiment.jsonl\`.
MD
} >"$WORK/report.md"
log "done: $OUT/base.llm, $OUT/instruct.llm, $OUT/word2vec.llm, $WORK/report.md (the figures models/README.md quotes)"
