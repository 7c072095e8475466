/* fuzz_eval_jsonl.c - libFuzzer target: the eval.jsonl reader on arbitrary
 * bytes, from memory (lm_eval_set_parse_buf, evals.h: the very code
 * lm_eval_set_load runs on a file's bytes). When the set loads, every item
 * must be well formed (a non-empty question, non-empty answers), the
 * per-kind counts must add up, and the verdict rules run on its strings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval/evals.h"

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
        if (!lm_eval_kind_name((lm_eval_kind)k)) abort();
    }
    if (total != set.n) abort();
    for (int i = 0; i < set.n; i++) {
        const lm_eval_item *it = &set.items[i];
        if ((int)it->kind < 0 || it->kind >= LM_EVAL_N_KINDS || !it->question || !it->question[0]) abort();
        if (it->n_answers < 0 || it->n_shots < 0) abort();
        for (int a = 0; a < it->n_answers; a++)
            if (!it->answers[a] || !it->answers[a][0]) abort();
        for (int s = 0; s < it->n_shots; s++)
            if (!it->shots[s].question || !it->shots[s].answer) abort();
        lm_bare_class c = lm_eval_classify_bare(it->question, it->answers, it->n_answers);
        if ((int)c < 0 || c > LM_BARE_EMPTY || !lm_bare_class_name(c)) abort();
        (void)lm_eval_contains_answer(it->question, it->answers, it->n_answers);
        (void)lm_eval_says_idk(it->question);
        if (lm_eval_last_number(it->question) < -1) abort();
    }
    lm_eval_set_free(&set);
    return 0;
}
