/* tools.c - decoding with calculator calls (see tools.h). */
#include "decode/tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/prefill.h"

int lm_tool_run(const lm_tokenizer *t, const lm_chat_ids *ids, const int32_t *reply, size_t n, lm_tool_call *c,
                lm_ids *feed, lm_err *err) {
    memset(c, 0, sizeof *c);
    c->tool_pos = -1;
    c->result_pos = (int)n;
    /* the open call: the last <|tool|> that no earlier call's marker follows */
    size_t i = n;
    while (i > 0 && reply[i - 1] != ids->tool && reply[i - 1] != ids->result && reply[i - 1] != ids->result_end) i--;
    if (i > 0 && reply[i - 1] == ids->tool) {
        c->tool_pos = (int)(i - 1);
        uint8_t *text = NULL;   /* EXPR: [i, n) decoded */
        size_t len = 0;
        if (n > i && lm_tok_decode(t, reply + i, n - i, &text, &len, err)) {
            free(text);
            return -1;
        }
        lm_calc_result r;
        lm_calc_eval((const char *)text, len, &r);
        c->expr_len = len;
        size_t keep = len < LM_CALC_MAX_LEN ? len : LM_CALC_MAX_LEN;
        if (keep) memcpy(c->expr, text, keep);
        c->expr[keep] = '\0';
        free(text);
        c->status = r.ok ? LM_TOOL_OK : LM_TOOL_ERROR;
        c->number = r.value;
        memcpy(c->value, r.text, sizeof c->value);
    } else {
        c->status = LM_TOOL_MALFORMED;
        snprintf(c->value, sizeof c->value, "%s", LM_TOOL_MALFORMED_TEXT);
    }
    size_t before = feed->n;
    if (lm_tok_encode(t, (const uint8_t *)c->value, strlen(c->value), 0, feed, err)) return -1;
    c->end_pos = (int)(n + 1 + (feed->n - before));
    if (lm_ids_push(feed, ids->result_end)) return lm_fail(err, "out of memory");
    return 0;
}

/* what the loop keeps while lm_decode runs */
typedef struct {
    const lm_tool_opts *o;
    const lm_ids *reply;
} loop_state;

static int send(const lm_tool_opts *o, lm_tool_event ev) { return o->on_event ? o->on_event(o->user, &ev) : 0; }

/* lm_decode's on_token: a drawn token, already appended to the reply */
static int on_drawn(void *user, int32_t token, const lm_sample_result *sr) {
    loop_state *st = user;
    lm_tool_event ev = {.kind = LM_TOOL_EV_TOKEN, .token = token, .pos = (int)st->reply->n - 1, .sr = sr};
    return send(st->o, ev);
}

/* the events of a call whose tokens reply[c->result_pos .. c->end_pos] are in */
static int send_call(const lm_tool_opts *o, const lm_ids *reply, const lm_tool_call *c) {
    lm_tool_event ev = {.kind = LM_TOOL_EV_TOKEN, .token = reply->ids[c->result_pos], .pos = c->result_pos};
    if (send(o, ev)) return 1;
    lm_tool_event call = {.kind = LM_TOOL_EV_CALL, .pos = c->result_pos, .call = c};
    if (send(o, call)) return 1;
    for (int p = c->result_pos + 1; p <= c->end_pos; p++) {
        lm_tool_event tok = {.kind = LM_TOOL_EV_TOKEN, .token = reply->ids[p], .pos = p, .from_tool = 1};
        if (send(o, tok)) return 1;
    }
    return 0;
}

int lm_tool_generate(const lm_model *m, const lm_tokenizer *t, lm_kv *kv_in, const int32_t *prompt,
                     size_t n_prompt, const lm_tool_opts *o, lm_rng *rng, lm_ids *out, lm_tool_result *res,
                     lm_err *err) {
    lm_chat_ids ids;
    if (lm_chat_ids_get(t, &ids, err) || lm_chat_tools_check(t, err)) return -1;
    const size_t n_ctx = (size_t)m->cfg.n_ctx;
    int max_calls = o->max_calls > 0 ? o->max_calls : LM_TOOL_MAX_CALLS;
    if (max_calls > LM_TOOL_CALLS_CAP) max_calls = LM_TOOL_CALLS_CAP;
    lm_decode_fn decode = o->decode ? o->decode : lm_decode;
    lm_kv own, *kv = kv_in;
    if (!kv) {
        if (lm_kv_init(&own, m, err)) return -1;
        kv = &own;
    }
    lm_tool_result *r = calloc(1, sizeof *r);
    float *logits = malloc((size_t)m->cfg.vocab_size * sizeof *logits);   /* [V] what follows the text */
    lm_ids reply = {0}, feed = {0};
    int rc = -1;
    if (!r || !logits) {
        lm_fail(err, "out of memory");
        goto done;
    }
    if (lm_prefill(m, kv, prompt, n_prompt, logits, err)) goto done;
    const int32_t stop[3] = {ids.end, ids.eot, ids.result};
    loop_state st = {o, &reply};
    lm_gen_opts g = {.sampling = o->sampling, .stop_ids = stop, .n_stop = 3, .on_token = on_drawn, .user = &st};
    for (;;) {
        lm_gen_result gr;
        g.max_new = o->max_new - r->n_drawn;
        if (decode(m, kv, logits, &g, rng, &reply, &gr, err)) goto done;
        r->n_drawn += gr.n_new;
        r->reason = gr.reason;
        r->stop_token = gr.stop_token;
        if (gr.reason != LM_GEN_STOP || gr.stop_token != ids.result) break;
        r->n_drawn++;   /* the <|result|> */
        if (r->n_calls == max_calls) {
            r->call_limit = 1;
            break;
        }
        lm_tool_call *c = &r->calls[r->n_calls];
        feed.n = 0;
        if (lm_tool_run(t, &ids, reply.ids, reply.n, c, &feed, err)) goto done;
        size_t total = n_prompt + reply.n + 1 + feed.n;   /* the text with the call's tokens */
        if (total > n_ctx) {
            r->reason = LM_GEN_CONTEXT;
            r->stop_token = -1;
            break;
        }
        r->n_calls++;
        if (lm_ids_push(&reply, ids.result)) {
            lm_fail(err, "out of memory");
            goto done;
        }
        for (size_t k = 0; k < feed.n; k++)
            if (lm_ids_push(&reply, feed.ids[k])) {
                lm_fail(err, "out of memory");
                goto done;
            }
        /* feed what the cache has not seen: the call's tokens (and a drawn
         * token lm_decode left unfed, should it ever) */
        for (size_t p = (size_t)kv->len; p < total; p++) {
            int32_t tok = p < n_prompt ? prompt[p] : reply.ids[p - n_prompt];
            if (lm_forward_next(m, kv, tok, logits, err)) goto done;
        }
        if (send_call(o, &reply, c)) {
            r->reason = LM_GEN_CALLBACK;
            r->stop_token = -1;
            break;
        }
    }
    r->n_new = (int)reply.n;
    for (size_t k = 0; out && k < reply.n; k++)
        if (lm_ids_push(out, reply.ids[k])) {
            lm_fail(err, "out of memory");
            goto done;
        }
    if (res) *res = *r;
    rc = 0;
done:
    lm_ids_free(&reply);
    lm_ids_free(&feed);
    free(logits);
    free(r);
    if (!kv_in) lm_kv_free(&own);
    return rc;
}

int lm_tool_generate_text(const lm_model *m, const lm_tokenizer *t, const int32_t *prompt, size_t n_prompt,
                          int max_new, char **text, lm_err *err) {
    lm_tool_opts o = {0};
    o.max_new = max_new;
    o.sampling = lm_sampling_default();
    o.sampling.greedy = 1;
    lm_rng rng;
    lm_rng_seed(&rng, 1);
    lm_ids out = {0};
    lm_tool_result res;
    if (lm_tool_generate(m, t, NULL, prompt, n_prompt, &o, &rng, &out, &res, err)) {
        lm_ids_free(&out);
        return -1;
    }
    int rc = lm_tok_decode_cstr(t, out.ids, out.n, text, err);
    lm_ids_free(&out);
    return rc;
}
