/* score.h - the probability of a text under the model, by the chain rule
 * (lecture 002): p(x1 .. xn) = p(x1) p(x2 | x1) ... p(xn | x1 .. xn-1), each
 * factor the model's next-token probability, so
 *   ln p(text) = sum_i ln p(x_i | x_<i)      (the sentence's log-probability)
 *   surprisal_i = -log2 p(x_i | x_<i)       (bits)
 *   perplexity  = exp(-ln p(text) / n)      (per token)
 * It lives with the prompt path (decode/) because it is that path read
 * backwards: one forward over the text (lm_prefill_window) gives the
 * distribution after every prefix at once, and score reads the probability
 * of the token that actually came next.
 *
 * Contract
 * - lm_score_encode: the ids a text is scored as. Plain text is encoded with
 *   no special tokens (as every prompt); chat = the text as the user's turn
 *   of the chat template with the assistant's prompt (generate --chat).
 * - lm_score_ids: the first token has no prediction of its own. When `bos`
 *   >= 0 (the tokeniser's <|endoftext|>, the token every training document
 *   follows) and the ids do not already start with it, it is read first as
 *   the context, so every token of the text is scored, the first one as the
 *   start of a document. Otherwise (no bos, or the text starts with it: the
 *   chat template does) the first id is the context and is not scored.
 *   out->context is that token and out->prepended says which case it was.
 * - Texts longer than the context are refused (the context token included,
 *   they must fit in n_ctx): the chain rule needs each token's whole prefix,
 *   and the model cannot read more than n_ctx tokens. A text with nothing to
 *   score (one token and no bos) is refused too.
 * - logp is computed in float64 from the fp32 logits (log-softmax with the
 *   maximum subtracted); total is their sum in order, so sum(logp) == total.
 *   rank is the number of tokens with a strictly larger logit.
 * - m's last forward is the scored sequence afterwards (activations and
 *   logits are overwritten). 0, or -1 with a message; nothing prints.
 */
#ifndef LM_SCORE_H
#define LM_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "models/gpt/model.h"
#include "tok/tokenizer.h"

typedef struct {
    int n;              /* tokens scored */
    int32_t context;    /* the token read first and not scored */
    int prepended;      /* 1: context is bos, put before the text; 0: the text's own first token */
    int32_t *ids;       /* [n] the scored tokens, in order */
    double *logp;       /* [n] ln p(ids[i] | context, ids[0..i)) */
    int *rank;          /* [n] its rank in that distribution (0 = the model's top-1) */
    int32_t *top;       /* [n] the model's most likely token there */
    float *top_p;       /* [n] and its probability */
    double total;       /* sum of logp: ln p(text) */
} lm_score;

int  lm_score_encode(const lm_tokenizer *t, const uint8_t *text, size_t len, int chat, lm_ids *out,
                     lm_err *err);
int  lm_score_ids(lm_model *m, const int32_t *ids, size_t n, int32_t bos, lm_score *out, lm_err *err);
void lm_score_free(lm_score *s);

/* exp(-total / n): the perplexity per token (0 tokens: NAN) */
double lm_score_perplexity(const lm_score *s);
/* -total / n / ln 2: mean surprisal in bits per token (0 tokens: NAN) */
double lm_score_bits_per_token(const lm_score *s);

#endif
