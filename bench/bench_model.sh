#!/usr/bin/env bash
# Model core speed on config C1 (4 layers, width 256, 4 heads, MLP 1024,
# vocab 4096, learned positions, GELU) against PyTorch in the same run.
#   train: batch 8 x 128, full step (forward, loss, backward, clip, AdamW),
#          context 128, tokens/s over 6 steps after 2 warm-up steps
#   gen:   batch 1, 256 new tokens with a KV cache after a 16-token prompt;
#          both sides use a context of 512 (else identical to C1), best of 3
# Threads: llmlab uses $BENCH_THREADS (default 2) OpenMP threads, each driving
# single-threaded OpenBLAS, with GOMP_SPINCOUNT=10000: the setting the llmlab
# binary gives itself (src/main.c). PyTorch is run with 1 thread and with
# $BENCH_THREADS threads, each with OMP_WAIT_POLICY=PASSIVE and with
# GOMP_SPINCOUNT=10000 (its default spin-waiting fights OpenBLAS); its fastest
# setting counts. Best of $BENCH_REPS (3) alternating runs on each side.
set -u
cd "$(dirname "$0")/.."
build="${TEST_BUILD:-build}"
threads="${BENCH_THREADS:-2}"
tool="$build/tools/model_bench"
py=/usr/bin/python3
[ -x "$tool" ] || { echo "missing $tool (make $tool)"; exit 1; }

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

# OpenBLAS kernels: the rule llmlab applies to itself (src/main.c), for both
# sides, so llmlab and PyTorch multiply with the same BLAS kernels.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx512vl /proc/cpuinfo; then export OPENBLAS_CORETYPE=SKYLAKEX; fi
echo "OpenBLAS kernels: ${OPENBLAS_CORETYPE:-detected by OpenBLAS} (both sides)"

# The machine may be shared: every measurement is repeated $reps times,
# alternating llmlab and PyTorch, and each side keeps its best. PyTorch is
# timed once per setting it is offered; llmlab is timed just before each of
# those runs too, so both sides keep the best of the same number of runs
# (a best-of-12 against a best-of-3 would favour the side with more draws).
reps="${BENCH_REPS:-3}"
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > a) ? b : a }'; }
echo "llmlab: $threads OpenMP threads driving single-threaded OpenBLAS, GOMP_SPINCOUNT=10000 (as llmlab runs)"
echo "torch:  torch.set_num_threads(1) and ($threads), OMP_WAIT_POLICY=PASSIVE or GOMP_SPINCOUNT=10000; best of all"
lt=0; lg=0; best_train=0; best_gen=0
for rep in $(seq "$reps"); do
    for t in 1 "$threads"; do
      for wait in OMP_WAIT_POLICY=PASSIVE GOMP_SPINCOUNT=10000; do
        r=$(GOMP_SPINCOUNT=10000 "$tool" train "$threads" 6) || exit 1
        echo "  llmlab   $r"; lt=$(max "$lt" "$(printf '%s\n' "$r" | field tok_s)")
        r=$(GOMP_SPINCOUNT=10000 "$tool" gen "$threads" 256) || exit 1
        echo "  llmlab   $r"; lg=$(max "$lg" "$(printf '%s\n' "$r" | field tok_s)")
        envs="$wait OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t"
        r=$(env $envs $py bench/torch_bench.py train "$t") || exit 1
        echo "  torch    $r   (threads $t, $wait)"; best_train=$(max "$best_train" "$(printf '%s\n' "$r" | field tok_s)")
        r=$(env $envs $py bench/torch_bench.py gen "$t") || exit 1
        echo "  torch    $r   (threads $t, $wait)"; best_gen=$(max "$best_gen" "$(printf '%s\n' "$r" | field tok_s)")
      done
      [ "$t" = "$threads" ] && break
    done
done

echo "bench train_c1 llmlab_tok_s=$lt torch_tok_s=$best_train ratio=$(awk -v a="$lt" -v b="$best_train" 'BEGIN { printf "%.2f", a / b }')"
echo "bench gen_c1 llmlab_tok_s=$lg torch_tok_s=$best_gen ratio=$(awk -v a="$lg" -v b="$best_gen" 'BEGIN { printf "%.2f", a / b }')"
