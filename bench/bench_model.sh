#!/usr/bin/env bash
# Model core speed on config C1 (4 layers, width 256, 4 heads, MLP 1024,
# vocab 4096, learned positions, GELU) against PyTorch in the same run.
#   train: batch 8 x 128, full step (forward, loss, backward, clip, AdamW),
#          context 128, tokens/s over 6 steps after 2 warm-up steps
#   gen:   batch 1, 256 new tokens with a KV cache after a 16-token prompt;
#          both sides use a context of 512 (else identical to C1), best of 3
# Threads: llmlab uses $BENCH_THREADS (default 2) OpenMP threads, each driving
# single-threaded OpenBLAS. PyTorch is run with 1 thread and with
# $BENCH_THREADS threads + OMP_WAIT_POLICY=PASSIVE; the faster one counts.
set -u
cd "$(dirname "$0")/.."
build="${TEST_BUILD:-build}"
threads="${BENCH_THREADS:-2}"
tool="$build/tools/model_bench"
py=/usr/bin/python3
[ -x "$tool" ] || { echo "missing $tool (make $tool)"; exit 1; }

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

echo "llmlab: $threads OpenMP threads, OpenBLAS single-threaded per product"
l_train=$("$tool" train "$threads" 6) || exit 1
echo "  llmlab   $l_train"
l_gen=$("$tool" gen "$threads" 256) || exit 1
echo "  llmlab   $l_gen"

best_train=0; best_gen=0
for t in 1 "$threads"; do
    env_desc="torch.set_num_threads($t), OMP_WAIT_POLICY=PASSIVE"
    r=$(OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t $py bench/torch_bench.py train "$t") || exit 1
    echo "  torch    $r   ($env_desc)"
    v=$(printf '%s\n' "$r" | field tok_s)
    best_train=$(awk -v a="$best_train" -v b="$v" 'BEGIN { print (b > a) ? b : a }')
    r=$(OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t $py bench/torch_bench.py gen "$t") || exit 1
    echo "  torch    $r   ($env_desc)"
    v=$(printf '%s\n' "$r" | field tok_s)
    best_gen=$(awk -v a="$best_gen" -v b="$v" 'BEGIN { print (b > a) ? b : a }')
    [ "$t" = "$threads" ] && break
done

lt=$(printf '%s\n' "$l_train" | field tok_s)
lg=$(printf '%s\n' "$l_gen" | field tok_s)
echo "bench train_c1 llmlab_tok_s=$lt torch_tok_s=$best_train ratio=$(awk -v a="$lt" -v b="$best_train" 'BEGIN { printf "%.2f", a / b }')"
echo "bench gen_c1 llmlab_tok_s=$lg torch_tok_s=$best_gen ratio=$(awk -v a="$lg" -v b="$best_gen" 'BEGIN { printf "%.2f", a / b }')"
