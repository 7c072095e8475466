/* ops_ref.h - plain reference versions of the ops whose fast versions hide
 * the formula behind threads, BLAS calls or SIMD lanes (the llm.c way: keep
 * the readable loop next to the fast one).
 *
 * Contract
 * - Naive loops, one output element at a time, shapes in the comments, to be
 *   checked by eye against the lecture's formulas. Single-threaded, no BLAS,
 *   no allocation. Same arguments and results as the fast versions in ops.h
 *   (up to fp32 rounding: the sums run in another order).
 * - Not used in any hot path: the tests compare the fast versions with these
 *   on random inputs of odd shapes with 1 and 2 threads, and
 *   models/gpt/decode_ref.c builds the plain one-token decoder from them.
 */
#ifndef LM_OPS_REF_H
#define LM_OPS_REF_H

#include <stddef.h>

/* y = x W^T + b:  y[n, o] = b[o] + sum_i x[n, i] w[o, i]
 *   x [N, IC], w [OC, IC], b [OC] or NULL, y [N, OC] (overwritten).
 * With N = 1 this is also the matrix-vector product y = W x (+ b) of
 * decoding (nn/matvec.h). */
void linear_forward_ref(float *y, const float *x, const float *w, const float *b,
                        int N, int IC, int OC);

/* One query against the first n keys and values (causal: the caller passes
 * the positions up to and including the query's own):
 *   a[j] = softmax_j( q . k_j / sqrt(hd) )     j in [0, n)
 *   y    = sum_j a[j] v_j
 * q [hd]; k, v: n rows of hd floats, row j at k + j * ld; a [n]; y [hd]. */
void attention_row_ref(float *y, float *a, const float *q, const float *k, const float *v,
                       size_t ld, int n, int hd);

/* Causal multi-head attention, as attention_forward (ops.h):
 *   qkv [B, T, 3C] (q, k, v; head h owns columns h*hd .. h*hd+hd-1 of each)
 *   att [B, H, T, T] = softmax(q k^T / sqrt(hd)) with row t masked after t
 *   out [B, T, C]    = att v, heads side by side */
void attention_forward_ref(float *out, float *att, const float *qkv, int B, int T, int C, int H);

#endif
