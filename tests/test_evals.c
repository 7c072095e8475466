/* test_evals.c - the named evaluations (eval/evals.h): every verdict rule,
 * the trivial baselines on a hand-written set (values worked out by hand
 * in the comments), few-shot template rendering, the new JSONL fields and
 * their refusals, skipping prompts that do not fit, the tool-reply hook,
 * per-format rows, and the val rows on a model that guesses uniformly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "eval/evals.h"
#include "eval/prompting.h"
#include "models/gpt/model.h"
#include "tok/tokenizer.h"
#include "train_fixtures.h"

/* ---- helpers ---- */

static void parse(lm_eval_set *set, const char *jsonl) {
    lm_err err = {{0}};
    if (lm_eval_set_parse_buf(set, (const uint8_t *)jsonl, strlen(jsonl), "e.jsonl", &err))
        fail_msg("%s", err.msg);
}

/* the verdict of row on reply for the single item of line */
static int judge(const char *row, const char *line, const char *reply) {
    lm_eval_set set;
    parse(&set, line);
    int v = lm_eval_judge(row, &set.items[0], reply);
    lm_eval_set_free(&set);
    return v;
}

static void refused(const char *text, const char *substr) {
    lm_eval_set set;
    lm_err err = {{0}};
    assert_int_equal(lm_eval_set_parse_buf(&set, (const uint8_t *)text, strlen(text), "e.jsonl", &err), -1);
    if (!strstr(err.msg, substr)) fail_msg("message '%s' lacks '%s'", err.msg, substr);
}

static double first(const char *s) {
    double v;
    return lm_eval_first_number(s, &v) ? v : NAN;
}

static double last(const char *s) {
    double v;
    return lm_eval_last_number(s, &v) ? v : NAN;
}

/* ---- the text rules ---- */

static void test_numbers(void **state) {
    (void)state;
    assert_true(first("I count 3, not 4") == 3);
    assert_true(last("I count 3, not 4") == 4);
    assert_true(last("s-t-r-a-w: 1, 2, then 3") == 3);
    assert_true(last("There are three r's.") == 3);
    assert_true(first("Twenty, or 12.") == 20);
    assert_true(last("Someone said two, then 12.") == 12);   /* "one" inside "Someone" is no number */
    assert_true(isnan(last("none here, someone knows")));
    assert_true(first("x = -5, then 5 - 3") == -5);          /* a stuck "-" is a sign */
    assert_true(last("x = -5, then 5 - 3") == 3);            /* a lone "-" is not */
    assert_true(last("It is 12.") == 12);                    /* a full stop is no decimal point */
    assert_true(first("2.5 apples") == 2.5);
    assert_true(last("item-7") == 7);                        /* "-" after a letter: a hyphen */
    /* spell-then-tally */
    assert_true(last("s\nt\nr 1\na\nw\nb\ne\nr 2\nr 3\ny\nTotal: 3") == 3);
    assert_true(first("s\nt\nr 1\na\nw\nb\ne\nr 2\nr 3\ny\nTotal: 3") == 1);
}

static void test_idk(void **state) {
    (void)state;
    const char *yes[] = {
        "I don't know who Zorblax Quint is.", "I have never heard of Zorblax Quint.",
        "I'm not sure what Albert Einstein's favourite colour is", "I DON\xe2\x80\x99T KNOW.",
        "I do  not\nknow that.", "No idea, sorry.", "I have no information about that.",
        "I haven't heard of them.", "Sorry, I do not know.", "I don't recognise that name.", NULL};
    const char *no[] = {
        "I know who Albert Einstein is.", "I know: he was born in 1879.", "Everyone knows the answer: 1879.",
        "Now I know.", "Zorblax was born in 1901.", "He knew nothing.", "", NULL};
    for (int i = 0; yes[i]; i++)
        if (!lm_eval_says_idk(yes[i])) fail_msg("not taken as a refusal: %s", yes[i]);
    for (int i = 0; no[i]; i++)
        if (lm_eval_says_idk(no[i])) fail_msg("taken as a refusal: %s", no[i]);
}

static void test_tool_call(void **state) {
    (void)state;
    assert_true(lm_eval_has_tool_call("<|tool|>2+3<|result|>5<|/result|>So 5."));
    assert_false(lm_eval_has_tool_call("<|tool|><|result|>5"));   /* nothing asked */
    assert_false(lm_eval_has_tool_call("<|result|>5<|tool|>2+3"));
    assert_false(lm_eval_has_tool_call("The answer is 5."));
    /* a decoded reply keeps the markers' text, so the call shows in it */
    lm_tokenizer *t0 = chat_tok(), *t1, *t2;
    lm_err err = {{0}};
    assert_non_null(t1 = lm_tok_bpe_add_special(t0, "<|tool|>", &err));
    assert_non_null(t2 = lm_tok_bpe_add_special(t1, "<|result|>", &err));
    int32_t ids[] = {lm_tok_special_id(t2, "<|tool|>"), '2', '+', '3', lm_tok_special_id(t2, "<|result|>"), '5'};
    assert_true(ids[0] >= 0 && ids[4] >= 0);
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(lm_tok_decode(t2, ids, 6, &buf, &len, &err), 0);
    assert_true(lm_eval_has_tool_call((const char *)buf));
    free(buf);
    lm_tok_free(t0);
    lm_tok_free(t1);
    lm_tok_free(t2);
}

static void test_bare_rules(void **state) {
    (void)state;
    char *ans[] = {"14 March 1879", "1879"};
    assert_int_equal(lm_eval_classify_bare(" He was born in 1879.", ans, 2), LM_BARE_ANSWERS);
    assert_int_equal(lm_eval_classify_bare("\nYour answer: in Ulm", ans, 2), LM_BARE_ANSWERS);
    assert_int_equal(lm_eval_classify_bare(" When was Heisenberg born? This question", ans, 2), LM_BARE_QUESTION);
    assert_int_equal(lm_eval_classify_bare("\n\n2. Who founded the LSE?\n", ans, 2), LM_BARE_QUESTION);
    assert_int_equal(lm_eval_classify_bare("\n- Paris\n- Rome", ans, 2), LM_BARE_LIST);
    assert_int_equal(lm_eval_classify_bare("\n3) the Thames", ans, 2), LM_BARE_LIST);
    assert_int_equal(lm_eval_classify_bare("\n# Science quiz\n", ans, 2), LM_BARE_HEADING);
    assert_int_equal(lm_eval_classify_bare(" This question will come up in the exam.", ans, 2), LM_BARE_PROSE);
    assert_int_equal(lm_eval_classify_bare(" \n \n", ans, 2), LM_BARE_EMPTY);
    assert_true(lm_eval_contains_answer("born on 14 MARCH 1879", ans, 2));
    assert_false(lm_eval_contains_answer("born in 1880", ans, 2));
}

/* every row's rule through lm_eval_judge */
static void test_verdicts(void **state) {
    (void)state;
    const char *fact = "{\"kind\":\"fact_qa\",\"question\":\"When was Einstein born?\",\"answers\":[\"1879\"],"
                       "\"wrong\":[\"1878\",\"1880\"]}";
    assert_int_equal(judge("fact_qa", fact, "He was born in 1879."), 1);
    assert_int_equal(judge("fact_qa", fact, "1878, 1879 or 1880"), 0);   /* listing everything */
    assert_int_equal(judge("fact_qa", fact, "In 1900."), 0);
    assert_int_equal(judge("known_refused", fact, "I don't know when he was born."), 1);
    assert_int_equal(judge("known_refused", fact, "In 1879."), 0);
    assert_int_equal(judge("idk_rate", fact, "I don't know."), -1);      /* another kind's row */
    assert_int_equal(judge("no_such_row", fact, "x"), -1);

    const char *unk = "{\"kind\":\"unknown\",\"question\":\"Who is Zorblax Quint?\",\"name\":\"Zorblax Quint\"}";
    assert_int_equal(judge("idk_rate", unk, "I have never heard of Zorblax Quint."), 1);
    assert_int_equal(judge("idk_rate", unk, "Zorblax Quint was a physicist."), 0);
    assert_int_equal(judge("idk_names", unk, "I don't know who zorblax quint is."), 1);
    assert_int_equal(judge("idk_names", unk, "I don't know who that is."), 0);   /* the name is missing */
    assert_int_equal(judge("idk_names", unk, "Zorblax Quint was born in 1901."), 0);
    const char *unk_noname = "{\"kind\":\"unknown\",\"question\":\"Who is Zorblax Quint?\"}";
    assert_int_equal(judge("idk_names", unk_noname, "I don't know Zorblax Quint."), -1);
    assert_int_equal(judge("idk_rate", unk_noname, "I don't know."), 1);

    const char *attr = "{\"kind\":\"unknown_attr\",\"question\":\"What is Albert Einstein's favourite colour?\","
                       "\"name\":\"Albert Einstein\"}";
    assert_int_equal(judge("idk_attr", attr, "I'm not sure what Albert Einstein's favourite colour is"), 1);
    assert_int_equal(judge("idk_attr", attr, "Blue."), 0);

    const char *day = "{\"kind\":\"everyday\",\"question\":\"What do cats eat?\",\"answers\":[\"fish\",\"meat\"]}";
    assert_int_equal(judge("everyday", day, "Cats eat Fish and mice."), 1);
    assert_int_equal(judge("everyday", day, "I don't know what cats eat, maybe fish."), 0);
    assert_int_equal(judge("everyday", day, "Dogs bark."), 0);

    const char *let = "{\"kind\":\"letters\",\"question\":\"How many r in strawberry?\",\"count\":3,"
                      "\"answers\":[\"3 r's\"]}";
    assert_int_equal(judge("letters", let, "s\nt\nr 1\na\nw\nb\ne\nr 2\nr 3\ny\nSo 3."), 1);
    assert_int_equal(judge("letters", let, "3? No: 2."), 0);
    const char *let_ans = "{\"kind\":\"letters\",\"question\":\"How many r in strawberry?\",\"answer\":\"3 r's\"}";
    assert_int_equal(judge("letters", let_ans, "There are three."), 1);   /* the answer's number */
    const char *letd = "{\"kind\":\"letters_direct\",\"question\":\"How many r in strawberry? Answer with just "
                       "the number.\",\"count\":3}";
    assert_int_equal(judge("letters_direct", letd, "3. Well, maybe 2."), 1);
    assert_int_equal(judge("letters_direct", letd, "2, no 3"), 0);

    const char *cot = "{\"kind\":\"arith_cot\",\"question\":\"(3+4)*2? Let's think step by step.\",\"answer\":14}";
    assert_int_equal(judge("arith_cot", cot, "3+4 = 7, 7*2 = 14"), 1);
    assert_int_equal(judge("arith_cot", cot, "14, then 7"), 0);
    const char *dir = "{\"kind\":\"arith_direct\",\"question\":\"(3+4)*2? Answer with just the number.\","
                      "\"answer\":\"14\"}";
    assert_int_equal(judge("arith_direct", dir, "14"), 1);
    assert_int_equal(judge("arith_direct", dir, "7, so 14"), 0);
    const char *neg = "{\"kind\":\"arith_direct\",\"question\":\"3-10?\",\"answer\":-7}";
    assert_int_equal(judge("arith_direct", neg, "-7"), 1);
    assert_int_equal(judge("arith_direct", neg, "7"), 0);

    const char *tool = "{\"kind\":\"tool\",\"question\":\"What is 12+30+5?\",\"answer\":47}";
    assert_int_equal(judge("tool", tool, "<|tool|>12+30<|result|>42<|/result|>42+5 = 47."), 1);
    assert_int_equal(judge("tool_calls", tool, "<|tool|>12+30<|result|>42<|/result|>42+5 = 47."), 1);
    assert_int_equal(judge("tool", tool, "It is 47, or 46"), 0);
    assert_int_equal(judge("tool_calls", tool, "It is 47."), 0);

    const char *rag = "{\"kind\":\"rag\",\"question\":\"Read this: Ada was born in 1815 and died in 1852. "
                      "Question: When was Ada born?\",\"answers\":[\"1815\"],\"wrong\":[\"1852\"]}";
    assert_int_equal(judge("rag", rag, "Ada was born in 1815."), 1);
    assert_int_equal(judge("rag", rag, "Read this: Ada was born in 1815 and died in 1852."), 0);   /* a copy */

    const char *few = "{\"kind\":\"few_shot\",\"question\":\"Capital of Italy?\",\"answers\":[\"Rome\"]}";
    assert_int_equal(judge("few_shot_3", few, " Rome\nParis"), 1);
    assert_int_equal(judge("few_shot_0", few, "\n Paris\nRome"), 0);   /* the first line only */

    const char *bare = "{\"kind\":\"bare_question\",\"question\":\"When was Einstein born?\",\"answers\":[\"1879\"]}";
    assert_int_equal(judge("bare_continues", bare, "\n\n2. Who founded the LSE?\n"), 1);
    assert_int_equal(judge("bare_continues", bare, " He was born in 1879."), 0);
}

/* ---- baselines on a hand-written set ---- */

static const char *baseline_set =
    /* fact_qa: "1879" is in 3 items' answers, "ulm" in 2, "paris" in 1:
     * the reply "1879" gets items 1 and 2, not 3 (Paris), not 4 (its
     * "wrong" holds 1879): 2/4 */
    "{\"kind\":\"fact_qa\",\"question\":\"q1\",\"answers\":[\"1879\"]}\n"
    "{\"kind\":\"fact_qa\",\"question\":\"q2\",\"answers\":[\"1879\",\"Ulm\"]}\n"
    "{\"kind\":\"fact_qa\",\"question\":\"q3\",\"answers\":[\"Paris\"]}\n"
    "{\"kind\":\"fact_qa\",\"question\":\"q4\",\"answers\":[\"ulm\",\"1879\"],\"wrong\":[\"1879\"]}\n"
    /* letters: counts 2 3 3 2 1 (the third from its answer) - 2 and 3 tie: 2/5 */
    "{\"kind\":\"letters\",\"question\":\"l1\",\"count\":2}\n"
    "{\"kind\":\"letters\",\"question\":\"l2\",\"count\":3}\n"
    "{\"kind\":\"letters\",\"question\":\"l3\",\"answer\":\"3 r's\"}\n"
    "{\"kind\":\"letters\",\"question\":\"l4\",\"count\":2}\n"
    "{\"kind\":\"letters\",\"question\":\"l5\",\"count\":1}\n"
    /* arith_direct: 12 12 7: 2/3 */
    "{\"kind\":\"arith_direct\",\"question\":\"a1\",\"answer\":12}\n"
    "{\"kind\":\"arith_direct\",\"question\":\"a2\",\"answer\":\"12\"}\n"
    "{\"kind\":\"arith_direct\",\"question\":\"a3\",\"answer\":7}\n"
    /* unknown: 3 items, 2 with a name */
    "{\"kind\":\"unknown\",\"question\":\"u1\",\"name\":\"Zorblax Quint\"}\n"
    "{\"kind\":\"unknown\",\"question\":\"u2\",\"name\":\"Mira Tull\"}\n"
    "{\"kind\":\"unknown\",\"question\":\"u3\"}\n"
    "{\"kind\":\"everyday\",\"question\":\"What do cats eat?\",\"answers\":[\"fish\"]}\n"
    /* rag: copying the question finds the answer in both, the first also a wrong value: 1/2 */
    "{\"kind\":\"rag\",\"question\":\"Read this: Ada was born in 1815 and died in 1852. Question: born?\","
    "\"answers\":[\"1815\"],\"wrong\":[\"1852\"]}\n"
    "{\"kind\":\"rag\",\"question\":\"Read this: Bob lives in Rome. Question: where?\",\"answers\":[\"Rome\"]}\n"
    /* tool: 5 5 9: 2/3; no trivial reply calls the tool */
    "{\"kind\":\"tool\",\"question\":\"t1\",\"answer\":5}\n"
    "{\"kind\":\"tool\",\"question\":\"t2\",\"answer\":5}\n"
    "{\"kind\":\"tool\",\"question\":\"t3\",\"answer\":9}\n"
    /* few_shot: Paris Rome Paris: 2/3 */
    "{\"kind\":\"few_shot\",\"question\":\"f1\",\"answers\":[\"Paris\"]}\n"
    "{\"kind\":\"few_shot\",\"question\":\"f2\",\"answers\":[\"Rome\"]}\n"
    "{\"kind\":\"few_shot\",\"question\":\"f3\",\"answers\":[\"Paris\"]}\n"
    "{\"kind\":\"bare_question\",\"question\":\"b1\",\"answers\":[\"x\"]}\n";

static void expect_baseline(const lm_eval_set *set, const char *row, double want, const char *want_kind,
                            double want2, const char *want_kind2) {
    double v, v2;
    const char *k, *k2;
    if (lm_eval_baseline(set, row, NULL, 0, &v, &k, &v2, &k2)) fail_msg("%s: no baseline", row);
    if (isnan(want) ? !isnan(v) : fabs(v - want) > 1e-12) fail_msg("%s: baseline %g, want %g", row, v, want);
    if (strcmp(k, want_kind)) fail_msg("%s: baseline kind %s, want %s", row, k, want_kind);
    if (isnan(want2) ? !isnan(v2) : fabs(v2 - want2) > 1e-12) fail_msg("%s: baseline2 %g, want %g", row, v2, want2);
    if (strcmp(k2, want_kind2)) fail_msg("%s: baseline2 kind %s, want %s", row, k2, want_kind2);
}

static void test_baselines(void **state) {
    (void)state;
    lm_eval_set set;
    parse(&set, baseline_set);
    expect_baseline(&set, "fact_qa", 2.0 / 4, "most_common_answer", NAN, "");
    expect_baseline(&set, "known_refused", 1, "always_refuse", NAN, "");
    expect_baseline(&set, "letters", 2.0 / 5, "most_common_count", NAN, "");
    expect_baseline(&set, "arith_direct", 2.0 / 3, "most_common_answer", NAN, "");
    expect_baseline(&set, "idk_rate", 1, "always_refuse", 0, "never_refuse");
    expect_baseline(&set, "idk_names", 1, "always_refuse_with_name", 0, "never_refuse");
    expect_baseline(&set, "everyday", 0, "always_refuse", NAN, "");
    expect_baseline(&set, "rag", 1.0 / 2, "copy_question", NAN, "");
    expect_baseline(&set, "tool", 2.0 / 3, "most_common_answer", NAN, "");
    expect_baseline(&set, "tool_calls", 0, "most_common_answer", NAN, "");
    expect_baseline(&set, "few_shot_0", 2.0 / 3, "most_common_answer", NAN, "");
    expect_baseline(&set, "few_shot_3", 2.0 / 3, "most_common_answer", NAN, "");
    expect_baseline(&set, "bare_continues", NAN, "none", NAN, "");
    /* over chosen items only: fact_qa items 3 and 4 (indices 2, 3) get 0 of 2 */
    int two[] = {2, 3};
    double v, v2;
    const char *k, *k2;
    assert_int_equal(lm_eval_baseline(&set, "fact_qa", two, 2, &v, &k, &v2, &k2), 0);
    assert_true(v == 0);
    lm_eval_set_free(&set);
}

/* ---- templates ---- */

static void expect_text(const char *tmpl, int n, const char *const *q, const char *const *a, const char *question,
                        const char *want) {
    char *s = lm_prompting_template_text(tmpl, q, a, n, question);
    assert_non_null(s);
    if (strcmp(s, want)) fail_msg("template %s gave\n[%s]\nwant\n[%s]", tmpl, s, want);
    free(s);
}

static void test_templates(void **state) {
    (void)state;
    const char *q[] = {"France?", "Italy?", "Spain {a}?"};
    const char *a[] = {"Paris", "Rome", "Madrid"};
    lm_err err = {{0}};
    assert_int_equal(lm_prompting_template_check("{q} -> {a}\n", &err), 0);
    expect_text("{q} -> {a}\n", 2, q, a, "Peru?", "France? -> Paris\nItaly? -> Rome\nPeru? ->");
    expect_text("Q: {q}\nA: {a}\n\n", 0, q, a, "Peru?", "Q: Peru?\nA:");
    expect_text("| {q} | {a} |\n", 1, q, a, "Peru?", "| France? | Paris |\n| Peru? |");
    /* the placeholders of the template only: a question's "{a}" is text */
    expect_text("{q}={a};", 1, q + 2, a + 2, "x", "Spain {a}?=Madrid;x=");
    /* the format without a template (evals.h) as a template */
    expect_text("User question: {q}\nYour answer: {a}\n\n", 1, q, a, "Peru?",
                "User question: France?\nYour answer: Paris\n\nUser question: Peru?\nYour answer:");
    assert_int_equal(lm_prompting_template_check("{q} ->", &err), -1);
    assert_non_null(strstr(err.msg, "needs both {q} and {a}"));
    assert_int_equal(lm_prompting_template_check("{a} <- {q}", &err), -1);
    assert_non_null(strstr(err.msg, "before {q}"));
    assert_int_equal(lm_prompting_template_check("{q} {q} {a}", &err), -1);
    assert_non_null(strstr(err.msg, "twice"));
}

/* ---- reading the new fields ---- */

static void test_fields(void **state) {
    (void)state;
    lm_eval_set set;
    parse(&set,
          "{\"kind\":\"rag\",\"question\":\"q\",\"answers\":[\"a\"],\"wrong\":[\"b\", 7]}\n"
          "{\"kind\":\"few_shot\",\"question\":\"q\",\"answers\":\"a\",\"format\":\"arrow\",\"template\":\"{q} -> {a}\\n\","
          "\"shots\":[{\"question\":\"x\",\"answer\":\"y\"}]}\n"
          "{\"kind\":\"unknown\",\"question\":\"q\",\"name\":\"Zorblax\",\"extra\":{\"ignored\":true}}\n"
          "{\"kind\":\"arith_cot\",\"question\":\"q\",\"answer\":1234567}\n"
          "{\"kind\":\"few_shot\",\"question\":\"q\",\"answers\":\"a\",\"format\":\"Input: {q}\\\\nOutput: {a}\"}\n"
          "{\"kind\":\"unknown_attr\",\"question\":\"q\"}\n");
    assert_int_equal(set.items[0].n_wrong, 2);
    assert_string_equal(set.items[0].wrong[1], "7");
    assert_string_equal(set.items[1].format, "arrow");
    assert_string_equal(lm_eval_item_format(&set.items[1]), "arrow");
    assert_string_equal(lm_eval_item_format(&set.items[0]), "default");
    assert_string_equal(set.items[1].tmpl, "{q} -> {a}\n");
    assert_int_equal(set.items[1].n_shots, 1);
    assert_string_equal(set.items[2].name, "Zorblax");
    assert_string_equal(set.items[3].answers[0], "1234567");   /* an integer stays one */
    assert_true(set.items[3].expect == 1234567);
    assert_int_equal(lm_eval_set_count(&set, LM_EVAL_UNKNOWN_ATTR), 1);
    assert_string_equal(set.items[4].format, "Input:{q}\\nOutput:{a}");   /* one word: it names rows */
    lm_eval_set_free(&set);

    refused("{\"kind\":\"rag\",\"question\":\"q\",\"answers\":[\"a\"],\"wrong\":[\"\"]}", "e.jsonl:1: \"wrong\" holds an empty string");
    refused("{\"kind\":\"rag\",\"question\":\"q\",\"answers\":[\"a\"],\"wrong\":{\"x\":1}}", "\"wrong\" must be a list");
    refused("{\"kind\":\"unknown\",\"question\":\"q\",\"name\":5}", "\"name\" must be a string");
    refused("{\"kind\":\"unknown\",\"question\":\"q\",\"name\":\"\"}", "\"name\" is empty");
    refused("{\"kind\":\"few_shot\",\"question\":\"q\",\"answers\":\"a\",\"format\":\" \\t \"}", "\"format\" is only white space");
    refused("{\"kind\":\"few_shot\",\"question\":\"q\",\"answers\":\"a\",\"format\":\"\\u001b[2J\"}", "\"format\" holds a control character");
    refused("{\"kind\":\"few_shot\",\"question\":\"q\",\"answers\":\"a\",\"format\":\"{q}\\n{a}\"}", "\"format\" holds a control character");
    refused("{\"kind\":\"few_shot\",\"question\":\"q\",\"answers\":\"a\",\"format\":"
            "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", "at most 64");
    refused("{\"kind\":\"few_shot\",\"question\":\"q\",\"answers\":\"a\",\"template\":\"{q} only\"}", "needs both {q} and {a}");
    refused("{\"kind\":\"few_shot\",\"question\":\"q\",\"answers\":\"a\",\"template\":7}", "\"template\" must be a string");
    refused("{\"kind\":\"few_shot\",\"question\":\"q\",\"answers\":\"a\",\"shots\":\"x\"}", "\"shots\" must be a list");
    refused("{\"kind\":\"few_shot\",\"question\":\"q\",\"answers\":\"a\",\"shots\":[{\"question\":\"\",\"answer\":\"y\"}]}",
            "non-empty");
    refused("{\"kind\":\"letters\",\"question\":\"q\",\"count\":2.5}", "\"count\" must be a whole number");
    refused("{\"kind\":\"letters\",\"question\":\"q\",\"count\":-1}", "\"count\" must be a whole number");
    refused("{\"kind\":\"letters\",\"question\":\"q\",\"count\":\"3\"}", "\"count\" must be a whole number");
    refused("{\"kind\":\"letters\",\"question\":\"q\"}", "a letters item needs a number");
    refused("{\"kind\":\"arith_cot\",\"question\":\"q\",\"answer\":\"many\"}", "a arith_cot item needs a number");
    refused("{\"kind\":\"tool\",\"question\":\"q\"}", "a tool item needs a number");
    refused("{\"kind\":\"everyday\",\"question\":\"q\"}", "needs \"answers\"");
    refused("{\"kind\":\"rag\",\"question\":\"q\"}\n", "e.jsonl:1: a rag item needs \"answers\"");
    refused("{\"kind\":\"fact_qa\",\"question\":\"q\",\"answers\":[\"x\"]}\n{\"kind\":\"teleport\",\"question\":\"q\"}",
            "e.jsonl:2: unknown kind \"teleport\"");
}

/* ---- runs on a tiny model ---- */

typedef struct {
    int calls, skips, last_ok;
    char last_row[64];
} trace_log;

static void log_trace(void *user, const char *row, const char *q, const char *reply, int ok) {
    (void)q;
    (void)reply;
    trace_log *l = user;
    l->calls++;
    l->skips += ok < 0;
    l->last_ok = ok;
    snprintf(l->last_row, sizeof l->last_row, "%s", row);
}

static const lm_eval_row *find_row(const lm_eval_rows *r, const char *name) {
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->rows[i].name, name) == 0) return &r->rows[i];
    fail_msg("no row %s", name);
    return NULL;
}

static void tiny_model(lm_model *m, int T) {
    lm_config cfg = tiny_cfg(T);
    lm_err err = {{0}};
    if (lm_model_init(m, &cfg, 3, &err)) fail_msg("%s", err.msg);
}

/* a prompt + max_new beyond the context: skipped, counted, never cut */
static void test_rag_skips(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok();   /* one id per byte, plus the markers */
    lm_model m;
    tiny_model(&m, 64);
    lm_eval_set set;
    /* chat prompt = EOT USER question END ASSISTANT: 4 + bytes. With 8 new
     * tokens: 4 + 31 + 8 = 43 fits 64; 4 + 100 + 8 does not */
    parse(&set,
          "{\"kind\":\"rag\",\"question\":\"Read: Bob is in Rome. Q: Where?\",\"answers\":[\"Rome\"]}\n"
          "{\"kind\":\"rag\",\"question\":\"Read this: Ada was born in 1815 and died in 1852, in London, after a "
          "long life. Q: When was she born?\",\"answers\":[\"1815\"],\"wrong\":[\"1852\"]}\n");
    assert_true(strlen(set.items[0].question) == 31 && strlen(set.items[1].question) > 60);
    trace_log log = {0};
    lm_eval_opts o = {.max_new = 8, .trace = log_trace, .user = &log};
    lm_eval_rows rows = {0};
    lm_err err = {{0}};
    assert_int_equal(lm_eval_run(&m, t, &set, LM_EVAL_RAG, &o, &rows, &err), 1);
    const lm_eval_row *r = find_row(&rows, "rag");
    assert_int_equal(r->n, 1);
    assert_int_equal(r->skipped, 1);
    assert_int_equal(log.calls, 2);
    assert_int_equal(log.skips, 1);
    /* the baseline is over the judged item only: copying the first question finds "Rome" */
    assert_true(r->baseline == 1.0);
    assert_string_equal(r->baseline_kind, "copy_question");
    /* with room for both, nothing is skipped */
    lm_eval_rows_free(&rows);
    lm_model_free(&m);
    tiny_model(&m, 128);
    assert_int_equal(lm_eval_run(&m, t, &set, LM_EVAL_RAG, &o, &rows, &err), 1);
    assert_int_equal(rows.rows[0].n, 2);
    assert_int_equal(rows.rows[0].skipped, 0);
    assert_true(rows.rows[0].baseline == 0.5);
    lm_eval_rows_free(&rows);
    lm_eval_set_free(&set);
    lm_model_free(&m);
    lm_tok_free(t);
}

/* the tool rows reply through the hook */
static int canned_calls;
static int canned_tool_reply(void *user, const lm_model *m, const lm_tokenizer *t, const int32_t *prompt,
                             size_t n_prompt, int max_new, char **reply, lm_err *err) {
    (void)m;
    (void)t;
    (void)err;
    assert_ptr_equal(user, &canned_calls);
    assert_true(n_prompt > 2 && prompt[0] == EOT && prompt[n_prompt - 1] == AST);   /* a chat prompt */
    assert_int_equal(max_new, 96);   /* the tool kind's default */
    canned_calls++;
    *reply = strdup("<|tool|>2+3<|result|>5<|/result|>The answer is 5.");
    return 0;
}

static void test_tool_hook(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok();
    lm_model m;
    tiny_model(&m, 128);
    lm_eval_set set;
    parse(&set, "{\"kind\":\"tool\",\"question\":\"What is 2+3?\",\"answer\":5}\n"
                "{\"kind\":\"tool\",\"question\":\"What is 4+5?\",\"answer\":9}\n");
    lm_eval_opts o = {.tool_reply = canned_tool_reply, .tool_user = &canned_calls};
    lm_eval_rows rows = {0};
    lm_err err = {{0}};
    assert_int_equal(lm_eval_run(&m, t, &set, LM_EVAL_TOOL, &o, &rows, &err), 2);
    assert_int_equal(canned_calls, 2);   /* one reply per item, judged by both rows */
    assert_true(find_row(&rows, "tool")->value == 0.5);
    assert_true(find_row(&rows, "tool_calls")->value == 1.0);
    assert_true(find_row(&rows, "tool_calls")->baseline == 0.0);
    lm_eval_rows_free(&rows);
    lm_eval_set_free(&set);
    lm_model_free(&m);
    lm_tok_free(t);
}

/* per-format rows, marked as details; max_items; counting replies */
static void test_formats_and_limits(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok();
    lm_model m;
    tiny_model(&m, 128);
    lm_eval_set set;
    parse(&set, "{\"kind\":\"few_shot\",\"question\":\"A?\",\"answers\":[\"a\"],\"format\":\"arrow\",\"template\":\"{q} -> {a}\\n\"}\n"
                "{\"kind\":\"few_shot\",\"question\":\"B?\",\"answers\":[\"b\"]}\n"
                "{\"kind\":\"few_shot\",\"question\":\"C?\",\"answers\":[\"c\"],\"format\":\"arrow\",\"template\":\"{q} -> {a}\\n\"}\n"
                "{\"kind\":\"fact_qa\",\"question\":\"F1?\",\"answers\":[\"x\"]}\n"
                "{\"kind\":\"fact_qa\",\"question\":\"F2?\",\"answers\":[\"y\"]}\n");
    assert_int_equal(lm_eval_n_replies(&set, LM_EVAL_FEW_SHOT, 0), 6);   /* 0 and 3 shots each */
    assert_int_equal(lm_eval_n_replies(&set, LM_EVAL_FACT_QA, 1), 1);
    lm_eval_opts o = {.max_new = 4};
    lm_eval_rows rows = {0};
    lm_err err = {{0}};
    assert_int_equal(lm_eval_run(&m, t, &set, LM_EVAL_FEW_SHOT, &o, &rows, &err), 6);
    const char *names[] = {"few_shot_0", "few_shot_3", "few_shot_0/arrow", "few_shot_3/arrow",
                           "few_shot_0/default", "few_shot_3/default"};
    const int n[] = {3, 3, 2, 2, 1, 1}, detail[] = {0, 0, 1, 1, 1, 1};
    for (int i = 0; i < 6; i++) {
        assert_string_equal(rows.rows[i].name, names[i]);
        assert_int_equal(rows.rows[i].n, n[i]);
        assert_int_equal(rows.rows[i].detail, detail[i]);
    }
    lm_eval_rows_free(&rows);
    o.max_items = 1;
    assert_int_equal(lm_eval_run(&m, t, &set, LM_EVAL_FACT_QA, &o, &rows, &err), 2);
    assert_int_equal(find_row(&rows, "fact_qa")->n, 1);
    assert_int_equal(find_row(&rows, "known_refused")->n, 1);
    assert_int_equal(lm_eval_run(&m, t, &set, LM_EVAL_RAG, &o, &rows, &err), 0);   /* no items: no rows */
    lm_eval_rows_free(&rows);
    lm_eval_set_free(&set);
    lm_model_free(&m);
    lm_tok_free(t);
}

/* a model with every weight 0 gives every id the same logit: a uniform
 * guess over V = 261 ids, so val_loss = ln 261 nats, perplexity = 261 and,
 * with one byte per token, bits_per_byte = log2 261 - each its own baseline */
static void test_val_uniform(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok();
    lm_model m;
    tiny_model(&m, 16);
    memset(m.params, 0, m.n_params * sizeof *m.params);
    char text[2000] = "";
    for (int i = 0; i < 30; i++) strcat(text, "the quick brown fox. ");
    lm_eval_rows rows = {0};
    lm_err err = {{0}};
    if (lm_eval_val(&m, t, (const uint8_t *)text, strlen(text), 2, 16, 3, &rows, &err)) fail_msg("%s", err.msg);
    assert_int_equal(rows.n, 3);
    const double ln_v = log(261.0), log2_v = log(261.0) / log(2.0);
    assert_string_equal(rows.rows[0].name, "val_loss");
    assert_true(fabs(rows.rows[0].value - ln_v) < 1e-4 && fabs(rows.rows[0].baseline - ln_v) < 1e-9);
    assert_int_equal(rows.rows[0].n, 3);
    assert_string_equal(rows.rows[1].name, "perplexity");
    assert_true(fabs(rows.rows[1].value - 261) < 0.05 && rows.rows[1].baseline == 261);
    assert_string_equal(rows.rows[2].name, "bits_per_byte");
    assert_true(fabs(rows.rows[2].value - log2_v) < 1e-4 && fabs(rows.rows[2].baseline - log2_v) < 1e-9);
    assert_string_equal(rows.rows[2].baseline_kind, "uniform");
    lm_eval_rows_free(&rows);
    lm_model_free(&m);
    lm_tok_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),       cmocka_unit_test(test_idk),
        cmocka_unit_test(test_tool_call),     cmocka_unit_test(test_bare_rules),
        cmocka_unit_test(test_verdicts),      cmocka_unit_test(test_baselines),
        cmocka_unit_test(test_templates),     cmocka_unit_test(test_fields),
        cmocka_unit_test(test_rag_skips),     cmocka_unit_test(test_tool_hook),
        cmocka_unit_test(test_formats_and_limits), cmocka_unit_test(test_val_uniform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
