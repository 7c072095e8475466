/* test_ui_tools.c - the text UI's step-by-step generation with calculator
 * calls (ui/session.h, tool use): with the chat template on and a tokeniser
 * with the tool markers, a <|result|> that ses_step appends is answered at
 * once (VALUE tokens and <|/result|> follow in the sequence), ses_undo takes
 * the answer back with the <|result|> and restores the generator, a call
 * beyond the limit stops unanswered, and without the chat template nothing
 * is answered. A tiny random model does not choose these tokens, so each
 * test forces the previewed token (sres.token) before the step; the model,
 * its forward and the session are the real ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "ui/session.h"
#include "train_fixtures.h"

/* a session over a tiny random model with the tool tokeniser, prompt "Q?" */
static void open_session(cli_ctx *ctx, ui_session *a, int chat) {
    cli_ctx_init(ctx, stdout, stderr);
    lm_config c = {.n_layer = 1, .n_head = 2, .d_model = 16, .d_mlp = 32, .n_ctx = 64,
                   .vocab_size = V_TOOLS, .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    assert_int_equal(lm_model_init(&ctx->model, &c, 11, NULL), 0);
    ctx->model_loaded = 1;
    ctx->tok = chat_tool_tok();
    memset(a, 0, sizeof *a);
    ses_init(a, ctx);
    a->chat = chat;
    ses_set_prompt(a, "Q?");
}

static void close_session(cli_ctx *ctx, ui_session *a) {
    ses_free(a);
    cli_ctx_free(ctx);
}

/* steps with tok as the previewed token */
static int step(ui_session *a, int32_t tok) {
    ses_update(a);
    assert_true(a->sres_ok);
    a->sres.token = tok;
    return ses_step(a);
}

static void assert_tail(const ui_session *a, const int32_t *want, size_t n) {
    assert_true(a->seq.n == a->n_prompt + n);
    for (size_t i = 0; i < n; i++)
        if (a->seq.ids[a->n_prompt + i] != want[i])
            fail_msg("generated id %zu is %d, want %d", i, a->seq.ids[a->n_prompt + i], want[i]);
}

static void test_step_answers_a_call(void **state) {
    (void)state;
    cli_ctx ctx;
    ui_session a;
    open_session(&ctx, &a, 1);
    assert_int_equal(a.n_prompt, 6);   /* EOT USR Q ? END AST */
    assert_int_equal(ses_tools_on(&a), 1);
    const int32_t call[] = {TOOL, '7', '*', '6'};
    for (int i = 0; i < 4; i++) assert_int_equal(step(&a, call[i]), 0);
    lm_rng before = a.rng;
    assert_int_equal(step(&a, RES), 0);   /* answered: generation goes on */
    const int32_t want[] = {TOOL, '7', '*', '6', RES, '4', '2', RESE};
    assert_tail(&a, want, 8);
    assert_int_equal(a.n_calls, 1);
    assert_string_equal(a.calls[0].value, "42");
    assert_int_equal(a.calls[0].result_pos, 4);
    assert_int_equal(a.calls[0].end_pos, 7);
    assert_non_null(strstr(a.msg, "calculator: 7*6 = 42"));
    char text[64];
    assert_string_equal(ses_call_text(&a.calls[0], text, sizeof text), "7*6 = 42");
    /* the model goes on after the answer */
    assert_int_equal(step(&a, 'o'), 0);
    assert_int_equal(a.seq.n, 6 + 9);
    assert_int_equal(step(&a, END), 1);
    /* undo: END, o, then the call whole with its <|result|> (and the rng
     * as it was before that draw) */
    assert_int_equal(ses_undo(&a), 0);
    assert_int_equal(ses_undo(&a), 0);
    assert_tail(&a, want, 8);
    assert_int_equal(ses_undo(&a), 0);
    assert_tail(&a, call, 4);
    assert_int_equal(a.n_calls, 0);
    assert_memory_equal(&a.rng, &before, sizeof before);
    /* and the same step answers again */
    assert_int_equal(step(&a, RES), 0);
    assert_tail(&a, want, 8);
    assert_int_equal(a.n_calls, 1);
    close_session(&ctx, &a);
}

static void test_limit_and_chat_off(void **state) {
    (void)state;
    cli_ctx ctx;
    ui_session a;
    open_session(&ctx, &a, 1);
    for (int k = 0; k < LM_TOOL_MAX_CALLS; k++) {
        assert_int_equal(step(&a, TOOL), 0);
        assert_int_equal(step(&a, '1' + k), 0);
        assert_int_equal(step(&a, RES), 0);
    }
    assert_int_equal(a.n_calls, 4);
    assert_string_equal(a.calls[3].value, "4");
    size_t n = a.seq.n;
    assert_int_equal(step(&a, TOOL), 0);
    assert_int_equal(step(&a, '5'), 0);
    assert_int_equal(step(&a, RES), 1);   /* one more: stops, unanswered */
    assert_int_equal(a.n_calls, 4);
    assert_int_equal(a.seq.n, n + 3);
    assert_int_equal(a.seq.ids[a.seq.n - 1], RES);
    assert_non_null(strstr(a.msg, "at most 4"));
    /* re-encoding the prompt forgets the calls */
    ses_reencode(&a);
    assert_int_equal(a.n_calls, 0);
    /* a malformed call is answered with an error */
    assert_int_equal(step(&a, RES), 0);
    assert_int_equal(a.calls[0].status, LM_TOOL_MALFORMED);
    assert_string_equal(a.calls[0].value, LM_TOOL_MALFORMED_TEXT);
    close_session(&ctx, &a);

    /* without the chat template a <|result|> is only a token */
    open_session(&ctx, &a, 0);
    assert_int_equal(ses_tools_on(&a), 0);
    assert_int_equal(step(&a, TOOL), 0);
    assert_int_equal(step(&a, '2'), 0);
    assert_int_equal(step(&a, RES), 0);
    const int32_t want[] = {TOOL, '2', RES};
    assert_tail(&a, want, 3);
    assert_int_equal(a.n_calls, 0);
    close_session(&ctx, &a);

    /* a tokeniser without the tool markers: no tools */
    open_session(&ctx, &a, 1);
    lm_tok_free(ctx.tok);
    ctx.tok = chat_tok();
    assert_int_equal(ses_tools_on(&a), 0);
    close_session(&ctx, &a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_answers_a_call),
        cmocka_unit_test(test_limit_and_chat_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
