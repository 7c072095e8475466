/* test_tools.c - generation with calculator calls (decode/tools.h).
 *
 * A tiny random model cannot be made to call the tool, so most tests force
 * the model's choices: a scripted stand-in for lm_decode (the loop's
 * o->decode) draws the next tokens of a script instead of sampling, and
 * otherwise keeps lm_decode's contract on the REAL model and KV cache
 * (appends, feeds each drawn token through lm_forward_next, stops at a stop
 * id without appending it, checks the context). The loop's own work is then
 * checked from the outside: the call is detected, the calculator runs, its
 * VALUE tokens and <|/result|> are in the reply and in the cache (the
 * logits decoding continues from equal a fresh prefill of the whole text),
 * generation goes on after it, the call limit and the context hold, and a
 * malformed call is fed an error. Without the stand-in, the loop gives
 * exactly lm_generate's tokens and rng state when no call is made. Every
 * expected id and position is worked out by hand from the script. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode/generate.h"
#include "decode/prefill.h"
#include "decode/tools.h"
#include "tok/chat.h"
#include "train_fixtures.h"

/* ---- the scripted stand-in for lm_decode ---- */

#define MAX_SEGMENTS 8
static struct {
    const int32_t *script;
    int n, at;
    int segments;                       /* times the loop called decode */
    int kv_len[MAX_SEGMENTS];           /* kv->len at each call */
    float first[MAX_SEGMENTS][V_TOOLS]; /* the logits each call started from */
} g;

static void script_set(const int32_t *s, int n) {
    memset(&g, 0, sizeof g);
    g.script = s;
    g.n = n;
}

static int scripted_decode(const lm_model *m, lm_kv *kv, const float *first_logits, const lm_gen_opts *o,
                           lm_rng *rng, lm_ids *out, lm_gen_result *res, lm_err *err) {
    (void)rng;
    assert_true(g.segments < MAX_SEGMENTS);
    g.kv_len[g.segments] = kv->len;
    memcpy(g.first[g.segments], first_logits, sizeof g.first[0]);
    g.segments++;
    float logits[V_TOOLS];
    lm_gen_result r = {.reason = LM_GEN_MAX, .stop_token = -1};
    int32_t last = -1;
    for (int k = 0; k < o->max_new; k++) {
        if (kv->len + (k > 0) >= m->cfg.n_ctx) {
            r.reason = LM_GEN_CONTEXT;
            break;
        }
        if (k > 0 && lm_forward_next(m, kv, last, logits, err)) return -1;
        if (g.at >= g.n) fail_msg("the loop asked for token %d of a script of %d", g.at + 1, g.n);
        int32_t tok = g.script[g.at++];
        int is_stop = 0;
        for (int s = 0; s < o->n_stop; s++) is_stop |= o->stop_ids[s] == tok;
        if (is_stop) {
            r.reason = LM_GEN_STOP;
            r.stop_token = tok;
            break;
        }
        assert_int_equal(lm_ids_push(out, tok), 0);
        r.n_new++;
        last = tok;
        if (o->on_token && o->on_token(o->user, tok, NULL)) {
            r.reason = LM_GEN_CALLBACK;
            break;
        }
    }
    *res = r;
    return 0;
}

/* ---- fixtures ---- */

static lm_model tiny_model(int n_ctx, uint64_t seed) {
    lm_config c = {.n_layer = 2, .n_head = 2, .d_model = 32, .d_mlp = 64, .n_ctx = n_ctx,
                   .vocab_size = V_TOOLS, .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    lm_model m;
    assert_int_equal(lm_model_init(&m, &c, seed, NULL), 0);
    return m;
}

/* EOT USR 'Q' '?' END AST: the chat prompt of "Q?" (6 ids) */
static lm_ids chat_prompt(const lm_tokenizer *t) {
    lm_chat_msg msg = {.role = LM_ROLE_USER, .content = "Q?", .len = 2};
    lm_ids p = {0};
    lm_err err = {{0}};
    assert_int_equal(lm_chat_encode(t, &msg, 1, 1, &p, NULL, &err), 0);
    const int32_t want[] = {EOT, USR, 'Q', '?', END, AST};
    assert_int_equal(p.n, 6);
    assert_memory_equal(p.ids, want, sizeof want);
    return p;
}

/* the events as they came */
typedef struct {
    int n;
    lm_tool_event ev[64];
    lm_tool_call calls[8];   /* copies: ev[].call points into the loop's memory */
    int stop_after;          /* stop (return 1) at this event, 0 = never */
} ev_log;

static int log_event(void *user, const lm_tool_event *ev) {
    ev_log *l = user;
    if (l->n < 64) l->ev[l->n] = *ev;
    if (ev->kind == LM_TOOL_EV_CALL) l->calls[l->n % 8] = *ev->call;
    l->n++;
    return l->stop_after && l->n == l->stop_after;
}

static lm_tool_opts scripted_opts(ev_log *log) {
    lm_tool_opts o = {.max_new = 50, .sampling = lm_sampling_default(), .on_event = log_event, .user = log,
                      .decode = scripted_decode};
    return o;
}

static void assert_ids(const lm_ids *got, const int32_t *want, size_t n) {
    if (got->n != n) fail_msg("%zu ids, want %zu", got->n, n);
    for (size_t i = 0; i < n; i++)
        if (got->ids[i] != want[i]) fail_msg("id %zu is %d, want %d", i, got->ids[i], want[i]);
}

/* ---- tests ---- */

static void test_call_is_run_and_fed(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tool_tok();
    lm_model m = tiny_model(64, 3);
    lm_ids prompt = chat_prompt(t);
    const int32_t script[] = {'I', TOOL, '7', '*', '6', RES, 'o', 'k', END};
    script_set(script, 9);
    ev_log log = {0};
    lm_tool_opts o = scripted_opts(&log);
    lm_kv kv;
    assert_int_equal(lm_kv_init(&kv, &m, NULL), 0);
    lm_rng rng;
    lm_rng_seed(&rng, 1);
    lm_ids out = {0};
    lm_tool_result res;
    lm_err err = {{0}};
    assert_int_equal(lm_tool_generate(&m, t, &kv, prompt.ids, prompt.n, &o, &rng, &out, &res, &err), 0);
    /* the reply: the model's tokens, the call's VALUE "42" and <|/result|>, then more of the model */
    const int32_t want[] = {'I', TOOL, '7', '*', '6', RES, '4', '2', RESE, 'o', 'k'};
    assert_ids(&out, want, 11);
    assert_int_equal(res.reason, LM_GEN_STOP);
    assert_int_equal(res.stop_token, END);
    assert_int_equal(res.n_new, 11);
    assert_int_equal(res.n_drawn, 8);   /* I <|tool|> 7 * 6 <|result|> o k */
    assert_int_equal(res.call_limit, 0);
    assert_int_equal(res.n_calls, 1);
    const lm_tool_call *c = &res.calls[0];
    assert_int_equal(c->status, LM_TOOL_OK);
    assert_string_equal(c->expr, "7*6");
    assert_int_equal(c->expr_len, 3);
    assert_string_equal(c->value, "42");
    assert_true(c->number == 42);
    assert_int_equal(c->tool_pos, 1);
    assert_int_equal(c->result_pos, 5);
    assert_int_equal(c->end_pos, 8);
    assert_int_equal(g.at, 9);   /* the whole script was drawn */

    /* decoding went on from the cache holding prompt + I <|tool|> 7 * 6 <|result|> 4 2 <|/result|>:
     * its logits are a fresh prefill's of that text */
    assert_int_equal(g.segments, 2);
    assert_int_equal(g.kv_len[0], 6);
    assert_int_equal(g.kv_len[1], 6 + 9);
    lm_ids text = {0};
    for (size_t i = 0; i < prompt.n; i++) assert_int_equal(lm_ids_push(&text, prompt.ids[i]), 0);
    for (int i = 0; i < 9; i++) assert_int_equal(lm_ids_push(&text, want[i]), 0);
    lm_kv fresh;
    assert_int_equal(lm_kv_init(&fresh, &m, NULL), 0);
    float ref[V_TOOLS];
    assert_int_equal(lm_prefill(&m, &fresh, text.ids, text.n, ref, NULL), 0);
    for (int v = 0; v < V_TOOLS; v++) assert_true(fabsf(ref[v] - g.first[1][v]) < 1e-4f);
    /* ... and not the logits after the call's <|result|> only (the VALUE matters) */
    assert_int_equal(lm_prefill(&m, &fresh, text.ids, text.n - 3, ref, NULL), 0);
    float diff = 0;
    for (int v = 0; v < V_TOOLS; v++) diff += fabsf(ref[v] - g.first[1][v]);
    assert_true(diff > 1e-3f);
    assert_int_equal(kv.len, 6 + 11);   /* and the cache holds the whole reply */

    /* the events: every token in order, the call after its <|result|>, the
     * tool's tokens marked */
    assert_int_equal(log.n, 12);
    int k = 0;
    for (int e = 0; e < log.n; e++) {
        const lm_tool_event *ev = &log.ev[e];
        if (e == 6) {
            assert_int_equal(ev->kind, LM_TOOL_EV_CALL);
            assert_int_equal(ev->pos, 5);
            assert_string_equal(log.calls[e % 8].value, "42");
            continue;
        }
        assert_int_equal(ev->kind, LM_TOOL_EV_TOKEN);
        assert_int_equal(ev->token, want[k]);
        assert_int_equal(ev->pos, k);
        assert_int_equal(ev->from_tool, k >= 6 && k <= 8);
        k++;
    }
    lm_ids_free(&text);
    lm_ids_free(&out);
    lm_ids_free(&prompt);
    lm_kv_free(&fresh);
    lm_kv_free(&kv);
    lm_model_free(&m);
    lm_tok_free(t);
}

static void test_call_limit(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tool_tok();
    lm_model m = tiny_model(64, 4);
    lm_ids prompt = chat_prompt(t);
    ev_log log = {0};
    lm_tool_opts o = scripted_opts(&log);
    lm_rng rng;
    lm_rng_seed(&rng, 1);
    lm_tool_result res;
    lm_err err = {{0}};
    /* two calls allowed: the third <|result|> ends the reply */
    const int32_t script[] = {TOOL, '1', RES, TOOL, '2', RES, TOOL, '3', RES, 'x', END};
    script_set(script, 11);
    o.max_calls = 2;
    lm_ids out = {0};
    assert_int_equal(lm_tool_generate(&m, t, NULL, prompt.ids, prompt.n, &o, &rng, &out, &res, &err), 0);
    const int32_t want[] = {TOOL, '1', RES, '1', RESE, TOOL, '2', RES, '2', RESE, TOOL, '3'};
    assert_ids(&out, want, 12);
    assert_int_equal(res.n_calls, 2);
    assert_int_equal(res.call_limit, 1);
    assert_int_equal(res.reason, LM_GEN_STOP);
    assert_int_equal(res.stop_token, RES);
    assert_int_equal(g.at, 9);   /* nothing drawn after the refused call */
    lm_ids_free(&out);

    /* the default is 4 */
    const int32_t five[] = {TOOL, '1', RES, TOOL, '2', RES, TOOL, '3', RES, TOOL, '4', RES, TOOL, '5', RES, END};
    script_set(five, 16);
    o.max_calls = 0;
    assert_int_equal(lm_tool_generate(&m, t, NULL, prompt.ids, prompt.n, &o, &rng, NULL, &res, &err), 0);
    assert_int_equal(LM_TOOL_MAX_CALLS, 4);
    assert_int_equal(res.n_calls, 4);
    assert_int_equal(res.call_limit, 1);
    assert_string_equal(res.calls[3].value, "4");
    assert_int_equal(res.n_new, 4 * 5 + 2);

    /* max_new bounds the model's tokens, not the tool's: 4 drawn, 2 written */
    const int32_t short_script[] = {TOOL, '8', RES, 'a', 'b'};
    script_set(short_script, 5);
    o.max_new = 4;
    assert_int_equal(lm_tool_generate(&m, t, NULL, prompt.ids, prompt.n, &o, &rng, &out, &res, &err), 0);
    const int32_t want_short[] = {TOOL, '8', RES, '8', RESE, 'a'};
    assert_ids(&out, want_short, 6);
    assert_int_equal(res.reason, LM_GEN_MAX);
    assert_int_equal(res.n_drawn, 4);
    lm_ids_free(&out);
    lm_ids_free(&prompt);
    lm_model_free(&m);
    lm_tok_free(t);
}

static void test_malformed_and_errors(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tool_tok();
    lm_model m = tiny_model(128, 5);
    lm_ids prompt = chat_prompt(t);
    ev_log log = {0};
    lm_tool_opts o = scripted_opts(&log);
    lm_rng rng;
    lm_rng_seed(&rng, 1);
    lm_tool_result res;
    lm_err err = {{0}};
    /* a <|result|> with no <|tool|>; a division by zero; a second <|result|>
     * right after a call's end (its <|tool|> is used up) */
    const int32_t script[] = {'a', RES, TOOL, '1', '/', '0', RES, RES, 'z', END};
    script_set(script, 10);
    lm_ids out = {0};
    assert_int_equal(lm_tool_generate(&m, t, NULL, prompt.ids, prompt.n, &o, &rng, &out, &res, &err), 0);
    assert_int_equal(res.n_calls, 3);
    assert_int_equal(res.calls[0].status, LM_TOOL_MALFORMED);
    assert_int_equal(res.calls[0].tool_pos, -1);
    assert_string_equal(res.calls[0].expr, "");
    assert_string_equal(res.calls[0].value, LM_TOOL_MALFORMED_TEXT);
    assert_int_equal(res.calls[1].status, LM_TOOL_ERROR);
    assert_string_equal(res.calls[1].expr, "1/0");
    assert_string_equal(res.calls[1].value, "error: division by zero");
    assert_int_equal(res.calls[2].status, LM_TOOL_MALFORMED);
    /* the reply holds each error's text between <|result|> and <|/result|> */
    lm_ids want = {0};
    const char *m1 = LM_TOOL_MALFORMED_TEXT, *m2 = "error: division by zero";
    assert_int_equal(lm_ids_push(&want, 'a'), 0);
    assert_int_equal(lm_ids_push(&want, RES), 0);
    for (const char *c = m1; *c; c++) assert_int_equal(lm_ids_push(&want, (unsigned char)*c), 0);
    assert_int_equal(lm_ids_push(&want, RESE), 0);
    const int32_t call[] = {TOOL, '1', '/', '0', RES};
    for (int i = 0; i < 5; i++) assert_int_equal(lm_ids_push(&want, call[i]), 0);
    for (const char *c = m2; *c; c++) assert_int_equal(lm_ids_push(&want, (unsigned char)*c), 0);
    assert_int_equal(lm_ids_push(&want, RESE), 0);
    assert_int_equal(lm_ids_push(&want, RES), 0);
    for (const char *c = m1; *c; c++) assert_int_equal(lm_ids_push(&want, (unsigned char)*c), 0);
    assert_int_equal(lm_ids_push(&want, RESE), 0);
    assert_int_equal(lm_ids_push(&want, 'z'), 0);
    assert_ids(&out, want.ids, want.n);
    assert_int_equal(res.calls[1].tool_pos, 2 + (int)strlen(m1) + 1);
    assert_int_equal(res.reason, LM_GEN_STOP);
    assert_int_equal(res.stop_token, END);
    lm_ids_free(&want);
    lm_ids_free(&out);

    /* lm_tool_run alone: a marker inside EXPR is its text, which the
     * calculator refuses; the feed is VALUE's ids then <|/result|> */
    lm_chat_ids ids;
    assert_int_equal(lm_chat_ids_get(t, &ids, &err), 0);
    const int32_t reply[] = {TOOL, '1', USR, '2'};
    lm_tool_call c;
    lm_ids feed = {0};
    assert_int_equal(lm_tool_run(t, &ids, reply, 4, &c, &feed, &err), 0);
    assert_string_equal(c.expr, "1<|user|>2");
    assert_string_equal(c.value, "error: unexpected '<'");
    assert_int_equal(feed.n, strlen("error: unexpected '<'") + 1);
    assert_int_equal(feed.ids[feed.n - 1], RESE);
    assert_int_equal(c.result_pos, 4);
    assert_int_equal(c.end_pos, 4 + (int)feed.n);
    lm_ids_free(&feed);

    /* a tokeniser without the tool markers is refused, naming one */
    lm_tokenizer *old = chat_tok();
    assert_int_equal(lm_tool_generate(&m, old, NULL, prompt.ids, prompt.n, &o, &rng, NULL, &res, &err), -1);
    assert_non_null(strstr(err.msg, "<|tool|>"));
    lm_tok_free(old);
    lm_ids_free(&prompt);
    lm_model_free(&m);
    lm_tok_free(t);
}

static void test_context_and_callback(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tool_tok();
    lm_model m = tiny_model(12, 6);   /* the 6-id prompt leaves room for 6 */
    lm_ids prompt = chat_prompt(t);
    ev_log log = {0};
    lm_tool_opts o = scripted_opts(&log);
    lm_rng rng;
    lm_rng_seed(&rng, 1);
    lm_tool_result res;
    lm_err err = {{0}};
    lm_ids out = {0};
    /* 6 + TOOL 4 2 = 9, and <|result|> 4 2 <|/result|> would make 13 > 12:
     * the reply ends before the call */
    const int32_t big[] = {TOOL, '4', '2', RES, 'z', END};
    script_set(big, 6);
    assert_int_equal(lm_tool_generate(&m, t, NULL, prompt.ids, prompt.n, &o, &rng, &out, &res, &err), 0);
    const int32_t want_big[] = {TOOL, '4', '2'};
    assert_ids(&out, want_big, 3);
    assert_int_equal(res.reason, LM_GEN_CONTEXT);
    assert_int_equal(res.n_calls, 0);
    lm_ids_free(&out);
    /* 6 + TOOL 7 <|result|> 7 <|/result|> = 11 fits; one more drawn token fills the 12 */
    const int32_t fits[] = {TOOL, '7', RES, 'z', 'y', END};
    script_set(fits, 6);
    assert_int_equal(lm_tool_generate(&m, t, NULL, prompt.ids, prompt.n, &o, &rng, &out, &res, &err), 0);
    const int32_t want_fits[] = {TOOL, '7', RES, '7', RESE, 'z'};
    assert_ids(&out, want_fits, 6);
    assert_int_equal(res.reason, LM_GEN_CONTEXT);
    assert_int_equal(res.n_calls, 1);
    lm_ids_free(&out);

    /* the callback stops at the call event: the call's tokens are in, nothing after */
    lm_model m2 = tiny_model(64, 6);
    const int32_t script[] = {TOOL, '5', RES, 'z', END};
    script_set(script, 5);
    log.n = 0;
    log.stop_after = 4;   /* <|tool|> 5 <|result|> CALL */
    assert_int_equal(lm_tool_generate(&m2, t, NULL, prompt.ids, prompt.n, &o, &rng, &out, &res, &err), 0);
    const int32_t want_cb[] = {TOOL, '5', RES, '5', RESE};
    assert_ids(&out, want_cb, 5);
    assert_int_equal(res.reason, LM_GEN_CALLBACK);
    assert_int_equal(g.at, 3);
    lm_ids_free(&out);
    lm_model_free(&m2);
    lm_ids_free(&prompt);
    lm_model_free(&m);
    lm_tok_free(t);
}

/* the real lm_decode, no stand-in: with no call the loop is lm_generate */
static void test_no_call_is_lm_generate(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tool_tok();
    lm_model m = tiny_model(256, 7);   /* room for 40 drawn tokens and 4 calls */
    lm_ids prompt = chat_prompt(t);
    const int32_t stop2[] = {END, EOT}, stop3[] = {END, EOT, RES};
    int without_call = 0, with_call = 0;
    for (uint64_t seed = 1; seed <= 24; seed++) {
        lm_sampling s = lm_sampling_default();
        s.greedy = seed == 1;
        lm_gen_opts g2 = {.max_new = 40, .sampling = s, .stop_ids = stop2, .n_stop = 2};
        lm_gen_opts g3 = g2;
        g3.stop_ids = stop3;
        g3.n_stop = 3;
        lm_tool_opts o = {.max_new = 40, .sampling = s};
        lm_rng r_plain, r_plain3, r_tool;
        lm_rng_seed(&r_plain, seed);
        lm_rng_seed(&r_plain3, seed);
        lm_rng_seed(&r_tool, seed);
        lm_ids plain = {0}, plain3 = {0}, tool = {0};
        lm_gen_result gp, gp3;
        lm_tool_result tr;
        lm_err err = {{0}};
        assert_int_equal(lm_generate(&m, NULL, prompt.ids, prompt.n, &g2, &r_plain, &plain, &gp, &err), 0);
        assert_int_equal(lm_generate(&m, NULL, prompt.ids, prompt.n, &g3, &r_plain3, &plain3, &gp3, &err), 0);
        assert_int_equal(lm_tool_generate(&m, t, NULL, prompt.ids, prompt.n, &o, &r_tool, &tool, &tr, &err), 0);
        /* up to the first <|result|>, all three agree */
        assert_true(tool.n >= plain3.n);
        assert_memory_equal(tool.ids, plain3.ids, plain3.n * sizeof(int32_t));
        if (!(gp3.reason == LM_GEN_STOP && gp3.stop_token == RES)) {
            /* the model never drew <|result|>: no call, and exactly
             * lm_generate (either stop set), rng included */
            without_call++;
            assert_int_equal(tr.n_calls, 0);
            assert_ids(&tool, plain3.ids, plain3.n);
            assert_ids(&tool, plain.ids, plain.n);
            assert_int_equal(tr.reason, gp3.reason);
            assert_int_equal(tr.reason, gp.reason);
            assert_int_equal(tr.stop_token, gp3.stop_token);
            assert_int_equal(tr.n_new, gp3.n_new);
            assert_int_equal(lm_rng_u32(&r_tool), lm_rng_u32(&r_plain3));
        } else {
            /* it did: the loop ran the call there and went on */
            with_call++;
            assert_true(tr.n_calls >= 1);
            assert_int_equal(tr.calls[0].result_pos, (int)plain3.n);
            assert_int_equal(tool.ids[plain3.n], RES);
        }
        lm_ids_free(&plain);
        lm_ids_free(&plain3);
        lm_ids_free(&tool);
    }
    assert_true(without_call >= 10);   /* the comparison above was made, many times */
    (void)with_call;   /* 4 of the 24 seeds draw <|result|> with this model */
    lm_ids_free(&prompt);
    lm_model_free(&m);
    lm_tok_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_call_is_run_and_fed),   cmocka_unit_test(test_call_limit),
        cmocka_unit_test(test_malformed_and_errors),  cmocka_unit_test(test_context_and_callback),
        cmocka_unit_test(test_no_call_is_lm_generate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
