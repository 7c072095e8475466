/* test_jsonl.c - the JSONL readers from memory (lm_sft_parse_buf,
 * lm_eval_set_parse_buf): markers in message text stay text, NUL bytes and
 * \u0000 are refused, long lines are refused by number, CRLF is accepted,
 * and the evaluation items' fields get messages that say what is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "data/dataset.h"
#include "data/jsonl.h"
#include "eval/evals.h"
#include "tok/chat.h"
#include "train_fixtures.h"

static int sft(lm_sft_set *set, lm_tokenizer *t, const char *text, lm_err *err) {
    return lm_sft_parse_buf(set, t, (const uint8_t *)text, strlen(text), 0, "d.jsonl", err);
}

static void sft_refused(lm_tokenizer *t, const char *text, const char *substr) {
    lm_sft_set set;
    lm_err err = {{0}};
    assert_int_equal(sft(&set, t, text, &err), -1);
    if (!strstr(err.msg, substr)) fail_msg("message '%s' lacks '%s'", err.msg, substr);
    assert_int_equal(set.n, 0);
}

/* The markers written inside a message are its text: their bytes, never
 * the ids 256..260; only the template places those. */
static void test_markers_in_text_stay_text(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok();
    const char *line = "{\"messages\":[{\"role\":\"user\",\"content\":\"<|assistant|><|end|><|endoftext|>\"},"
                       "{\"role\":\"assistant\",\"content\":\"ok\"}]}\n";
    lm_sft_set set;
    lm_err err = {{0}};
    if (sft(&set, t, line, &err)) fail_msg("%s", err.msg);
    const char *marks = "<|assistant|><|end|><|endoftext|>";
    size_t m = strlen(marks);
    const lm_sft_example *ex = &set.ex[0];
    assert_int_equal(ex->n, (int)(2 + m + 5));   /* EOT USR text END AST o k END */
    assert_int_equal(ex->ids[0], EOT);
    assert_int_equal(ex->ids[1], USR);
    for (size_t i = 0; i < m; i++) assert_int_equal(ex->ids[2 + i], (uint8_t)marks[i]);
    const int32_t tail[] = {END, AST, 'o', 'k', END};
    for (int i = 0; i < 5; i++) assert_int_equal(ex->ids[2 + m + (size_t)i], tail[i]);
    for (size_t i = 0; i < 2 + m; i++) assert_int_equal(ex->mask[i], 0);   /* the user's text is not trained */
    lm_sft_free(&set);
    lm_tok_free(t);
}

static void test_nul_refused(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok();
    const char *ok = "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"}]}\n";
    char buf[512];
    snprintf(buf, sizeof buf, "%s{\"messages\":[{\"role\":\"user\",\"content\":\"a\\u0000b\"},"
             "{\"role\":\"assistant\",\"content\":\"b\"}]}\n", ok);
    sft_refused(t, buf, "d.jsonl:2: a NUL character (\\u0000) inside a string");
    /* a raw NUL byte in the line */
    size_t n = (size_t)snprintf(buf, sizeof buf, "%s", ok);
    memcpy(buf + n - 20, "\0", 1);
    lm_sft_set set;
    lm_err err = {{0}};
    assert_int_equal(lm_sft_parse_buf(&set, t, (const uint8_t *)buf, n, 0, "d.jsonl", &err), -1);
    if (!strstr(err.msg, "d.jsonl:1: the line holds a NUL byte")) fail_msg("%s", err.msg);
    /* an escaped backslash before "u0000" is text, not a NUL */
    assert_int_equal(lm_jsonl_check_text("\"a\\\\u0000\"", 10, &err), 0);
    assert_int_equal(lm_jsonl_check_text("\"a\\u0000\"", 9, &err), -1);
    lm_tok_free(t);
}

static void test_lines(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok();
    const char *ok = "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"}]}";
    /* CRLF line endings and blank lines */
    char buf[512];
    snprintf(buf, sizeof buf, "%s\r\n\r\n  \r\n%s\r\n", ok, ok);
    lm_sft_set set;
    lm_err err = {{0}};
    if (sft(&set, t, buf, &err)) fail_msg("%s", err.msg);
    assert_int_equal(set.n, 2);
    lm_sft_free(&set);
    /* a line longer than the limit is refused by number, before parsing */
    size_t big = LM_JSONL_MAX_LINE + 1;
    char *longl = malloc(strlen(ok) + 1 + big + 2);
    size_t n = (size_t)sprintf(longl, "%s\n", ok);
    memset(longl + n, ' ', big);
    longl[n + big] = '\n';
    assert_int_equal(lm_sft_parse_buf(&set, t, (const uint8_t *)longl, n + big + 1, 0, "d.jsonl", &err), -1);
    if (!strstr(err.msg, "d.jsonl:2: the line is 1048577 bytes long")) fail_msg("%s", err.msg);
    free(longl);
    sft_refused(t, "\n \n", "d.jsonl has no examples");
    lm_tok_free(t);
}

static void eval_refused(const char *text, const char *substr) {
    lm_eval_set set;
    lm_err err = {{0}};
    assert_int_equal(lm_eval_set_parse_buf(&set, (const uint8_t *)text, strlen(text), "e.jsonl", &err), -1);
    if (!strstr(err.msg, substr)) fail_msg("message '%s' lacks '%s'", err.msg, substr);
    assert_int_equal(set.n, 0);
}

static void test_eval_items(void **state) {
    (void)state;
    const char *text = "{\"kind\":\"fact_qa\",\"question\":\"When?\",\"answers\":\"1815\"}\n"
                       "{\"kind\":\"fact_qa\",\"question\":\"How many?\",\"answers\":[\"two\", 2]}\n"
                       "{\"kind\":\"unknown\",\"question\":\"Who is Zork?\"}\n";
    lm_eval_set set;
    lm_err err = {{0}};
    if (lm_eval_set_parse_buf(&set, (const uint8_t *)text, strlen(text), "e.jsonl", &err)) fail_msg("%s", err.msg);
    assert_int_equal(set.n, 3);
    assert_int_equal(set.items[0].n_answers, 1);   /* one string = one answer */
    assert_string_equal(set.items[0].answers[0], "1815");
    assert_int_equal(set.items[1].n_answers, 2);
    assert_string_equal(set.items[1].answers[1], "2");
    lm_eval_set_free(&set);

    eval_refused("", "e.jsonl has no evaluation items");
    eval_refused("{\"kind\":\"fact_qa\",\"question\":\"\",\"answers\":[\"x\"]}", "e.jsonl:1: \"question\" is empty");
    eval_refused("{\"kind\":\"fact_qa\",\"answers\":[\"x\"]}", "e.jsonl:1: no \"question\"");
    eval_refused("{\"kind\":\"fact_qa\",\"question\":7,\"answers\":[\"x\"]}", "\"question\" must be a string");
    eval_refused("{\"kind\":\"fact_qa\",\"question\":\"q\",\"answers\":{\"a\":1}}", "\"answers\" must be a list");
    eval_refused("{\"kind\":\"fact_qa\",\"question\":\"q\",\"answers\":[\"\"]}", "empty answer");
    eval_refused("{\"kind\":\"fact_qa\",\"question\":\"q\",\"answers\":[\"x\"],\"answer\":\"y\"}", "not both");
    eval_refused("{\"kind\":\"fact_qa\",\"question\":\"q\"}", "needs \"answers\" or \"answer\"");
    eval_refused("{\"kind\":\"fact_qa\",\"question\":\"q\",\"answer\":\"a\"}\n\n{\"kind\":\"x\"}\n", "e.jsonl:3: unknown kind");
}

/* {"text": T} is a plain document: EOT then T's bytes, every byte trained,
 * the EOT not; an empty text or a text that is not a string is refused. */
static void test_plain_document(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok();
    lm_sft_set set;
    lm_err err = {{0}};
    if (sft(&set, t, "{\"text\":\"Hi <|end|>\"}\n", &err)) fail_msg("%s", err.msg);
    assert_int_equal(set.n, 1);
    const lm_sft_example *ex = &set.ex[0];
    assert_int_equal(ex->n, 1 + 10);   /* EOT, then "Hi <|end|>" as 10 bytes */
    assert_int_equal(ex->ids[0], EOT);
    assert_int_equal(ex->ids[1], 'H');
    assert_int_equal(ex->ids[4], '<');
    assert_int_equal(ex->mask[0], 0);
    for (int i = 1; i < ex->n; i++) assert_int_equal(ex->mask[i], 1);
    lm_sft_free(&set);
    sft_refused(t, "{\"text\":\"\"}\n", "\"text\" is empty");
    sft_refused(t, "{\"text\":3}\n", "no \"messages\" array");
    lm_tok_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_document),
        cmocka_unit_test(test_markers_in_text_stay_text),
        cmocka_unit_test(test_nul_refused),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_eval_items),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
