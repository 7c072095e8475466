/* ops.h - the numerical kernels of the transformer, as forward/backward pairs.
 *
 * Contract
 * - Private to the core (model.c, kvcache.c, tests). Plain float arrays, shapes
 *   in the comments; N is the number of rows (tokens, B*T), C the width.
 * - Backward functions ACCUMULATE (+=) into parameter gradients (dw, db) and,
 *   unless stated otherwise, into input gradients (dx) too, so a residual's
 *   gradient can flow into the same buffer.
 * - Matrix products go through cblas (batch-1 decoding's matrix-vector
 *   products are the one exception: matvec.h says why). Long elementwise
 *   and row loops run in parallel with OpenMP, unless the caller is already
 *   inside a parallel region (decoding runs them per thread); short ones run
 *   serially. No allocation, no printing.
 */
#ifndef LM_OPS_H
#define LM_OPS_H

#include <stddef.h>
#include <stdint.h>

/* y[N,OC] = x[N,IC] w[OC,IC]^T + b[OC]  (b may be NULL). Overwrites y. */
void linear_forward(float *y, const float *x, const float *w, const float *b,
                    int N, int IC, int OC);
/* dx[N,IC] = dy[N,OC] w[OC,IC] (OVERWRITTEN, the one exception to the
 * accumulate rule); dw[OC,IC] += dy^T x; db[OC] += sum_n dy.
 * dx, dw, db may each be NULL (not wanted). */
void linear_backward(float *dx, float *dw, float *db, const float *dy,
                     const float *x, const float *w, int N, int IC, int OC);

/* y[N,C] = (x - mean) * rstd * w + b, eps 1e-5; mean[N], rstd[N] kept for
 * backward (either may be NULL when not needed). */
void layernorm_forward(float *y, float *mean, float *rstd, const float *x,
                       const float *w, const float *b, int N, int C);
/* dx[N,C] += ..., dw[C] += ..., db[C] += ... */
void layernorm_backward(float *dx, float *dw, float *db, const float *dy,
                        const float *x, const float *w, const float *mean,
                        const float *rstd, int N, int C);

/* GELU, tanh approximation: y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
void gelu_forward(float *y, const float *x, size_t n);
/* dx[n] = dy * gelu'(x)  (overwrites dx) */
void gelu_backward(float *dx, const float *dy, const float *x, size_t n);
void relu_forward(float *y, const float *x, size_t n);
void relu_backward(float *dx, const float *dy, const float *x, size_t n);

/* Rotary tables: cos_t/sin_t [n_ctx, hd/2], angle = pos * 10000^(-2i/hd). */
void rotary_table(float *cos_t, float *sin_t, int n_ctx, int hd);
/* One position's rotary angles into cos_row/sin_row [hd/2] (same values as the table). */
void rotary_row(float *cos_row, float *sin_row, int pos, int hd);
/* Rotates each head's hd-slice of x[C] in place: "rotate half" pairing
 * (i, i + hd/2): x1' = x1 cos - x2 sin, x2' = x2 cos + x1 sin. */
void rotary_apply(float *x, const float *cos_row, const float *sin_row, int C, int hd);
/* Backward of rotary_apply (the transpose rotation), in place on dx[C]. */
void rotary_apply_backward(float *dx, const float *cos_row, const float *sin_row, int C, int hd);
/* Sinusoidal position row pe[C]: pe[2i] = sin(pos / 10000^(2i/C)), pe[2i+1] = cos(same). */
void sinusoid_row(float *pe, int pos, int C);

/* Causal multi-head attention over B sequences of T tokens, split over
 * (b, head) with OpenMP, one cblas thread per split.
 *   qkv  [B, T, 3C]  (q, k, v each C wide; head h owns columns h*hd..h*hd+hd-1)
 *   att  [B, H, T, T] probabilities, zero above the diagonal (output)
 *   out  [B, T, C]    (output, overwritten)                                   */
void attention_forward(float *out, float *att, const float *qkv, int B, int T, int C, int H);
/* dqkv [B, T, 3C] is OVERWRITTEN; dout [B, T, C]; scratch [n_scratch, T, T]
 * (at most n_scratch threads are used). */
void attention_backward(float *dqkv, float *scratch, int n_scratch, const float *dout,
                        const float *qkv, const float *att, int B, int T, int C, int H);
/* The same with the mask chosen: causal = 1 is the decoder's (as above);
 * causal = 0 is an encoder's full, bidirectional attention: every query sees
 * every key, so att has no zero triangle. */
void attention_forward_mask(float *out, float *att, const float *qkv, int B, int T, int C, int H,
                            int causal);
void attention_backward_mask(float *dqkv, float *scratch, int n_scratch, const float *dout,
                             const float *qkv, const float *att, int B, int T, int C, int H, int causal);

/* Row softmax in place over x[n], numerically stable; returns log(sum(exp(x - max))) + max. */
float softmax_inplace(float *x, int n);

/* Cross-entropy over logits [N, V] with targets [N] (< 0 ignored) and an
 * optional mask [N]. losses[N] gets ce per row (0 where ignored), lse[N] the
 * log-sum-exp of each row, weight[N] the per-row weight mask/sum(mask).
 * Returns sum(mask*ce)/sum(mask), 0 when the mask sums to 0. */
float crossentropy_forward(float *losses, float *lse, float *weight, const float *logits,
                           const int32_t *targets, const float *mask, int N, int V);
/* dlogits[N, V] = weight[n] * (softmax(logits[n]) - onehot(target[n])); overwrites. */
void crossentropy_backward(float *dlogits, const float *logits, const float *lse,
                           const int32_t *targets, const float *weight, int N, int V);

/* Pins OpenBLAS to one thread once (the core splits products over OpenMP
 * threads itself); called by the entry points of the core. */
void ops_threads_init(void);
/* Number of OpenMP threads the core uses (lm_get_threads). */
int ops_threads(void);
/* Pins OpenBLAS to one thread around loops that already run in parallel;
 * returns the previous BLAS thread count for ops_blas_restore. */
int ops_blas_single(void);
void ops_blas_restore(int n);

#endif
