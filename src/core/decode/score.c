/* score.c - the chain rule over a text: every token's probability given its
 * prefix from one forward pass (see score.h). */
#include "decode/score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decode/prefill.h"
#include "tok/chat.h"

int lm_score_encode(const lm_tokenizer *t, const uint8_t *text, size_t len, int chat, lm_ids *out,
                    lm_err *err) {
    out->n = 0;
    if (chat) {
        lm_chat_msg msg = {.role = LM_ROLE_USER, .content = (const char *)text, .len = len};
        return lm_chat_encode(t, &msg, 1, 1, out, NULL, err);
    }
    return lm_tok_encode(t, text, len, 0, out, err);
}

void lm_score_free(lm_score *s) {
    if (!s) return;
    free(s->ids); free(s->logp); free(s->rank); free(s->top); free(s->top_p);
    memset(s, 0, sizeof *s);
}

double lm_score_perplexity(const lm_score *s) { return s->n > 0 ? exp(-s->total / s->n) : NAN; }

double lm_score_bits_per_token(const lm_score *s) { return s->n > 0 ? -s->total / s->n / log(2.0) : NAN; }

int lm_score_ids(lm_model *m, const int32_t *ids, size_t n, int32_t bos, lm_score *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    const int V = m->cfg.vocab_size;
    const size_t n_ctx = (size_t)m->cfg.n_ctx;
    if (n == 0) return lm_fail(err, "the text is empty: nothing to score");
    int prepend = bos >= 0 && ids[0] != bos;
    size_t T = n + (size_t)prepend;   /* what the model reads */
    if (T > n_ctx)
        return lm_fail(err, "the text is %zu tokens%s; the model reads at most %zu, and the chain rule needs "
                       "every token's whole prefix: shorten it", n, prepend ? " (+ <|endoftext|> before it)" : "",
                       n_ctx);
    if (T < 2) return lm_fail(err, "one token and no <|endoftext|> to read before it: nothing to score");
    int32_t *seq = malloc(sizeof(int32_t) * T);
    if (!seq) return lm_fail(err, "out of memory");
    if (prepend) seq[0] = bos;
    memcpy(seq + prepend, ids, sizeof(int32_t) * n);
    size_t off = 0;
    if (lm_prefill_window(m, seq, T, &off, err)) { free(seq); return -1; }
    int ns = (int)T - 1;
    out->ids = malloc(sizeof(int32_t) * ns);
    out->logp = malloc(sizeof(double) * ns);
    out->rank = malloc(sizeof(int) * ns);
    out->top = malloc(sizeof(int32_t) * ns);
    out->top_p = malloc(sizeof(float) * ns);
    if (!out->ids || !out->logp || !out->rank || !out->top || !out->top_p) {
        free(seq);
        lm_score_free(out);
        return lm_fail(err, "out of memory");
    }
    out->n = ns;
    out->context = seq[0];
    out->prepended = prepend;
    const float *logits = lm_logits(m, 0);   /* [T, V]: row t = the distribution after seq[0..t] */
    double total = 0.0;
    for (int i = 0; i < ns; i++) {
        const float *z = logits + (size_t)i * V;
        int32_t x = seq[i + 1];
        int top = 0;
        for (int v = 1; v < V; v++) if (z[v] > z[top]) top = v;
        double mx = z[top], sum = 0.0;
        int rank = 0;
        for (int v = 0; v < V; v++) {
            sum += exp((double)z[v] - mx);
            rank += z[v] > z[x];
        }
        double lse = log(sum);
        out->ids[i] = x;
        out->logp[i] = ((double)z[x] - mx) - lse;
        out->rank[i] = rank;
        out->top[i] = top;
        out->top_p[i] = (float)exp(-lse);
        total += out->logp[i];
    }
    out->total = total;
    free(seq);
    return 0;
}
