/* evalrows.c - the rows of the evaluations: verdicts and trivial
 * baselines (see evalrows.h, evals.h). */
#include "eval/evalrows.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const ev_row_spec ev_rows[] = {
    {"fact_qa", LM_EVAL_FACT_QA, EV_PROMPT_CHAT, EV_RULE_ANSWER, EV_BL_MODAL, EV_BL_NONE,
     "most_common_answer", NULL},
    {"known_refused", LM_EVAL_FACT_QA, EV_PROMPT_CHAT, EV_RULE_REFUSED, EV_BL_REFUSE, EV_BL_NONE,
     "always_refuse", NULL},
    {"idk_rate", LM_EVAL_UNKNOWN, EV_PROMPT_CHAT, EV_RULE_UNKNOWN, EV_BL_REFUSE, EV_BL_SILENT,
     "always_refuse", "never_refuse"},
    {"idk_names", LM_EVAL_UNKNOWN, EV_PROMPT_CHAT, EV_RULE_IDK_NAME, EV_BL_REFUSE, EV_BL_SILENT,
     "always_refuse_with_name", "never_refuse"},
    {"idk_attr", LM_EVAL_UNKNOWN_ATTR, EV_PROMPT_CHAT, EV_RULE_IDK, EV_BL_REFUSE, EV_BL_SILENT,
     "always_refuse", "never_refuse"},
    {"everyday", LM_EVAL_EVERYDAY, EV_PROMPT_CHAT, EV_RULE_EVERYDAY, EV_BL_REFUSE, EV_BL_NONE,
     "always_refuse", NULL},
    {"letters", LM_EVAL_LETTERS, EV_PROMPT_CHAT, EV_RULE_LAST_NUMBER, EV_BL_MODAL, EV_BL_NONE,
     "most_common_count", NULL},
    {"letters_direct", LM_EVAL_LETTERS_DIRECT, EV_PROMPT_CHAT, EV_RULE_FIRST_NUMBER, EV_BL_MODAL, EV_BL_NONE,
     "most_common_count", NULL},
    {"arith_cot", LM_EVAL_ARITH_COT, EV_PROMPT_CHAT, EV_RULE_LAST_NUMBER, EV_BL_MODAL, EV_BL_NONE,
     "most_common_answer", NULL},
    {"arith_direct", LM_EVAL_ARITH_DIRECT, EV_PROMPT_CHAT, EV_RULE_FIRST_NUMBER, EV_BL_MODAL, EV_BL_NONE,
     "most_common_answer", NULL},
    {"tool", LM_EVAL_TOOL, EV_PROMPT_TOOL, EV_RULE_LAST_NUMBER, EV_BL_MODAL, EV_BL_NONE,
     "most_common_answer", NULL},
    /* the tool row's trivial replier calls no tool */
    {"tool_calls", LM_EVAL_TOOL, EV_PROMPT_TOOL, EV_RULE_TOOL_CALL, EV_BL_MODAL, EV_BL_NONE,
     "most_common_answer", NULL},
    {"rag", LM_EVAL_RAG, EV_PROMPT_CHAT, EV_RULE_ANSWER, EV_BL_COPY, EV_BL_NONE, "copy_question", NULL},
    {"few_shot_0", LM_EVAL_FEW_SHOT, EV_PROMPT_FEW0, EV_RULE_FIRST_LINE, EV_BL_MODAL, EV_BL_NONE,
     "most_common_answer", NULL},
    {"few_shot_3", LM_EVAL_FEW_SHOT, EV_PROMPT_FEW3, EV_RULE_FIRST_LINE, EV_BL_MODAL, EV_BL_NONE,
     "most_common_answer", NULL},
    {"bare_continues", LM_EVAL_BARE, EV_PROMPT_BARE, EV_RULE_BARE, EV_BL_NONE, EV_BL_NONE, "none", NULL},
};
const int ev_n_rows = (int)(sizeof ev_rows / sizeof ev_rows[0]);

const ev_row_spec *ev_row_find(const char *name) {
    for (int i = 0; i < ev_n_rows; i++)
        if (strcmp(ev_rows[i].name, name) == 0) return &ev_rows[i];
    return NULL;
}

int ev_row_applies(const ev_row_spec *r, const lm_eval_item *it) {
    return it->kind == r->kind && (r->rule != EV_RULE_IDK_NAME || it->name);
}

static int number_is(int (*find)(const char *, double *), const char *reply, double want) {
    double v;
    return find(reply, &v) && v == want;
}

int ev_row_judge(const ev_row_spec *r, const lm_eval_item *it, const char *reply) {
    if (r->rule == EV_RULE_REFUSED) return lm_eval_says_idk(reply);
    if (r->rule == EV_RULE_TOOL_CALL) return lm_eval_has_tool_call(reply);
    if (r->rule == EV_RULE_BARE) {
        lm_bare_class c = lm_eval_classify_bare(reply, it->answers, it->n_answers);
        return c != LM_BARE_ANSWERS && c != LM_BARE_EMPTY;
    }
    if (r->rule == EV_RULE_FIRST_LINE) {
        char *line = lm_eval_first_line(reply);
        int ok = line && lm_eval_contains_answer(line, it->answers, it->n_answers) &&
                 !lm_eval_contains_answer(line, it->wrong, it->n_wrong);
        free(line);
        return ok;
    }
    if (lm_eval_contains_answer(reply, it->wrong, it->n_wrong)) return 0;
    switch (r->rule) {
    case EV_RULE_ANSWER: return lm_eval_contains_answer(reply, it->answers, it->n_answers);
    case EV_RULE_UNKNOWN:
        return lm_eval_says_idk(reply) || lm_eval_contains_answer(reply, it->answers, it->n_answers);
    case EV_RULE_IDK_NAME: return it->name && lm_eval_says_idk(reply) && strcasestr(reply, it->name);
    case EV_RULE_IDK: return lm_eval_says_idk(reply);
    case EV_RULE_EVERYDAY:
        return lm_eval_contains_answer(reply, it->answers, it->n_answers) && !lm_eval_says_idk(reply);
    case EV_RULE_FIRST_NUMBER: return number_is(lm_eval_first_number, reply, it->expect);
    case EV_RULE_LAST_NUMBER: return number_is(lm_eval_last_number, reply, it->expect);
    default: return 0;
    }
}

/* ---- the most common answer of a kind ---- */

typedef struct {
    const char *s;    /* an answer string (NULL for a number) */
    double v;         /* or an expected number */
    int item, pos;    /* where it was seen: set->items[item], answer pos */
} seen;

static int seen_cmp(const void *a, const void *b) {
    const seen *x = a, *y = b;
    int c = x->s ? strcasecmp(x->s, y->s) : (x->v < y->v ? -1 : x->v > y->v);
    if (c) return c;
    if (x->item != y->item) return x->item < y->item ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* The most frequent answer string (or expected number) of kind k: each
 * distinct one counted once per item; the first seen in file order on a
 * tie. Writes the reply a replier would give into *reply (malloc'd; ""
 * when the kind has no items). 0 ok, -1 out of memory. */
static int modal_reply(const lm_eval_set *set, lm_eval_kind k, char **reply) {
    int numeric = lm_eval_kind_numeric(k);
    size_t n = 0;
    for (int i = 0; i < set->n; i++)
        if (set->items[i].kind == k) n += numeric ? 1 : (size_t)set->items[i].n_answers;
    seen *all = malloc((n ? n : 1) * sizeof *all);
    if (!all) return -1;
    n = 0;
    for (int i = 0; i < set->n; i++) {
        const lm_eval_item *it = &set->items[i];
        if (it->kind != k) continue;
        if (numeric) all[n++] = (seen){NULL, it->expect, i, 0};
        else
            for (int a = 0; a < it->n_answers; a++) all[n++] = (seen){it->answers[a], 0, i, a};
    }
    qsort(all, n, sizeof *all, seen_cmp);
    /* runs of equal values; within a run sorted by item, so distinct items
     * are the changes of item, and the run's first entry is its first sighting */
    size_t best = 0;
    int best_count = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        int count = 0, last = -1;
        while (j < n && (all[j].s ? strcasecmp(all[j].s, all[i].s) == 0 : all[j].v == all[i].v)) {
            count += all[j].item != last;
            last = all[j].item;
            j++;
        }
        if (count > best_count || (count == best_count &&
                                   (all[i].item < all[best].item ||
                                    (all[i].item == all[best].item && all[i].pos < all[best].pos)))) {
            best = i;
            best_count = count;
        }
        i = j;
    }
    char num[40];
    const char *s = "";
    if (n && numeric) {
        snprintf(num, sizeof num, "%.17g", all[best].v);
        s = num;
    } else if (n) s = all[best].s;
    *reply = strdup(s);
    free(all);
    return *reply ? 0 : -1;
}

/* the reply of replier b to item it (malloc'd) */
static char *replier_reply(ev_baseline b, const lm_eval_item *it, const char *modal) {
    if (b == EV_BL_MODAL) return strdup(modal);
    if (b == EV_BL_COPY) return strdup(it->question);
    if (b == EV_BL_SILENT) return strdup("");
    size_t n = strlen("I don't know .") + (it->name ? strlen(it->name) : 0) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, "I don't know%s%s.", it->name ? " " : "", it->name ? it->name : "");
    return s;
}

static int replier_score(const ev_row_spec *r, ev_baseline b, const lm_eval_set *set, const int *items, int n,
                         double *v) {
    *v = NAN;
    if (b == EV_BL_NONE || n == 0) return 0;
    char *modal = NULL;
    if (b == EV_BL_MODAL && modal_reply(set, r->kind, &modal)) return -1;
    int ok = 0, rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const lm_eval_item *it = &set->items[items[i]];
        char *reply = replier_reply(b, it, modal);
        if (!reply) rc = -1;
        else ok += ev_row_judge(r, it, reply);
        free(reply);
    }
    free(modal);
    if (rc == 0) *v = (double)ok / n;
    return rc;
}

int ev_row_baselines(const ev_row_spec *r, const lm_eval_set *set, const int *items, int n, double *v,
                     double *v2) {
    return replier_score(r, r->bl, set, items, n, v) || replier_score(r, r->bl2, set, items, n, v2) ? -1 : 0;
}

/* ---- the public face (evals.h) ---- */

const char *lm_eval_row_name(int i) {
    return i >= 0 && i < ev_n_rows ? ev_rows[i].name : NULL;
}

int lm_eval_judge(const char *row, const lm_eval_item *it, const char *reply) {
    const ev_row_spec *r = ev_row_find(row);
    if (!r || !ev_row_applies(r, it)) return -1;
    return ev_row_judge(r, it, reply);
}

int lm_eval_baseline(const lm_eval_set *set, const char *row, const int *items, int n_items, double *value,
                     const char **kind, double *value2, const char **kind2) {
    const ev_row_spec *r = ev_row_find(row);
    if (!r) return -1;
    int *all = NULL;
    if (!items) {
        all = malloc((set->n ? (size_t)set->n : 1) * sizeof *all);
        if (!all) return -1;
        n_items = 0;
        for (int i = 0; i < set->n; i++)
            if (ev_row_applies(r, &set->items[i])) all[n_items++] = i;
        items = all;
    }
    int rc = ev_row_baselines(r, set, items, n_items, value, value2);
    free(all);
    *kind = r->bl_label;
    *kind2 = r->bl2_label ? r->bl2_label : "";
    return rc;
}
