/* task.h - a small prompting task: inputs, the answer each one should get,
 * and the plain-text prompts that ask a base model for it (zero-shot,
 * few-shot) or leave the asking to a soft prompt (prompt tuning).
 *
 * File (JSONL, data/jsonl.h limits): the first non-blank line is the task,
 *   {"task": "sentiment", "instruction": "Is the sentence positive or negative?",
 *    "separator": " //"}
 * then one item per line,
 *   {"input": "The dinner was dreadful.", "answer": "negative"}
 * Unknown keys are ignored. name: 1..63 printable ASCII bytes; instruction:
 * 0..1000 bytes ("" = none); separator: 1..32 bytes; input: 1..1000 bytes;
 * answer: 1..200 bytes, not starting with a space or tab (the target puts one
 * space before it). No text may hold a newline except the instruction
 * (a newline ends an answer when the model writes it), nor a NUL. At least 2
 * and at most LM_TASK_MAX_ITEMS items.
 *
 * Contract
 * - THE hold-out rule (data/holdout.h): the last lm_holdout_size(n, 1) items
 *   (n/20, at least 1) are held out: items[n_train..n). Nothing is ever
 *   trained or shown as an example from there.
 * - The texts (lm_task_text) the model continues, with IN = the item's input,
 *   SEP = the separator, INSTR = the instruction:
 *     zero-shot   INSTR "\n" IN SEP                 (just IN SEP without one)
 *     few-shot    INSTR "\n" then per example  EX_IN SEP " " EX_ANSWER "\n",
 *                 then IN SEP
 *     soft        IN SEP, after the soft prompt's vectors (no instruction:
 *                 the vectors are the instruction)
 *   and the target the answer is trained as: " " ANSWER "\n" (the newline
 *   ends it, so generation stops there).
 * - The few-shot examples of held-out item i: lm_task_shots draws k distinct
 *   training items with an lm_rng seeded from (seed, i): the same shots every
 *   run, different ones per item.
 * - An answer is right (lm_task_correct) when the reply's first line, after
 *   leading spaces, starts with the answer (ASCII case ignored) and the next
 *   byte is not a letter or digit: " negative\n" and " Negative." count, " neg"
 *   and " negatively" do not.
 * - The trivial baseline (lm_task_majority): always answering the training
 *   items' most common answer (the first in file order on a tie).
 * - Nothing prints; failures return -1 with lm_err ("NAME:LINE: reason").
 */
#ifndef LM_TASK_H
#define LM_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/rng.h"

#define LM_TASK_MAX_ITEMS 100000

typedef struct {
    char *input;
    char *answer;
} lm_task_item;

typedef struct {
    char  name[64];
    char *instruction;       /* "" when none */
    char *separator;
    lm_task_item *items;     /* in file order */
    int   n, cap;
    int   n_train;           /* items[0..n_train) train; the rest are held out */
} lm_task;

typedef enum { LM_TASK_ZERO_SHOT = 0, LM_TASK_FEW_SHOT = 1, LM_TASK_SOFT = 2 } lm_task_prompt;

int  lm_task_load(lm_task *t, const char *path, lm_err *err);
int  lm_task_parse_buf(lm_task *t, const uint8_t *buf, size_t len, const char *name, lm_err *err);
void lm_task_free(lm_task *t);

/* The text of `how` for item it (shots[0..n_shots) for few-shot), malloc'd;
 * NULL when out of memory. */
char *lm_task_text(const lm_task *t, lm_task_prompt how, const lm_task_item *it, const lm_task_item *const *shots,
                   int n_shots);
/* " ANSWER\n", malloc'd (NULL when out of memory). */
char *lm_task_target(const lm_task_item *it);
/* k distinct training items for held-out item i (k is clipped to n_train). */
int   lm_task_shots(const lm_task *t, int i, int k, uint64_t seed, const lm_task_item **shots);
int   lm_task_correct(const char *reply, const char *answer);
/* The most common answer of the training items and how many held-out items
 * have it (*n_held_right); NULL only when out of memory. */
const char *lm_task_majority(const lm_task *t, int *n_held_right);

#endif
