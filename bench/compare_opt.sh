#!/usr/bin/env bash
# What the optimisation flags buy: builds the core and model_bench with each
# set of flags into its own build folder and times one C1 training step and
# C1 generation (bench/tools/model_bench) with each, alternating, best of 3.
#   bash bench/compare_opt.sh            (about 3 minutes on 2 cores)
# -Ofast is left out on purpose: -ffast-math breaks GELU's backward (tanh and
# the NaN checks) and the PyTorch agreement.
set -u
cd "$(dirname "$0")/.."
threads=${BENCH_THREADS:-2}
flagsets=("-O2" "-O3" "-O3 -march=native" "-O3 -march=native -funroll-loops")
for i in "${!flagsets[@]}"; do
    make --no-print-directory BUILD="build/opt$i" OPT="${flagsets[$i]}" "build/opt$i/tools/model_bench" >/dev/null || exit 1
done
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
declare -A train gen
for rep in 1 2 3; do
    for i in "${!flagsets[@]}"; do
        t=$(GOMP_SPINCOUNT=10000 "build/opt$i/tools/model_bench" train "$threads" 5 | field tok_s)
        g=$(GOMP_SPINCOUNT=10000 "build/opt$i/tools/model_bench" gen "$threads" 256 | field tok_s)
        train[$i]=$(awk -v a="${train[$i]:-0}" -v b="$t" 'BEGIN{print (b>a)?b:a}')
        gen[$i]=$(awk -v a="${gen[$i]:-0}" -v b="$g" 'BEGIN{print (b>a)?b:a}')
    done
done
printf '%-36s %12s %12s\n' "flags ($threads threads)" "train tok/s" "gen tok/s"
for i in "${!flagsets[@]}"; do
    printf '%-36s %12s %12s\n' "${flagsets[$i]}" "${train[$i]}" "${gen[$i]}"
done
