/* evals.h - the named evaluations of llmlab, as data (no printing): every
 * figure beside the figure a trivial replier gets on the same items.
 *
 * Items: a JSONL file (data/gen/eval.jsonl), one object per line; unknown
 * keys are ignored. Every item has
 *   "kind"      one of the kinds below
 *   "question"  non-empty text; sent verbatim (phrasings such as "Let's think
 *               step by step." or "Answer with just the number." are part of
 *               it: they are the data generator's business, and must differ
 *               from the SFT phrasings)
 * and, depending on the kind,
 *   "answers"   list of accepted substrings (case-insensitive), or one
 *               string or number; or "answer": one string or number
 *   "wrong"     list of substrings (or one string): a reply that contains
 *               any of them is NOT correct, even when it holds an answer
 *               (so copying the question, or listing every value the
 *               passage names, does not score)
 *   "name"      the entity the question names
 *   "count"     an integer answer (letters kinds)
 *   "format"    few_shot: a label of the example format ("{q} => {a}"):
 *               at most 64 bytes, no control characters; kept without its
 *               spaces and tabs ("{q}=>{a}"), as it names rows; "default"
 *               when absent
 *   "template"  few_shot: one example rendered from {q} and {a}
 *               (eval/prompting.h: lm_prompting_template_check)
 *   "shots"     few_shot: [{"question": .., "answer": ..}, ...]; without
 *               them the next few_shot items of the same template serve
 * Kinds, their replies and the rows they yield ("correct" always also
 * means: no "wrong" substring in what is judged):
 *   fact_qa        chat. fact_qa: contains an answer. known_refused: says it
 *                  does not know (lm_eval_says_idk); lower is better
 *                  (target <= 5%)
 *   unknown        chat, entities the model never saw. idk_rate: says it does
 *                  not know (or holds an answer, if the item gives any).
 *                  idk_names (items with "name" only): says it does not know
 *                  and contains the name (case-insensitive)
 *   unknown_attr   chat, a known entity, an attribute the data never gives.
 *                  idk_attr: says it does not know
 *   everyday       chat, small talk; "answers" are keywords. everyday:
 *                  contains one and does not say it does not know
 *   letters        chat, spell-then-tally. letters: the LAST number of the
 *                  reply equals "count" (or the numeric answer)
 *   letters_direct chat, the number only. letters_direct: the FIRST number
 *   arith_cot      chat, step by step. arith_cot: the LAST number equals the
 *                  numeric answer
 *   arith_direct   chat, the number only. arith_direct: the FIRST number
 *   tool           chat through lm_eval_opts.tool_reply (the tool loop).
 *                  tool: the LAST number equals the answer. tool_calls: the
 *                  reply holds a call, "<|tool|>" ... "<|result|>"
 *                  (lm_eval_has_tool_call; decoded replies keep the special
 *                  tokens' text)
 *   rag            chat, "Read this: PASSAGE Question: ...". rag: contains an
 *                  answer
 *   few_shot       base mode, first line of the continuation contains an
 *                  answer. few_shot_0: no examples (the bare question
 *                  without a template; the cut template with one);
 *                  few_shot_3: 3 examples (lm_prompting_template_text; no
 *                  template = "User question: {q}\nYour answer: {a}\n\n").
 *                  Detail rows few_shot_0/FORMAT, few_shot_3/FORMAT
 *   bare_question  base mode, "<|endoftext|>QUESTION". bare_continues: the
 *                  continuation carries on the document instead of
 *                  answering (lm_eval_classify_bare)
 * Numbers (lm_eval_first_number, lm_eval_last_number): digits with an
 * optional "-" stuck to them and an optional decimal part, or a number word
 * zero..twenty; a number equals the expected one exactly.
 *
 * Replies: chat mode = the chat template (tok/chat.h) with the question as
 * the user turn, greedy through the KV cache up to <|end|> or
 * <|endoftext|>; base mode = "<|endoftext|>" + text, greedy up to
 * <|endoftext|>. At most max_new tokens (lm_eval_max_new: 96 for letters,
 * arith_cot and tool, 24 for few_shot, 48 for the rest). A prompt
 * whose tokens + max_new do not fit the model's context is never cut: the
 * item is SKIPPED and counted in the row's `skipped`.
 *
 * Baselines: every row carries the score of a trivial replier, computed
 * from the items only (never the model), by judging the replier's reply
 * with the row's own rule on the items the row judged:
 *   most_common_answer  the set's most frequent answer string (per kind,
 *                       each distinct string counted once per item,
 *                       case-insensitive; the first on a tie), or for the
 *                       number kinds the most frequent expected number
 *                       (most_common_count for the letters kinds)
 *   always_refuse       "I don't know."  (also "with the name": "I don't
 *                       know NAME." for idk_names)
 *   copy_question       the question itself (rag)
 *   never_refuse        an empty reply: the second baseline of the idk rows
 *   none                bare_continues
 * The val rows' baseline is a uniform guess over the vocabulary.
 *
 * Every run is greedy and deterministic; nothing prints.
 */
#ifndef LM_EVALS_H
#define LM_EVALS_H

#include "base/err.h"
#include "models/gpt/model.h"
#include "tok/tokenizer.h"

typedef enum {
    LM_EVAL_FACT_QA = 0,
    LM_EVAL_BARE = 1,
    LM_EVAL_FEW_SHOT = 2,
    LM_EVAL_UNKNOWN = 3,
    LM_EVAL_LETTERS = 4,
    LM_EVAL_UNKNOWN_ATTR = 5,
    LM_EVAL_EVERYDAY = 6,
    LM_EVAL_LETTERS_DIRECT = 7,
    LM_EVAL_ARITH_COT = 8,
    LM_EVAL_ARITH_DIRECT = 9,
    LM_EVAL_TOOL = 10,
    LM_EVAL_RAG = 11,
    LM_EVAL_N_KINDS = 12
} lm_eval_kind;

const char *lm_eval_kind_name(lm_eval_kind k);   /* as in the JSONL "kind" */
/* The kind of a JSONL kind name, -1 if none. */
int lm_eval_kind_parse(const char *name);
/* 1 for the kinds judged on a number (letters*, arith_*, tool). */
int lm_eval_kind_numeric(lm_eval_kind k);

typedef struct {
    char *question;
    char *answer;
} lm_eval_shot;

typedef struct {
    lm_eval_kind kind;
    char  *question;
    char **answers;  int n_answers;
    char **wrong;    int n_wrong;
    char  *name;          /* NULL when not given */
    char  *format;        /* without white space; NULL when not given */
    char  *tmpl;          /* "template"; NULL when not given */
    double expect;        /* numeric kinds: "count", else the numeric answers[0] */
    lm_eval_shot *shots; int n_shots;
} lm_eval_item;

typedef struct {
    lm_eval_item *items;
    int n, cap;
} lm_eval_set;

/* Reading a set: an empty "question", answer or "wrong" string, a field of
 * the wrong type, a bad "format" or "template", a numeric kind without a
 * number, a line holding a NUL (raw or \u0000) and a set without items are
 * refused. parse_buf reads JSONL from memory (data/jsonl.h: line limit,
 * blank lines skipped, stops at the first bad line); _load from a regular
 * file of at most LM_JSONL_MAX_BYTES (base/infile.h). Errors name
 * "NAME:LINE: reason". */
int  lm_eval_set_load(lm_eval_set *set, const char *path, lm_err *err);
int  lm_eval_set_parse_buf(lm_eval_set *set, const uint8_t *buf, size_t len, const char *name,
                           lm_err *err);
/* One line, appended to set (the caller's set is not reset). */
int  lm_eval_set_parse_line(lm_eval_set *set, const char *line, size_t len, lm_err *err);
void lm_eval_set_free(lm_eval_set *set);
int  lm_eval_set_count(const lm_eval_set *set, lm_eval_kind k);
/* The item's few-shot format label ("default" when it has none). */
const char *lm_eval_item_format(const lm_eval_item *it);

/* ---- rows ---- */

#define LM_EVAL_ROW_NAME 96
typedef struct {
    char   name[LM_EVAL_ROW_NAME];
    double value;
    int    n;              /* items judged (batches for val_loss, perplexity) */
    int    skipped;        /* items skipped (prompt + max_new beyond the context); -1: cannot skip */
    int    percent;        /* 1: value and baselines are shares in [0, 1] */
    int    detail;         /* 1: a breakdown row (few-shot per format) */
    double baseline;       /* NAN: none (baseline_kind "none") */
    char   baseline_kind[32];
    double baseline2;      /* a second trivial replier; NAN when none */
    char   baseline2_kind[32];
} lm_eval_row;

typedef struct {
    lm_eval_row *rows;
    int n, cap;
} lm_eval_rows;
void lm_eval_rows_free(lm_eval_rows *r);

/* ---- running ---- */

/* A reply to a chat prompt: prompt[0..n_prompt) ends with <|assistant|>;
 * *reply is the malloc'd, NUL-terminated decoded reply (special tokens'
 * text kept), without the closing <|end|>. */
typedef int (*lm_eval_reply_fn)(void *user, const lm_model *m, const lm_tokenizer *t, const int32_t *prompt,
                                size_t n_prompt, int max_new, char **reply, lm_err *err);
/* The tool row's default reply: greedy through the tool loop (decode/tools.h)
 * when the tokeniser has the tool markers, else lm_eval_greedy_reply. */
int lm_eval_tool_loop_reply(void *user, const lm_model *m, const lm_tokenizer *t, const int32_t *prompt,
                            size_t n_prompt, int max_new, char **reply, lm_err *err);
/* The default reply: greedy lm_generate up to <|end|> or <|endoftext|>. */
int lm_eval_greedy_reply(void *user, const lm_model *m, const lm_tokenizer *t, const int32_t *prompt,
                         size_t n_prompt, int max_new, char **reply, lm_err *err);

/* Called once per item and row with the question, the model's reply and
 * the verdict: 1 counted for the row, 0 not, -1 skipped (reply ""). */
typedef void (*lm_eval_trace_fn)(void *user, const char *row, const char *question,
                                 const char *reply, int ok);
/* Called after every reply generated (or item skipped). */
typedef void (*lm_eval_progress_fn)(void *user);

typedef struct {
    int max_items;          /* per evaluation, <= 0 = all */
    int max_new;            /* tokens per reply; <= 0 = lm_eval_max_new(kind) */
    lm_eval_trace_fn trace; /* may be NULL */
    lm_eval_progress_fn progress;   /* may be NULL */
    void *user;             /* for trace and progress */
    /* how the tool row gets its replies: the tool loop (decode/tools.h)
     * plugs in here; NULL = lm_eval_tool_loop_reply */
    lm_eval_reply_fn tool_reply;
    void *tool_user;
} lm_eval_opts;

/* The default reply length of a kind (above). */
int lm_eval_max_new(lm_eval_kind k);
/* The replies lm_eval_run generates for kind k (2 per few_shot item), for a
 * progress total. */
int lm_eval_n_replies(const lm_eval_set *set, lm_eval_kind k, int max_items);

/* val_loss, perplexity and bits_per_byte of m on a held-out text, appended
 * to out. val_loss: mean next-token loss on at most max_batches batches of
 * B x T windows spread over the text (the windows of train's validation,
 * data/dataset.h), perplexity = exp(val_loss); bits_per_byte: the loss
 * summed over tokens / the bytes of those tokens / ln 2
 * (lm_lmodel_text_loss, on as many windows of T tokens), comparable across
 * tokenisers. Baselines: a uniform guess over the vocabulary. */
int lm_eval_val(lm_model *m, lm_tokenizer *t, const uint8_t *text, size_t len, int B, int T, int max_batches,
                lm_eval_rows *out, lm_err *err);
/* The rows of kind k appended to out. Returns the number of rows (0 when
 * the set has no items of kind k), -1 on failure. */
int lm_eval_run(const lm_model *m, const lm_tokenizer *t, const lm_eval_set *set, lm_eval_kind k,
                const lm_eval_opts *o, lm_eval_rows *out, lm_err *err);

/* ---- the rules, exposed for tests and for the CLI's --show ---- */

/* The rows' names in order ("fact_qa", "known_refused", ...), i = 0, 1, ...
 * until NULL (without the per-format and val rows). */
const char *lm_eval_row_name(int i);
/* The verdict of row (a row name above, without "/FORMAT") on a reply to
 * item it: 1 counted, 0 not; -1 when the row does not judge this item (an
 * unknown row, another kind, idk_names without a name). */
int lm_eval_judge(const char *row, const lm_eval_item *it, const char *reply);
/* The trivial baseline of row over set's items items[0..n_items) (indices
 * into set->items; NULL = every item the row judges). *value is NAN for a
 * row without one; kind receives its label; value2/kind2 the second one
 * (NAN, "" when none). 0 ok, -1 unknown row or out of memory. */
int lm_eval_baseline(const lm_eval_set *set, const char *row, const int *items, int n_items,
                     double *value, const char **kind, double *value2, const char **kind2);

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
/* 1 when text contains one of list[0..n) (case-insensitive; empty strings
 * never match). */
int lm_eval_contains_answer(const char *text, char *const *list, int n);
/* 1 when the reply says it does not know: "I don't know who X is.", "I have
 * never heard of X.", "I'm not sure what X's favourite colour is", "no
 * idea", ... (curly apostrophes and runs of spaces allowed); "I know" is
 * not. */
int lm_eval_says_idk(const char *reply);
/* 1 when the reply holds a tool call: "<|tool|>", some text, "<|result|>". */
int lm_eval_has_tool_call(const char *reply);
/* The first / last number in text (above) into *v; 1 found, 0 none. */
int lm_eval_first_number(const char *text, double *v);
int lm_eval_last_number(const char *text, double *v);
/* The first non-blank line of s, trimmed; malloc'd (NULL: out of memory). */
char *lm_eval_first_line(const char *s);

#endif
