/* generate.h - text generation with the KV cache: feed a prompt, then sample
 * one token at a time; and what happens when the text outgrows the context.
 *
 * Contract
 * - lm_generate feeds prompt[0..n_prompt) into the KV cache (lm_gen_prefill,
 *   which is lm_prefill of prefill.h unless the window has to slide), then
 *   repeats up to max_new times: sample the next token from the logits with
 *   lm_sample (settings + rng), stop if it is one of stop_ids (the stop token
 *   is reported, not appended, and not fed), otherwise append it to out (if
 *   non-NULL), call on_token (if non-NULL) and feed it.
 * - The context window: the model reads at most n_ctx tokens, and the window
 *   (the tokens it reads plus the one just drawn) never holds more than n_ctx.
 *   When prompt + generated tokens fill it, the policy o->slide decides:
 *     0 (stop, the default): generation stops with LM_GEN_CONTEXT, so the
 *       whole text fits one window (a full forward can always show it). A
 *       prompt longer than n_ctx is refused (-1, the message names both
 *       lengths); a prompt of exactly n_ctx stops at once.
 *     1 (slide): the window slides: it becomes the last
 *       lm_slide_keep(n_ctx) = n_ctx - max(1, n_ctx / 4) tokens of the text,
 *       which are fed again from position 0 (lm_prefill), and drawing goes
 *       on. A prompt of n_ctx tokens or more starts as such a window (its
 *       last lm_slide_keep tokens). So the tokens drawn after a slide are
 *       exactly what a fresh lm_generate on the kept window draws (same rng
 *       state), up to the next slide; lm_slide_start says where the window
 *       starts after any number of tokens.
 *   Nothing is dropped silently: res counts the slides, the tokens dropped
 *   from the front of the text and how many of those were the prompt's, and
 *   lm_gen_note words it for a front end.
 * - on_token returning non-zero stops generation (LM_GEN_CALLBACK).
 * - kv may be NULL: a cache is made and freed inside. A kv passed in is reset
 *   first and afterwards holds the (last) window: every token of it except
 *   the last drawn (which was never fed).
 * - Same model, prompt, settings, policy and rng seed give the same tokens.
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
    LM_GEN_CONTEXT = 2,   /* the context window is full (policy stop) */
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
    int            slide;      /* a full window: 0 stop (LM_GEN_CONTEXT), 1 slide it */
} lm_gen_opts;

typedef struct {
    lm_gen_reason reason;
    int32_t       stop_token;        /* the stop id drawn (reason == LM_GEN_STOP), else -1 */
    int           n_new;             /* tokens appended */
    int           n_slides;          /* times the window slid (a too-long prompt's start counts) */
    size_t        n_dropped;         /* tokens dropped from the front of the text, in all */
    size_t        n_prompt_dropped;  /* of those, the prompt's */
} lm_gen_result;

int lm_generate(const lm_model *m, lm_kv *kv, const int32_t *prompt, size_t n_prompt,
                const lm_gen_opts *o, lm_rng *rng, lm_ids *out, lm_gen_result *res, lm_err *err);

/* The two halves of lm_generate, for a caller that wants the first
 * next-token distribution too (the compare view's bars).
 * lm_gen_prefill: the prompt into kv as generation starts it: lm_prefill,
 * or with o->slide and n_prompt >= n_ctx its last lm_slide_keep(n_ctx)
 * tokens (one slide, counted). Writes logits [V] (what follows the window)
 * and initialises *res. Without slide, n_prompt > n_ctx is refused. */
int lm_gen_prefill(const lm_model *m, lm_kv *kv, const int32_t *prompt, size_t n_prompt, const lm_gen_opts *o,
                   float *logits, lm_gen_result *res, lm_err *err);
/* lm_decode: kv holds the window (the prompt, fed by lm_gen_prefill or
 * lm_prefill), first_logits [V] follow it. The rules above; the tokens kv
 * holds at the start count as the prompt's. res (may be NULL) is written;
 * with o->slide it carries on what lm_gen_prefill began: its slide counts
 * are added to (so with slide, res must come from lm_gen_prefill, or be
 * zeroed); without slide it is only written. */
int lm_decode(const lm_model *m, lm_kv *kv, const float *first_logits, const lm_gen_opts *o,
              lm_rng *rng, lm_ids *out, lm_gen_result *res, lm_err *err);

/* The sliding window's rule, one for every generator (lm_generate,
 * lm_lmodel_generate, the UI session):
 * lm_slide_keep: the tokens a slide keeps, n_ctx - max(1, n_ctx / 4); 0 when
 * n_ctx < 2 (no window can slide).
 * lm_slide_start: the index in the text of the window's first token when the
 * token after text[0..n) is drawn, for a text that began as an n_prompt-token
 * prompt and grew one token at a time under the slide policy (0 until the
 * first slide). n >= n_prompt; n_ctx >= 2. */
int    lm_slide_keep(int n_ctx);
size_t lm_slide_start(int n_ctx, size_t n_prompt, size_t n);

/* What happened to the window, in words, for the CLI and the UI (no hint of
 * how to change it: that is the front end's): writes into buf (cap bytes)
 *   "context full: 128 tokens (prompt 100 + 28 generated)"      reason CONTEXT
 *   "the window slid 2 times: the first 64 tokens were dropped (40 of the
 *    prompt's 100)"                                            slides
 * and returns 1, or writes "" and returns 0 when nothing was dropped and the
 * context did not run out. n_prompt: the prompt's length in tokens. */
int lm_gen_note(const lm_gen_result *r, size_t n_prompt, int n_ctx, char *buf, size_t cap);

/* Convenience for evaluations: the greedy continuation of prompt ids (at most
 * max_new tokens, up to a stop id), decoded to a malloc'd NUL-terminated
 * string (*text). */
int lm_generate_text(const lm_model *m, const lm_tokenizer *t, const int32_t *prompt,
                     size_t n_prompt, int max_new, const int32_t *stop_ids, int n_stop,
                     char **text, lm_err *err);

#endif
