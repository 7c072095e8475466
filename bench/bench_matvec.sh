#!/usr/bin/env bash
# Decoding's matrix-vector product on one thread: OpenBLAS's cblas_sgemv
# against llmlab's lm_matvec (src/core/nn/matvec.c) on the C1 shapes a decoding
# thread multiplies, weights cycling through 17 MB as in decoding.
set -u
cd "$(dirname "$0")/.."
tool="${TEST_BUILD:-build}/tools/matvec_bench"
[ -x "$tool" ] || { echo "missing $tool (make $tool)"; exit 1; }
echo "threads: 1 (OpenBLAS pinned to 1; OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-detected})"
"$tool" | while read -r _ shape rest; do
    echo "bench matvec_$shape $rest"
done
