/* evals.c - running the named evaluations: prompts, replies, rows (see
 * evals.h; the rows' rules and baselines: evalrows.c, the text rules:
 * verdicts.c, reading the items: evalset.c). */
#include "eval/evals.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "decode/generate.h"
#include "decode/tools.h"
#include "eval/evalrows.h"
#include "eval/lmtable.h"
#include "eval/prompting.h"
#include "models/lmodel.h"
#include "tok/chat.h"
#include "train/train.h"

static const char *const kind_names[LM_EVAL_N_KINDS] = {
    "fact_qa", "bare_question", "few_shot", "unknown", "letters", "unknown_attr",
    "everyday", "letters_direct", "arith_cot", "arith_direct", "tool", "rag"};

const char *lm_eval_kind_name(lm_eval_kind k) {
    return k >= 0 && k < LM_EVAL_N_KINDS ? kind_names[k] : "?";
}

int lm_eval_kind_parse(const char *name) {
    for (int i = 0; i < LM_EVAL_N_KINDS; i++)
        if (strcmp(name, kind_names[i]) == 0) return i;
    return -1;
}

int lm_eval_kind_numeric(lm_eval_kind k) {
    return k == LM_EVAL_LETTERS || k == LM_EVAL_LETTERS_DIRECT || k == LM_EVAL_ARITH_COT ||
           k == LM_EVAL_ARITH_DIRECT || k == LM_EVAL_TOOL;
}

int lm_eval_max_new(lm_eval_kind k) {
    /* a word spelled out, steps, a call and its result: room to work, and
     * still within a 128-token context beside a short question */
    if (k == LM_EVAL_LETTERS || k == LM_EVAL_ARITH_COT || k == LM_EVAL_TOOL) return 96;
    if (k == LM_EVAL_FEW_SHOT) return 24;   /* one line is judged */
    return 48;
}

void lm_eval_rows_free(lm_eval_rows *r) {
    free(r->rows);
    memset(r, 0, sizeof *r);
}

static lm_eval_row *row_push(lm_eval_rows *r, const char *name, lm_err *err) {
    if (r->n == r->cap) {
        int cap = r->cap ? r->cap * 2 : 16;
        lm_eval_row *p = realloc(r->rows, (size_t)cap * sizeof *p);
        if (!p) {
            lm_fail(err, "out of memory");
            return NULL;
        }
        r->rows = p;
        r->cap = cap;
    }
    lm_eval_row *row = &r->rows[r->n++];
    memset(row, 0, sizeof *row);
    snprintf(row->name, sizeof row->name, "%s", name);
    row->skipped = -1;
    row->baseline = row->baseline2 = NAN;
    snprintf(row->baseline_kind, sizeof row->baseline_kind, "none");
    return row;
}

/* ---- held-out text ---- */

/* val_loss and perplexity on the windows of train's validation */
static int val_loss_rows(lm_model *m, const lm_tokenizer *t, const uint8_t *text, size_t len, int B, int T,
                         int max_batches, lm_eval_rows *out, int *n_windows, lm_err *err) {
    lm_token_stream s;
    if (lm_stream_from_text(&s, t, text, len, err)) return -1;
    lm_batch *bs = NULL;
    int nb = 0, rc = -1;
    float loss;
    if (lm_stream_val_batches(&s, B, T, max_batches, &bs, &nb, err) == 0 && lm_eval_loss(m, bs, nb, &loss, err) == 0) {
        double V = m->cfg.vocab_size;
        lm_eval_row *r = row_push(out, "val_loss", err);
        if (r) {
            r->value = loss;
            r->n = nb;
            r->baseline = log(V);
            snprintf(r->baseline_kind, sizeof r->baseline_kind, "uniform");
        }
        lm_eval_row *p = r ? row_push(out, "perplexity", err) : NULL;
        if (p) {
            p->value = exp(loss);
            p->n = nb;
            p->baseline = V;
            snprintf(p->baseline_kind, sizeof p->baseline_kind, "uniform");
            *n_windows = nb * B;
            rc = 0;
        }
    }
    lm_batches_free(bs, nb);
    lm_stream_free(&s);
    return rc;
}

int lm_eval_val(lm_model *m, lm_tokenizer *t, const uint8_t *text, size_t len, int B, int T, int max_batches,
                lm_eval_rows *out, lm_err *err) {
    if (T > m->cfg.n_ctx) T = m->cfg.n_ctx;
    int n_windows = 0;
    if (val_loss_rows(m, t, text, len, B, T, max_batches, out, &n_windows, err)) return -1;
    /* bits per byte: the any-kind scorer on a view of this model */
    lm_lmodel view;
    lm_gpt_lmodel_view(&view, m, t);
    lm_text_loss tl;
    if (lm_lmodel_text_loss(&view, text, len, T, (size_t)n_windows, &tl, err)) return -1;
    lm_lmtable_row measured = {.tokens = (double)tl.tokens, .bytes = tl.bytes}, uniform;
    lm_lmtable_uniform(&measured, m->cfg.vocab_size, &uniform);
    lm_eval_row *r = row_push(out, "bits_per_byte", err);
    if (!r) return -1;
    r->value = tl.bits_per_byte;
    r->n = (int)tl.tokens;
    r->baseline = uniform.bits_per_byte;
    snprintf(r->baseline_kind, sizeof r->baseline_kind, "uniform");
    return 0;
}

/* ---- replies ---- */

int lm_eval_greedy_reply(void *user, const lm_model *m, const lm_tokenizer *t, const int32_t *prompt,
                         size_t n_prompt, int max_new, char **reply, lm_err *err) {
    (void)user;
    int32_t stop[2];
    if (lm_chat_stop_ids(t, stop, err) < 0) return -1;
    return lm_generate_text(m, t, prompt, n_prompt, max_new, stop, 2, reply, err);
}

int lm_eval_tool_loop_reply(void *user, const lm_model *m, const lm_tokenizer *t, const int32_t *prompt,
                            size_t n_prompt, int max_new, char **reply, lm_err *err) {
    if (!lm_chat_has_tools(t)) return lm_eval_greedy_reply(user, m, t, prompt, n_prompt, max_new, reply, err);
    return lm_tool_generate_text(m, t, prompt, n_prompt, max_new, reply, err);
}

/* base mode: <|endoftext|> (if the tokeniser has it) + text */
static int base_prompt(const lm_tokenizer *t, const char *text, lm_ids *ids, lm_err *err) {
    int32_t eot = lm_tok_special_id(t, LM_CHAT_EOT);
    if (eot >= 0 && lm_ids_push(ids, eot)) return lm_fail(err, "out of memory");
    size_t n = strlen(text);
    return n ? lm_tok_encode(t, (const uint8_t *)text, n, 0, ids, err) : 0;
}

#define DEFAULT_TEMPLATE "User question: {q}\nYour answer: {a}\n\n"
#define N_SHOTS 3

/* the few-shot text of set->items[idx] with `shots` examples (0 or 3):
 * the item's own shots, else the next few_shot items with its template */
static char *few_shot_text(const lm_eval_set *set, int idx, int shots) {
    const lm_eval_item *it = &set->items[idx];
    if (shots == 0 && !it->tmpl) return strdup(it->question);   /* as a user would type it */
    const char *sq[N_SHOTS], *sa[N_SHOTS];
    int ns = 0;
    for (int i = 0; i < it->n_shots && ns < shots; i++, ns++) {
        sq[ns] = it->shots[i].question;
        sa[ns] = it->shots[i].answer;
    }
    for (int j = 1; it->n_shots == 0 && j < set->n && ns < shots; j++) {
        const lm_eval_item *o = &set->items[(idx + j) % set->n];
        int same = o->tmpl && it->tmpl ? strcmp(o->tmpl, it->tmpl) == 0 : o->tmpl == it->tmpl;
        if (o->kind != LM_EVAL_FEW_SHOT || !same) continue;
        sq[ns] = o->question;
        sa[ns] = o->answers[0];
        ns++;
    }
    return lm_prompting_template_text(it->tmpl ? it->tmpl : DEFAULT_TEMPLATE, sq, sa, ns, it->question);
}

/* The prompt ids of item idx for prompt p. */
static int prompt_ids(const lm_tokenizer *t, const lm_eval_set *set, int idx, ev_prompt p, lm_ids *ids,
                      lm_err *err) {
    const lm_eval_item *it = &set->items[idx];
    if (p == EV_PROMPT_CHAT || p == EV_PROMPT_TOOL) {
        lm_chat_msg msg = {.role = LM_ROLE_USER, .content = it->question, .len = strlen(it->question)};
        return lm_chat_encode(t, &msg, 1, 1, ids, NULL, err);
    }
    if (p == EV_PROMPT_BARE) return base_prompt(t, it->question, ids, err);
    char *text = few_shot_text(set, idx, p == EV_PROMPT_FEW3 ? N_SHOTS : 0);
    if (!text) return lm_fail(err, "out of memory");
    int rc = base_prompt(t, text, ids, err);
    free(text);
    return rc;
}

/* The reply to item idx for prompt p, or *reply = NULL when the prompt and
 * max_new do not fit the context (skipped). */
static int reply_to(const lm_model *m, const lm_tokenizer *t, const lm_eval_set *set, int idx, ev_prompt p,
                    int max_new, const lm_eval_opts *o, char **reply, lm_err *err) {
    *reply = NULL;
    lm_ids ids = {0};
    int rc = prompt_ids(t, set, idx, p, &ids, err);
    if (rc == 0 && ids.n + (size_t)max_new <= (size_t)m->cfg.n_ctx) {
        if (p == EV_PROMPT_CHAT) rc = lm_eval_greedy_reply(NULL, m, t, ids.ids, ids.n, max_new, reply, err);
        else if (p == EV_PROMPT_TOOL) {
            lm_eval_reply_fn fn = o->tool_reply ? o->tool_reply : lm_eval_tool_loop_reply;
            rc = fn(o->tool_user, m, t, ids.ids, ids.n, max_new, reply, err);
        } else {
            int32_t stop[1] = {lm_tok_special_id(t, LM_CHAT_EOT)};
            rc = lm_generate_text(m, t, ids.ids, ids.n, max_new, stop, stop[0] >= 0, reply, err);
        }
        if (rc == 0 && !*reply) rc = lm_fail(err, "the reply function returned no reply");
    }
    lm_ids_free(&ids);
    return rc;
}

/* ---- one kind ---- */

#define MAX_SPECS 4
#define V_NONE (-2)   /* the row does not judge the item */
#define V_SKIP (-1)

typedef struct {
    const ev_row_spec *spec[MAX_SPECS];
    int n_spec;
    signed char *v[MAX_SPECS];   /* [set->n]: the verdict per item, V_NONE, or V_SKIP */
} kind_run;

/* one row over the items whose format is `format` (NULL: every item) */
static int add_row(const lm_eval_set *set, const kind_run *kr, int s, const char *format, int *idx,
                   lm_eval_rows *out, lm_err *err) {
    int n = 0, ok = 0, skipped = 0;
    for (int i = 0; i < set->n; i++) {
        if (kr->v[s][i] == V_NONE || (format && strcmp(lm_eval_item_format(&set->items[i]), format))) continue;
        if (kr->v[s][i] == V_SKIP) skipped++;
        else {
            ok += kr->v[s][i];
            idx[n++] = i;
        }
    }
    if (n + skipped == 0) return 0;
    char name[LM_EVAL_ROW_NAME];
    snprintf(name, sizeof name, "%s%s%s", kr->spec[s]->name, format ? "/" : "", format ? format : "");
    lm_eval_row *r = row_push(out, name, err);
    if (!r) return -1;
    r->value = n ? (double)ok / n : NAN;
    r->n = n;
    r->skipped = skipped;
    r->percent = 1;
    r->detail = format != NULL;
    if (ev_row_baselines(kr->spec[s], set, idx, n, &r->baseline, &r->baseline2))
        return lm_fail(err, "out of memory");
    snprintf(r->baseline_kind, sizeof r->baseline_kind, "%s", kr->spec[s]->bl_label);
    if (kr->spec[s]->bl2_label) snprintf(r->baseline2_kind, sizeof r->baseline2_kind, "%s", kr->spec[s]->bl2_label);
    return 1;
}

/* the rows of every spec, then (few_shot) per format, in order of first appearance */
static int add_rows(const lm_eval_set *set, const kind_run *kr, lm_eval_kind k, lm_eval_rows *out, lm_err *err) {
    int *idx = malloc((set->n ? (size_t)set->n : 1) * sizeof *idx);
    if (!idx) return lm_fail(err, "out of memory");
    int rows = 0, rc = 0;
    for (int s = 0; s < kr->n_spec && rc >= 0; s++)
        if ((rc = add_row(set, kr, s, NULL, idx, out, err)) > 0) rows++;
    for (int i = 0; k == LM_EVAL_FEW_SHOT && i < set->n && rc >= 0; i++) {
        if (kr->v[0][i] == V_NONE) continue;
        const char *f = lm_eval_item_format(&set->items[i]);
        int first = 1;
        for (int j = 0; j < i && first; j++)
            first = kr->v[0][j] == V_NONE || strcmp(lm_eval_item_format(&set->items[j]), f) != 0;
        for (int s = 0; first && s < kr->n_spec && rc >= 0; s++)
            if ((rc = add_row(set, kr, s, f, idx, out, err)) > 0) rows++;
    }
    free(idx);
    return rc < 0 ? -1 : rows;
}

/* every reply of item i, judged by every row of its kind */
static int run_item(const lm_model *m, const lm_tokenizer *t, const lm_eval_set *set, int i, int max_new,
                    const lm_eval_opts *o, kind_run *kr, lm_err *err) {
    const lm_eval_item *it = &set->items[i];
    for (int s = 0; s < kr->n_spec; s++) {
        int shared = 0;   /* an earlier row of the kind judged the same prompt's reply */
        for (int e = 0; e < s; e++) shared |= kr->spec[e]->prompt == kr->spec[s]->prompt;
        if (shared) continue;
        char *reply = NULL;
        if (reply_to(m, t, set, i, kr->spec[s]->prompt, max_new, o, &reply, err)) return -1;
        for (int r = s; r < kr->n_spec; r++) {
            const ev_row_spec *spec = kr->spec[r];
            if (spec->prompt != kr->spec[s]->prompt || !ev_row_applies(spec, it)) continue;
            int ok = reply ? ev_row_judge(spec, it, reply) : V_SKIP;
            kr->v[r][i] = (signed char)ok;
            if (o->trace) o->trace(o->user, spec->name, it->question, reply ? reply : "", ok);
        }
        free(reply);
        if (o->progress) o->progress(o->user);
    }
    return 0;
}

static int n_prompts(lm_eval_kind k) {
    int n = 0;
    for (int s = 0; s < ev_n_rows; s++) {
        if (ev_rows[s].kind != k) continue;
        int seen = 0;
        for (int e = 0; e < s; e++) seen |= ev_rows[e].kind == k && ev_rows[e].prompt == ev_rows[s].prompt;
        n += !seen;
    }
    return n;
}

int lm_eval_n_replies(const lm_eval_set *set, lm_eval_kind k, int max_items) {
    int n = lm_eval_set_count(set, k);
    if (max_items > 0 && n > max_items) n = max_items;
    return n * n_prompts(k);
}

int lm_eval_run(const lm_model *m, const lm_tokenizer *t, const lm_eval_set *set, lm_eval_kind k,
                const lm_eval_opts *o, lm_eval_rows *out, lm_err *err) {
    lm_eval_opts def = {0};
    if (!o) o = &def;
    int max_new = o->max_new > 0 ? o->max_new : lm_eval_max_new(k);
    kind_run kr = {0};
    for (int s = 0; s < ev_n_rows && kr.n_spec < MAX_SPECS; s++)
        if (ev_rows[s].kind == k) kr.spec[kr.n_spec++] = &ev_rows[s];
    int rc = 0;
    for (int s = 0; s < kr.n_spec && rc == 0; s++) {
        kr.v[s] = malloc(set->n ? (size_t)set->n : 1);
        if (!kr.v[s]) rc = lm_fail(err, "out of memory");
        else memset(kr.v[s], V_NONE, (size_t)set->n);
    }
    for (int i = 0, n = 0; i < set->n && rc == 0; i++) {
        if (set->items[i].kind != k) continue;
        if (o->max_items > 0 && n >= o->max_items) break;
        rc = run_item(m, t, set, i, max_new, o, &kr, err);
        n++;
    }
    if (rc == 0) rc = add_rows(set, &kr, k, out, err);
    for (int s = 0; s < kr.n_spec; s++) free(kr.v[s]);
    return rc;
}
