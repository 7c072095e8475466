/* prefill.h - the one way a prompt enters the model.
 *
 * Contract
 * - lm_prefill resets kv, feeds prompt[0..n) through lm_forward_next one token
 *   at a time and writes the next-token logits [V] (what follows the last
 *   prompt token). Afterwards kv->len == n. generate, the UI session, the
 *   base-vs-instruct comparison and the evaluations all start here.
 * - lm_prefill_window is the same prompt seen all at once, for inspection: a
 *   full lm_forward over the last n_ctx tokens of ids (the window a model can
 *   see), so attention maps, the residual stream and the logits of every
 *   position are available (model.h, inspection). *off receives the index in
 *   ids of the window's first token; the next-token logits are
 *   lm_logits(m, 0) + (n - *off - 1) * V. Both paths give the same next-token
 *   logits to fp32 rounding (tests/test_prefill.c checks it).
 * - Errors: an empty prompt, a prompt longer than n_ctx (lm_prefill only: the
 *   window clips instead), ids out of range, out of memory; -1 with a message.
 */
#ifndef LM_PREFILL_H
#define LM_PREFILL_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "models/gpt/model.h"

int lm_prefill(const lm_model *m, lm_kv *kv, const int32_t *prompt, size_t n, float *logits,
               lm_err *err);

int lm_prefill_window(lm_model *m, const int32_t *ids, size_t n, size_t *off, lm_err *err);

#endif
