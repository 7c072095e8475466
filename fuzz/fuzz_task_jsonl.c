/* fuzz_task_jsonl.c - libFuzzer target: the prompting-task reader (data/task.h)
 * on arbitrary bytes, from memory (lm_task_parse_buf: the very code
 * lm_task_load runs on a file's bytes). A failure must say why; a task that
 * loads must keep the rules of task.h (a name, a separator, 2 or more items
 * with non-empty input and answer and no line break in them, THE hold-out
 * split), and its prompts, shots, baseline and verdict must work on it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lm_task t;
    lm_err err = {{0}};
    if (lm_task_parse_buf(&t, data, size, "fuzz", &err) != 0) {
        if (!err.msg[0]) abort();
        return 0;
    }
    if (!t.name[0] || !t.separator || !t.separator[0] || !t.instruction) abort();
    if (t.n < 2 || t.n_train < 1 || t.n_train >= t.n) abort();
    for (int i = 0; i < t.n; i++) {
        const lm_task_item *it = &t.items[i];
        if (!it->input[0] || !it->answer[0] || strchr(it->answer, '\n') || strchr(it->input, '\n')) abort();
    }
    const lm_task_item *shots[3];
    int k = lm_task_shots(&t, 0, 3, 1, shots);
    if (k < 1 || k > 3) abort();
    for (int how = 0; how < 3; how++) {
        char *s = lm_task_text(&t, (lm_task_prompt)how, &t.items[t.n - 1], shots, k);
        if (!s) abort();
        free(s);
    }
    char *g = lm_task_target(&t.items[0]);
    if (!g || !lm_task_correct(g, t.items[0].answer)) abort();   /* the target is right by the rule */
    free(g);
    int right;
    if (!lm_task_majority(&t, &right) || right < 0 || right > t.n - t.n_train) abort();
    lm_task_free(&t);
    return 0;
}
