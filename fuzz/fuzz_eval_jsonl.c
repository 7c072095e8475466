/* fuzz_eval_jsonl.c - libFuzzer target: the eval.jsonl reader on arbitrary
 * bytes, from memory (lm_eval_set_parse_buf, evals.h: the very code
 * lm_eval_set_load runs on a file's bytes). When the set loads, every item
 * must be well formed (a non-empty question, non-empty answers and wrong
 * strings, a one-word format label without control bytes, a checked template, a finite number
 * for the numeric kinds), the per-kind counts must add up, and every rule
 * runs on its strings: each row's verdict (the question as the reply), each
 * row's baselines (shares in [0, 1]), the few-shot text of its template,
 * the number and refusal rules. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval/evals.h"
#include "eval/prompting.h"

static void check_share(double v) {
    if (!isnan(v) && (v < 0 || v > 1)) abort();
}

static void check_item(const lm_eval_item *it) {
    if ((int)it->kind < 0 || it->kind >= LM_EVAL_N_KINDS || !it->question || !it->question[0]) abort();
    if (it->n_answers < 0 || it->n_shots < 0 || it->n_wrong < 0) abort();
    for (int a = 0; a < it->n_answers; a++)
        if (!it->answers[a] || !it->answers[a][0]) abort();
    for (int w = 0; w < it->n_wrong; w++)
        if (!it->wrong[w] || !it->wrong[w][0]) abort();
    for (int s = 0; s < it->n_shots; s++)
        if (!it->shots[s].question || !it->shots[s].answer) abort();
    if (it->name && !it->name[0]) abort();
    for (const char *p = it->format; p && *p; p++)   /* it names a row: one word, no control bytes */
        if ((unsigned char)*p <= ' ' || *p == 0x7f) abort();
    if (it->format && (!it->format[0] || strlen(it->format) > 64)) abort();
    if (lm_eval_kind_numeric(it->kind) && !isfinite(it->expect)) abort();
    lm_err err = {{0}};
    if (it->tmpl) {
        if (lm_prompting_template_check(it->tmpl, &err)) abort();   /* the reader checked it */
        const char *q[3], *a[3];
        int n = 0;
        for (; n < it->n_shots && n < 3; n++) {
            q[n] = it->shots[n].question;
            a[n] = it->shots[n].answer;
        }
        char *text = lm_prompting_template_text(it->tmpl, q, a, n, it->question);
        if (!text || !strstr(text, it->question)) abort();   /* the question is always in it */
        free(text);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lm_eval_set set;
    lm_err err = {{0}};
    if (lm_eval_set_parse_buf(&set, data, size, "fuzz", &err) != 0) {
        if (!err.msg[0]) abort();   /* a failure always says why */
        return 0;
    }
    int total = 0;
    for (int k = 0; k < LM_EVAL_N_KINDS; k++) {
        total += lm_eval_set_count(&set, (lm_eval_kind)k);
        if (!lm_eval_kind_name((lm_eval_kind)k) || lm_eval_kind_parse(lm_eval_kind_name((lm_eval_kind)k)) != k)
            abort();
    }
    if (total != set.n) abort();
    for (int i = 0; i < set.n; i++) {
        const lm_eval_item *it = &set.items[i];
        check_item(it);
        lm_bare_class c = lm_eval_classify_bare(it->question, it->answers, it->n_answers);
        if ((int)c < 0 || c > LM_BARE_EMPTY || !lm_bare_class_name(c)) abort();
        for (int r = 0; lm_eval_row_name(r); r++) {
            int v = lm_eval_judge(lm_eval_row_name(r), it, it->question);
            if (v < -1 || v > 1) abort();
        }
        (void)lm_eval_says_idk(it->question);
        (void)lm_eval_has_tool_call(it->question);
        double a, b;
        if (lm_eval_first_number(it->question, &a) != lm_eval_last_number(it->question, &b)) abort();
    }
    for (int r = 0; lm_eval_row_name(r); r++) {
        double v, v2;
        const char *k, *k2;
        if (lm_eval_baseline(&set, lm_eval_row_name(r), NULL, 0, &v, &k, &v2, &k2)) abort();
        check_share(v);
        check_share(v2);
        if (!k || !k2) abort();
    }
    lm_eval_set_free(&set);
    return 0;
}
