/* matvec.h - the matrix-vector product of batch-1 decoding.
 *
 * Contract
 * - y[r] = sum_i w[r * ldw + i] x[i]          for r in [0, rows)  (add == 0)
 *   y[r] += sum_i w[r * ldw + i] x[i]         (add != 0)
 *   i in [0, cols); ldw >= cols (a row slice or a column slice of a larger
 *   row-major matrix). y must not overlap w or x. No allocation, no threads:
 *   the caller splits rows or columns over its threads.
 * - Deterministic: equal inputs give equal outputs. Agrees with a float64
 *   dot product to fp32 rounding (tests/test_model.c checks odd shapes).
 *
 * Why not cblas_sgemv (DESIGN.md routes products through cblas): decoding one
 * token streams every weight once, so its speed is bytes per second. Reading
 * 17 MB of C1-shaped weights in turn on one core of this machine, OpenBLAS
 * 0.3.21's sgemv reaches 56-63 GB/s and this loop (four rows at a time, 16
 * lanes, the next rows prefetched) 76-87 GB/s: `build/tools/matvec_bench`,
 * also run by `make bench`. Training and whole-sequence forwards
 * still go through cblas_sgemm. */
#ifndef LM_MATVEC_H
#define LM_MATVEC_H

#include <stddef.h>

void lm_matvec(float *y, const float *w, size_t ldw, const float *x, int rows, int cols, int add);

/* y[c] = sum_r x[r] w[r * ldw + c] for c in [0, cols), r in [0, rows): the
 * transposed product (attention's probability-weighted sum of value rows).
 * Overwrites y. */
void lm_matvec_t(float *y, const float *w, size_t ldw, const float *x, int rows, int cols);

#endif
