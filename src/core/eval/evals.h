/* evals.h - the named evaluations of llmlab, as data (no printing).
 *
 * Items come from a JSONL file (data/gen/eval.jsonl), one object per line:
 *   {"kind": K, "question": "...", "answers": ["...", ...]}   (or "answer": "...")
 * with K one of fact_qa, bare_question, few_shot, unknown, letters; few_shot
 * items may carry "shots": [{"question": "...", "answer": "..."}, ...]
 * (without them, the next 3 few_shot items serve as the shots). Unknown
 * keys are ignored. Evaluation phrasings are the data generator's business
 * (they must differ from the SFT phrasings).
 *
 * Every evaluation decodes greedily through the KV cache (lm_generate) and
 * yields rows {name, value, n}:
 *   val_loss, perplexity   mean next-token loss on fixed batches of a held-out
 *                          text stream, and exp(val_loss)
 *   fact_qa                chat mode (user question -> assistant reply): the
 *                          share of replies containing an expected answer
 *                          (case-insensitive substring)
 *   bare_continues         base mode, prompt "<|endoftext|>QUESTION": the share
 *                          of continuations that carry on the document instead
 *                          of answering, by lm_eval_classify_bare
 *   few_shot_0, few_shot_3 base mode: few_shot_0 is the bare question as a user
 *                          would type it, no examples; few_shot_3 puts 3 solved
 *                          examples before it ("User question: q\nYour answer:
 *                          a\n\n" each, then "User question: Q\nYour answer:");
 *                          correct if the first line of the continuation
 *                          contains an expected answer
 *   idk_rate               chat mode on unknown entities: share of replies that
 *                          say they do not know (lm_eval_says_idk)
 *   letters                chat mode, "How many r are in strawberry?": correct if
 *                          the last number in the reply (digits or a number word
 *                          up to twenty) equals the expected count
 * The evaluations run on the model they are given: base-mode ones (bare,
 * few-shot) are meant for a base model, chat-mode ones for an instruct
 * model, but any model can be asked, which is how a lecture compares them.
 */
#ifndef LM_EVALS_H
#define LM_EVALS_H

#include "data/dataset.h"
#include "base/err.h"
#include "models/gpt/model.h"
#include "tok/tokenizer.h"

typedef enum {
    LM_EVAL_FACT_QA = 0,
    LM_EVAL_BARE = 1,
    LM_EVAL_FEW_SHOT = 2,
    LM_EVAL_UNKNOWN = 3,
    LM_EVAL_LETTERS = 4,
    LM_EVAL_N_KINDS = 5
} lm_eval_kind;

const char *lm_eval_kind_name(lm_eval_kind k);   /* as in the JSONL "kind" */

typedef struct {
    char *question;
    char *answer;
} lm_eval_shot;

typedef struct {
    lm_eval_kind kind;
    char  *question;
    char **answers;  int n_answers;
    lm_eval_shot *shots; int n_shots;
} lm_eval_item;

typedef struct {
    lm_eval_item *items;
    int n, cap;
} lm_eval_set;

/* Reading a set: "answers" may also be one string or number (one answer);
 * an empty "question" or answer, a line holding a NUL (raw or \u0000) and a
 * set without items are refused. parse_buf reads JSONL from memory
 * (data/jsonl.h: line limit, blank lines skipped, stops at the first bad
 * line); _load from a regular file of at most LM_JSONL_MAX_BYTES
 * (base/infile.h). Errors name "NAME:LINE: reason". */
int  lm_eval_set_load(lm_eval_set *set, const char *path, lm_err *err);
int  lm_eval_set_parse_buf(lm_eval_set *set, const uint8_t *buf, size_t len, const char *name,
                           lm_err *err);
/* One line, appended to set (the caller's set is not reset). */
int  lm_eval_set_parse_line(lm_eval_set *set, const char *line, size_t len, lm_err *err);
void lm_eval_set_free(lm_eval_set *set);
int  lm_eval_set_count(const lm_eval_set *set, lm_eval_kind k);

typedef struct {
    char   name[24];
    double value;
    int    n;          /* items (or batches for val_loss) it is computed over */
} lm_eval_row;

/* Called once per item with the prompt's visible question, the model's reply
 * and the verdict (1 = counted as a success for the row's metric). */
typedef void (*lm_eval_trace_fn)(void *user, const char *row, const char *question,
                                 const char *reply, int ok);

typedef struct {
    int max_items;          /* per evaluation, <= 0 = all */
    int max_new;            /* tokens generated per reply (default 48) */
    lm_eval_trace_fn trace; /* may be NULL */
    void *user;
} lm_eval_opts;

/* rows[0] = val_loss, rows[1] = perplexity; B x T windows, at most max_batches. */
int lm_eval_val(lm_model *m, const lm_token_stream *val, int B, int T, int max_batches,
                lm_eval_row rows[2], lm_err *err);
/* One chat-mode or base-mode evaluation; few_shot fills rows[0..1], the others
 * rows[0]. Returns the number of rows (0 when the set has no items of kind k). */
int lm_eval_run(const lm_model *m, const lm_tokenizer *t, const lm_eval_set *set,
                lm_eval_kind k, const lm_eval_opts *o, lm_eval_row rows[2], lm_err *err);

/* ---- the verdict rules, exposed for tests and for the CLI's --show ---- */
typedef enum {
    LM_BARE_ANSWERS = 0,   /* first line contains an expected answer, or starts
                              with an answer label ("Answer:", "Your answer:", "A:") */
    LM_BARE_QUESTION = 1,  /* otherwise: first line holds a '?' (another question) */
    LM_BARE_LIST = 2,      /* otherwise: starts like a list item ("- ", "* ", "2. ", "3) ") */
    LM_BARE_HEADING = 3,   /* otherwise: starts with '#' or is an all-caps/short title without
                              final punctuation */
    LM_BARE_PROSE = 4,     /* otherwise: other text (continues the page) */
    LM_BARE_EMPTY = 5      /* no non-blank line at all */
} lm_bare_class;
/* "First line" = the first line of the continuation that is not blank.
 * QUESTION, LIST, HEADING and PROSE count as "continues the document";
 * ANSWERS and EMPTY (the model ended the text at once) do not. */
lm_bare_class lm_eval_classify_bare(const char *continuation, char *const *answers, int n);
const char   *lm_bare_class_name(lm_bare_class c);
int lm_eval_contains_answer(const char *reply, char *const *answers, int n);
int lm_eval_says_idk(const char *reply);
/* The last number in text (digits, or number words zero..twenty), -1 if none. */
int lm_eval_last_number(const char *text);

#endif
