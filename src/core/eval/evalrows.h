/* evalrows.h - (inside src/core/eval only) the table of evaluation rows:
 * for each row its kind, the prompt its replies come from, its verdict
 * rule and its trivial baselines. evals.c runs it, evalrows.c judges and
 * computes baselines by it; evals.h is the public contract.
 *
 * Contract
 * - Rows of one kind that share a prompt share its reply (fact_qa and
 *   known_refused judge the same reply; few_shot_0 and few_shot_3 do not).
 * - A baseline is the row's own verdict on a trivial replier's reply, over
 *   the items given (so a "wrong" list counts against it too).
 */
#ifndef LM_EVALROWS_H
#define LM_EVALROWS_H

#include "eval/evals.h"

typedef enum {
    EV_PROMPT_CHAT,   /* the question as the user turn, greedy reply */
    EV_PROMPT_TOOL,   /* the same prompt, replied through lm_eval_opts.tool_reply */
    EV_PROMPT_BARE,   /* base mode: <|endoftext|> + question */
    EV_PROMPT_FEW0,   /* base mode: few-shot text without examples */
    EV_PROMPT_FEW3    /* base mode: few-shot text with 3 examples */
} ev_prompt;

typedef enum {
    EV_RULE_ANSWER,         /* contains an answer */
    EV_RULE_FIRST_LINE,     /* the first line contains an answer */
    EV_RULE_REFUSED,        /* says it does not know ("wrong" not applied: a rate) */
    EV_RULE_UNKNOWN,        /* says it does not know, or contains a given answer */
    EV_RULE_IDK_NAME,       /* says it does not know and contains the name */
    EV_RULE_IDK,            /* says it does not know */
    EV_RULE_EVERYDAY,       /* contains a keyword and does not say it does not know */
    EV_RULE_FIRST_NUMBER,   /* the first number equals the expected one */
    EV_RULE_LAST_NUMBER,    /* the last number equals the expected one */
    EV_RULE_TOOL_CALL,      /* holds a tool call (a rate) */
    EV_RULE_BARE            /* continues the document (a rate) */
} ev_rule;

typedef enum {
    EV_BL_NONE,      /* no baseline */
    EV_BL_MODAL,     /* the most common answer (or expected number) of the kind */
    EV_BL_REFUSE,    /* "I don't know[ NAME]." */
    EV_BL_COPY,      /* the question itself */
    EV_BL_SILENT     /* "" */
} ev_baseline;

typedef struct {
    const char  *name;
    lm_eval_kind kind;
    ev_prompt    prompt;
    ev_rule      rule;
    ev_baseline  bl, bl2;
    const char  *bl_label, *bl2_label;
} ev_row_spec;

extern const ev_row_spec ev_rows[];
extern const int ev_n_rows;

const ev_row_spec *ev_row_find(const char *name);
/* 1 when the row judges item it (its kind; idk_names: the item has a name) */
int ev_row_applies(const ev_row_spec *r, const lm_eval_item *it);
/* the verdict: 1 or 0 */
int ev_row_judge(const ev_row_spec *r, const lm_eval_item *it, const char *reply);
/* baselines over set->items[items[0..n)] (all of them must apply); NAN
 * when the row has none or n == 0. 0 ok, -1 out of memory. */
int ev_row_baselines(const ev_row_spec *r, const lm_eval_set *set, const int *items, int n, double *v,
                     double *v2);

#endif
