/* prompting.h - three ways to get a task's answer out of one frozen base
 * model, measured on the task's held-out items (data/task.h): plain
 * prompting with the instruction (zero-shot), the instruction plus solved
 * examples (few-shot, in-context learning), and a trained soft prompt
 * (prompt tuning). Beside them, the trivial baseline: always the training
 * items' most common answer.
 *
 * Contract
 * - Every answer is the greedy continuation (KV cache) of the method's
 *   text (task.h: lm_task_text), judged by lm_task_correct. Decoding stops
 *   at the first newline, <|endoftext|>, LM_PROMPTING_MAX_NEW tokens, or as
 *   soon as the verdict is decided: when the reply holds, after its leading
 *   spaces, one byte more than the expected answer (the rule reads no
 *   further, so a longer reply could not change it). A reply is therefore
 *   only as long as it needs to be judged.
 * - Soft prompt: the sequence is P placeholder ids (token 0; their
 *   embeddings are replaced by the soft vectors, models/softprompt) followed
 *   by the text's ids. The soft prompt is attached for the call and detached
 *   before it returns (also on failure).
 * - Items longer than the context (with the room for the answer) are
 *   refused with a message naming the item, never cut.
 * - Few-shot examples: lm_task_shots(task, i, shots, seed) for held-out item i.
 * - Nothing prints; a trace callback sees every item's text and reply.
 *
 * Few-shot templates (the evaluations' few_shot items, eval/evals.h): a
 * template renders one solved example from a question and its answer,
 * "{q} -> {a}\n", "Q: {q}\nA: {a}\n\n", "| {q} | {a} |\n". It holds "{q}"
 * once and then "{a}" once; every other byte is literal. A few-shot text is
 * the rendered shots, then the template rendered for the question and cut
 * at "{a}", so the model continues with the answer. Spaces and tabs just
 * before the cut are dropped: a BPE piece carries its leading space, so the
 * model writes " Paris" itself, as in the shots. 0 shots = the cut template
 * alone.
 */
#ifndef LM_PROMPTING_H
#define LM_PROMPTING_H

#include "base/err.h"
#include "data/task.h"
#include "models/gpt/model.h"
#include "models/softprompt/softprompt.h"
#include "tok/tokenizer.h"

#define LM_PROMPTING_MAX_NEW 24

/* The greedy reply (malloc'd, NUL-terminated, without the newline; as long
 * as the verdict needs, above) of m to `how` for item it. sp is needed for LM_TASK_SOFT (and is
 * attached for the call), ignored otherwise. */
int lm_prompting_answer(lm_model *m, const lm_tokenizer *tok, const lm_task *t, lm_task_prompt how,
                        const lm_task_item *it, const lm_task_item *const *shots, int n_shots, lm_softprompt *sp,
                        char **reply, lm_err *err);

/* called for every held-out item and method */
typedef void (*lm_prompting_trace_fn)(void *user, lm_task_prompt how, int item, const char *text, const char *reply,
                                      int right);

typedef struct {
    int n;                    /* held-out items measured */
    int right[3];             /* per lm_task_prompt; soft stays 0 without a soft prompt */
    const char *majority;     /* the training items' most common answer (points into the task) */
    int majority_right;       /* held-out items whose answer it is */
} lm_prompting_result;

typedef struct {
    int shots;                /* few-shot examples per item (default 3) */
    uint64_t seed;            /* which examples */
    int max_items;            /* <= 0: every held-out item */
    int skip_soft;            /* 1: measure zero- and few-shot only */
    lm_prompting_trace_fn trace;
    void *user;
} lm_prompting_opts;

/* sp may be NULL (no soft-prompt row). */
int lm_prompting_eval(lm_model *m, const lm_tokenizer *tok, const lm_task *t, lm_softprompt *sp,
                      const lm_prompting_opts *o, lm_prompting_result *out, lm_err *err);

/* The same figure for the soft prompt alone, over every held-out item: the
 * share answered right (the prompt-tune objective's "accuracy"). */
int lm_prompting_soft_accuracy(lm_model *m, const lm_tokenizer *tok, const lm_task *t, lm_softprompt *sp,
                               double *accuracy, lm_err *err);

/* 0 when tmpl is a usable few-shot template (above), else -1 with the reason. */
int lm_prompting_template_check(const char *tmpl, lm_err *err);
/* The few-shot text for question after n_shots solved examples
 * (shot_q[i], shot_a[i]), from a checked template; malloc'd, NULL when out
 * of memory. */
char *lm_prompting_template_text(const char *tmpl, const char *const *shot_q, const char *const *shot_a,
                                 int n_shots, const char *question);

#endif
