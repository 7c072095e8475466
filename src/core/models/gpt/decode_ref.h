/* decode_ref.h - the plain one-token decoder: what lm_forward_next
 * (kvcache.c) computes, written as the lecture draws it, with no threads and
 * no hand-made products.
 *
 * Contract
 * - lm_forward_next_ref has lm_forward_next's contract (model.h): it feeds
 *   one token at position kv->len into the same cache (k, v [L, n_ctx, C],
 *   att [L, H, n_ctx]), writes the next-token logits[V] and fails the same
 *   way on a full cache, a bad token or a cache made for another shape.
 * - Built only from the reference ops (nn/ops_ref.h) and the plain per-row
 *   ops (LayerNorm of one row, GELU, rotary); allocates its few vectors per
 *   call. For tests and for reading, never for speed.
 */
#ifndef LM_DECODE_REF_H
#define LM_DECODE_REF_H

#include "models/gpt/model.h"

int lm_forward_next_ref(const lm_model *m, lm_kv *kv, int32_t token, float *logits, lm_err *err);

#endif
