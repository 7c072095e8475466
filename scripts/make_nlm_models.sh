#!/usr/bin/env bash
# make_nlm_models.sh - `make nlm-models`: remakes the pre-transformer neural
# LMs that ship in models/ from scratch with a fixed seed: Bengio's
# feed-forward LM (models/fflm.llm), an Elman RNN (models/rnn.llm) and a GRU
# (models/gru.llm), on the same corpus, tokeniser (models/base.llm's BPE)
# and validation file as the transformer; then measures each on
# data/corpus/val.txt through the language-model interface
# (build/tools/text_loss). models/README.md records the figures of the run
# that made the shipped files.
# Every size is an environment variable (STEPS=30 makes a smoke run into $OUT).
# The three train at once, one thread each (LLMLAB_THREADS=1): on 2 shared
# cores that is faster than one after the other with 2 threads, whose
# OpenMP barriers wait for descheduled threads.
set -euo pipefail
cd "$(dirname "$0")/.."
LLMLAB="${LLMLAB:-./llmlab}"
OUT="${OUT:-models}"
SEED="${SEED:-1234}"
STEPS="${STEPS:-1500}"; BATCH="${BATCH:-32}"; SEQ="${SEQ:-64}"; LR="${LR:-3e-3}"
EMBED="${EMBED:-64}"; HIDDEN="${HIDDEN:-128}"; CONTEXT="${CONTEXT:-5}"
TOOL="${TOOL:-build/tools/text_loss}"
LOGS="${LOGS:-build/nlm-models}"   # each run's log (without the per-step lines)
mkdir -p "$OUT" "$LOGS"
common=(-t models/base.llm --data data/corpus/train.txt --val data/corpus/val.txt --steps "$STEPS"
        --batch "$BATCH" --seq "$SEQ" --lr "$LR" --seed "$SEED" --save-every 250 --eval-every 250)
run() {   # name, command words... (its log: $LOGS/$name.log)
    local name=$1; shift
    local t0=$SECONDS
    rm -f "$OUT/$name.llm" "$OUT/$name.llm.opt"
    LLMLAB_THREADS=1 "$LLMLAB" "$@" "${common[@]}" -o "$OUT/$name.llm" | grep -v '^step ' >"$LOGS/$name.log"
    echo "== $name: $((SECONDS - t0)) s" >>"$LOGS/$name.log"
    rm -f "$OUT/$name.llm.opt"   # the optimizer state does not ship
}
run fflm fflm train --context "$CONTEXT" --embed "$EMBED" --hidden "$HIDDEN" &
run rnn rnn train --cell elman --embed "$EMBED" --hidden "$HIDDEN" &
run gru rnn train --cell gru --embed "$EMBED" --hidden "$HIDDEN" &
wait
for m in fflm rnn gru; do cat "$LOGS/$m.log"; done
for m in fflm rnn gru; do "$TOOL" "$OUT/$m.llm" data/corpus/val.txt 128; done
