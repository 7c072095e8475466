/* generate.h - text generation with the KV cache: feed a prompt, then sample
 * one token at a time.
 *
 * Contract
 * - lm_generate feeds prompt[0..n_prompt) into the KV cache with lm_prefill
 *   (prefill.h), then repeats up to max_new times: sample the
 *   next token from the logits with lm_sample (settings + rng), stop if it is
 *   one of stop_ids (the stop token is reported, not appended, and not fed),
 *   otherwise append it to out (if non-NULL), call on_token (if non-NULL) and
 *   feed it.
 * - Context: generation stops (LM_GEN_CONTEXT) when prompt + generated tokens
 *   fill the n_ctx window, so the text never exceeds n_ctx tokens (a full
 *   forward can always show it). A prompt longer than n_ctx is an error.
 * - on_token returning non-zero stops generation (LM_GEN_CALLBACK).
 * - kv may be NULL: a cache is made and freed inside. A kv passed in is reset
 *   first and afterwards holds the prompt and every generated token except
 *   the last (which was never fed).
 * - Same model, prompt, settings and rng seed give the same tokens.
 */
#ifndef LM_GENERATE_H
#define LM_GENERATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "models/gpt/model.h"
#include "base/rng.h"
#include "decode/sampler.h"
#include "tok/tokenizer.h"

typedef enum {
    LM_GEN_MAX = 0,       /* max_new tokens produced */
    LM_GEN_STOP = 1,      /* a stop token was drawn */
    LM_GEN_CONTEXT = 2,   /* the context window is full */
    LM_GEN_CALLBACK = 3,  /* on_token asked to stop */
} lm_gen_reason;

/* r: the sampler's view of the step (distribution before/after the cuts). */
typedef int (*lm_token_fn)(void *user, int32_t token, const lm_sample_result *r);

typedef struct {
    int            max_new;    /* tokens to generate at most */
    lm_sampling    sampling;
    const int32_t *stop_ids;   /* may be NULL */
    int            n_stop;
    lm_token_fn    on_token;   /* may be NULL */
    void          *user;
} lm_gen_opts;

typedef struct {
    lm_gen_reason reason;
    int32_t       stop_token;  /* the stop id drawn (reason == LM_GEN_STOP), else -1 */
    int           n_new;       /* tokens appended */
} lm_gen_result;

int lm_generate(const lm_model *m, lm_kv *kv, const int32_t *prompt, size_t n_prompt,
                const lm_gen_opts *o, lm_rng *rng, lm_ids *out, lm_gen_result *res, lm_err *err);

/* The decoding half of lm_generate: kv already holds a prompt (lm_prefill)
 * and first_logits [V] are the logits of the token after it. Same rules as
 * above; the context check counts the tokens in kv. */
int lm_decode(const lm_model *m, lm_kv *kv, const float *first_logits, const lm_gen_opts *o,
              lm_rng *rng, lm_ids *out, lm_gen_result *res, lm_err *err);

/* Convenience for evaluations: the greedy continuation of prompt ids (at most
 * max_new tokens, up to a stop id), decoded to a malloc'd NUL-terminated
 * string (*text). */
int lm_generate_text(const lm_model *m, const lm_tokenizer *t, const int32_t *prompt,
                     size_t n_prompt, int max_new, const int32_t *stop_ids, int n_stop,
                     char **text, lm_err *err);

#endif
