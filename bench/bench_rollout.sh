#!/usr/bin/env bash
# RL rollouts on config C1 (context 128): G = 16 replies to one 16-token
# prompt, 96 new tokens each, decoded together (models/gpt/kvbatch.h: every
# weight read once per step for the 16 sequences) against the same replies
# decoded one at a time with the single-sequence KV cache. The ratio is the
# speed-up of batching: one weight read serving 16 tokens, bounded by the
# arithmetic the 16 rows still need. Threads: $BENCH_THREADS (default 2),
# GOMP_SPINCOUNT=10000 as llmlab runs; the best of $BENCH_REPS (3) runs.
set -u
cd "$(dirname "$0")/.."
build="${TEST_BUILD:-build}"
threads="${BENCH_THREADS:-2}"
tool="$build/tools/model_bench"
[ -x "$tool" ] || { echo "missing $tool (make $tool)"; exit 1; }
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx512vl /proc/cpuinfo; then export OPENBLAS_CORETYPE=SKYLAKEX; fi
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > a) ? b : a }'; }
reps="${BENCH_REPS:-3}"
bt=0; st=0
for rep in $(seq "$reps"); do
    r=$(GOMP_SPINCOUNT=10000 "$tool" rollout "$threads" 16) || exit 1
    echo "  llmlab   $r"
    bt=$(max "$bt" "$(printf '%s\n' "$r" | field batch_tok_s)")
    st=$(max "$st" "$(printf '%s\n' "$r" | field single_tok_s)")
done
echo "bench rollout_c1 batch=16 llmlab_tok_s=$bt single_tok_s=$st ratio=$(awk -v a="$bt" -v b="$st" 'BEGIN { printf "%.2f", a / b }')"
