/* evals.c - named evaluations: the verdict rules and the runs (see evals.h;
 * reading the items: evalset.c). */
#include "eval/evals.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tok/chat.h"
#include "decode/generate.h"
#include "train/train.h"

static const char *const kind_names[LM_EVAL_N_KINDS] = {"fact_qa", "bare_question", "few_shot",
                                                        "unknown", "letters"};

const char *lm_eval_kind_name(lm_eval_kind k) {
    return k >= 0 && k < LM_EVAL_N_KINDS ? kind_names[k] : "?";
}

/* ---- verdict rules ---- */

int lm_eval_contains_answer(const char *reply, char *const *answers, int n) {
    for (int i = 0; i < n; i++)
        if (answers[i][0] && strcasestr(reply, answers[i])) return 1;
    return 0;
}

int lm_eval_says_idk(const char *reply) {
    static const char *const phrases[] = {
        "don't know", "do not know", "don’t know", "not sure", "no information", "not familiar",
        "never heard", "not aware", "cannot say", "can't say", "no record", "unknown to me", NULL,
    };
    for (int i = 0; phrases[i]; i++)
        if (strcasestr(reply, phrases[i])) return 1;
    return 0;
}

int lm_eval_last_number(const char *text) {
    static const char *const words[] = {"zero", "one", "two", "three", "four", "five", "six",
                                        "seven", "eight", "nine", "ten", "eleven", "twelve",
                                        "thirteen", "fourteen", "fifteen", "sixteen",
                                        "seventeen", "eighteen", "nineteen", "twenty"};
    int last = -1;
    const char *p = text;
    while (*p) {
        if (isdigit((unsigned char)*p)) {
            long v = 0;
            while (isdigit((unsigned char)*p)) {
                if (v < 100000000) v = v * 10 + (*p - '0');
                p++;
            }
            last = (int)v;
            continue;
        }
        if (isalpha((unsigned char)*p) && (p == text || !isalpha((unsigned char)p[-1]))) {
            size_t wl = 0;
            while (isalpha((unsigned char)p[wl])) wl++;
            for (int i = 20; i >= 0; i--)
                if (strlen(words[i]) == wl && strncasecmp(p, words[i], wl) == 0) {
                    last = i;
                    break;
                }
            p += wl;
            continue;
        }
        p++;
    }
    return last;
}

/* copies the first non-blank line of s into a malloc'd string (trimmed) */
static char *first_line(const char *s) {
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\r') s++;
        if (*s == '\n') {
            s++;
            continue;
        }
        break;
    }
    size_t n = strcspn(s, "\n");
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    char *l = malloc(n + 1);
    if (l) {
        memcpy(l, s, n);
        l[n] = '\0';
    }
    return l;
}

lm_bare_class lm_eval_classify_bare(const char *cont, char *const *answers, int n) {
    char *l = first_line(cont);
    if (!l) return LM_BARE_EMPTY;
    lm_bare_class c;
    size_t len = strlen(l);
    if (len == 0) c = LM_BARE_EMPTY;
    else if (lm_eval_contains_answer(l, answers, n) || strncasecmp(l, "answer:", 7) == 0 ||
             strncasecmp(l, "your answer:", 12) == 0 || strncmp(l, "A:", 2) == 0)
        c = LM_BARE_ANSWERS;
    else if (strchr(l, '?'))
        c = LM_BARE_QUESTION;
    else {
        const char *p = l;
        int list = 0;
        if ((p[0] == '-' || p[0] == '*' || p[0] == '+') && p[1] == ' ') list = 1;
        else if (strncmp(p, "\xe2\x80\xa2", 3) == 0) list = 1;   /* bullet */
        else if (isdigit((unsigned char)p[0])) {
            while (isdigit((unsigned char)*p)) p++;
            if ((*p == '.' || *p == ')') && (p[1] == ' ' || p[1] == '\0')) list = 1;
        }
        if (list) c = LM_BARE_LIST;
        else {
            int upper = 0, lower = 0;
            for (const char *q = l; *q; q++) {
                upper += isupper((unsigned char)*q) != 0;
                lower += islower((unsigned char)*q) != 0;
            }
            char lastc = l[len - 1];
            int ends = lastc == '.' || lastc == '!' || lastc == ',' || lastc == ';' || lastc == ':';
            if (l[0] == '#' || (upper > 0 && lower == 0) || (len <= 40 && !ends && isupper((unsigned char)l[0]) && !strchr(l, '.')))
                c = LM_BARE_HEADING;
            else
                c = LM_BARE_PROSE;
        }
    }
    free(l);
    return c;
}

const char *lm_bare_class_name(lm_bare_class c) {
    static const char *const names[] = {"answers", "question", "list", "heading", "prose", "empty"};
    return c >= 0 && c <= LM_BARE_EMPTY ? names[c] : "?";
}

/* ---- running ---- */

int lm_eval_val(lm_model *m, const lm_token_stream *val, int B, int T, int max_batches,
                lm_eval_row rows[2], lm_err *err) {
    if (T > m->cfg.n_ctx) T = m->cfg.n_ctx;
    lm_batch *bs;
    int nb;
    /* the same windows as train's validation: spread over the whole stream */
    if (lm_stream_val_batches(val, B, T, max_batches, &bs, &nb, err)) return -1;
    int rc = -1;
    float loss;
    if (lm_eval_loss(m, bs, nb, &loss, err)) goto done;
    snprintf(rows[0].name, sizeof rows[0].name, "val_loss");
    rows[0].value = loss;
    rows[0].n = nb;
    snprintf(rows[1].name, sizeof rows[1].name, "perplexity");
    rows[1].value = exp(loss);
    rows[1].n = nb;
    rc = 0;
done:
    lm_batches_free(bs, nb);
    return rc;
}

/* appends plain text (no specials) to ids */
static int enc(const lm_tokenizer *t, const char *s, lm_ids *ids, lm_err *err) {
    size_t n = strlen(s);
    return n ? lm_tok_encode(t, (const uint8_t *)s, n, 0, ids, err) : 0;
}

/* base-mode prompt: <|endoftext|> (if the tokeniser has it) + text */
static int base_prompt(const lm_tokenizer *t, const char *text, lm_ids *ids, lm_err *err) {
    int32_t eot = lm_tok_special_id(t, LM_CHAT_EOT);
    if (eot >= 0) {
        ids->ids = malloc(64 * sizeof *ids->ids);
        if (!ids->ids) return lm_fail(err, "out of memory");
        ids->cap = 64;
        ids->ids[ids->n++] = eot;
    }
    return enc(t, text, ids, err);
}

/* keeps the last n_ctx - max_new ids of a too-long prompt (keeps room to answer) */
static void fit_prompt(lm_ids *ids, int n_ctx, int max_new) {
    size_t keep = n_ctx > max_new + 8 ? (size_t)(n_ctx - max_new) : (size_t)(n_ctx / 2);
    if (ids->n <= keep) return;
    memmove(ids->ids, ids->ids + (ids->n - keep), keep * sizeof *ids->ids);
    ids->n = keep;
}

static int run_one(const lm_model *m, const lm_tokenizer *t, lm_ids *prompt, int max_new,
                   const int32_t *stop, int n_stop, char **reply, lm_err *err) {
    fit_prompt(prompt, m->cfg.n_ctx, max_new);
    return lm_generate_text(m, t, prompt->ids, prompt->n, max_new, stop, n_stop, reply, err);
}

static int chat_reply(const lm_model *m, const lm_tokenizer *t, const char *q, int max_new,
                      char **reply, lm_err *err) {
    lm_chat_msg msg = {LM_ROLE_USER, q, strlen(q)};
    lm_ids ids = {0};
    int32_t stop[2];
    if (lm_chat_stop_ids(t, stop, err) < 0) return -1;
    if (lm_chat_encode(t, &msg, 1, 1, &ids, NULL, err)) {
        lm_ids_free(&ids);
        return -1;
    }
    int rc = run_one(m, t, &ids, max_new, stop, 2, reply, err);
    lm_ids_free(&ids);
    return rc;
}

/* base mode: stops at <|endoftext|> only (lines are classified afterwards) */
static int base_reply(const lm_model *m, const lm_tokenizer *t, const char *text, int max_new,
                      char **reply, lm_err *err) {
    lm_ids ids = {0};
    int32_t stop[1] = {lm_tok_special_id(t, LM_CHAT_EOT)};
    if (base_prompt(t, text, &ids, err)) {
        lm_ids_free(&ids);
        return -1;
    }
    int rc = run_one(m, t, &ids, max_new, stop, stop[0] >= 0, reply, err);
    lm_ids_free(&ids);
    return rc;
}

static void trace(const lm_eval_opts *o, const char *row, const char *q, const char *reply, int ok) {
    if (o->trace) o->trace(o->user, row, q, reply, ok);
}

/* few-shot prompt text: 0 shots is the bare question, as a user would type
 * it; otherwise `shots` solved examples in the Q&A-page format, then the
 * question in that format */
static char *few_shot_text(const lm_eval_set *set, int idx, int shots) {
    const lm_eval_item *it = &set->items[idx];
    if (shots == 0) return strdup(it->question);
    size_t cap = strlen(it->question) + 64;
    const char *sq[3], *sa[3];
    int ns = 0;
    if (shots > 0) {
        if (it->n_shots > 0) {
            for (int i = 0; i < it->n_shots && ns < shots; i++, ns++) {
                sq[ns] = it->shots[i].question;
                sa[ns] = it->shots[i].answer;
            }
        } else {
            for (int j = 1; j < set->n && ns < shots; j++) {
                const lm_eval_item *o = &set->items[(idx + j) % set->n];
                if (o->kind != LM_EVAL_FEW_SHOT || o == it) continue;
                sq[ns] = o->question;
                sa[ns] = o->answers[0];
                ns++;
            }
        }
    }
    for (int i = 0; i < ns; i++) cap += strlen(sq[i]) + strlen(sa[i]) + 40;
    char *s = malloc(cap), *p = s;
    if (!s) return NULL;
    for (int i = 0; i < ns; i++)
        p += sprintf(p, "User question: %s\nYour answer: %s\n\n", sq[i], sa[i]);
    sprintf(p, "User question: %s\nYour answer:", it->question);
    return s;
}

static void set_row(lm_eval_row *r, const char *name, int ok, int n) {
    snprintf(r->name, sizeof r->name, "%s", name);
    r->value = n ? (double)ok / n : 0;
    r->n = n;
}

int lm_eval_run(const lm_model *m, const lm_tokenizer *t, const lm_eval_set *set, lm_eval_kind k,
                const lm_eval_opts *o, lm_eval_row rows[2], lm_err *err) {
    lm_eval_opts def = {0};
    if (!o) o = &def;
    int max_new = o->max_new > 0 ? o->max_new : 48;
    int ok[2] = {0, 0}, n = 0;
    static const char *const row_names[] = {"fact_qa", "bare_continues", "few_shot_0", "idk_rate",
                                            "letters"};
    for (int i = 0; i < set->n; i++) {
        const lm_eval_item *it = &set->items[i];
        if (it->kind != k) continue;
        if (o->max_items > 0 && n >= o->max_items) break;
        char *reply = NULL;
        if (k == LM_EVAL_FACT_QA || k == LM_EVAL_UNKNOWN || k == LM_EVAL_LETTERS) {
            if (chat_reply(m, t, it->question, max_new, &reply, err)) return -1;
            int good;
            if (k == LM_EVAL_FACT_QA) good = lm_eval_contains_answer(reply, it->answers, it->n_answers);
            else if (k == LM_EVAL_UNKNOWN)
                good = lm_eval_says_idk(reply) ||
                       (it->n_answers && lm_eval_contains_answer(reply, it->answers, it->n_answers));
            else good = lm_eval_last_number(reply) == atoi(it->answers[0]);
            ok[0] += good;
            trace(o, row_names[k], it->question, reply, good);
        } else if (k == LM_EVAL_BARE) {
            if (base_reply(m, t, it->question, max_new, &reply, err)) return -1;
            lm_bare_class bc = lm_eval_classify_bare(reply, it->answers, it->n_answers);
            int cont = bc != LM_BARE_ANSWERS && bc != LM_BARE_EMPTY;
            ok[0] += cont;
            trace(o, row_names[k], it->question, reply, cont);
        } else {
            for (int s = 0; s < 2; s++) {
                char *text = few_shot_text(set, i, s ? 3 : 0);
                if (!text) return lm_fail(err, "out of memory");
                int rc = base_reply(m, t, text, 24, &reply, err);
                free(text);
                if (rc) return -1;
                char *line = first_line(reply);
                int good = line && lm_eval_contains_answer(line, it->answers, it->n_answers);
                free(line);
                ok[s] += good;
                trace(o, s ? "few_shot_3" : "few_shot_0", it->question, reply, good);
                if (s == 0) free(reply);
            }
        }
        free(reply);
        n++;
    }
    if (n == 0) return 0;
    set_row(&rows[0], row_names[k], ok[0], n);
    if (k == LM_EVAL_FEW_SHOT) {
        set_row(&rows[1], "few_shot_3", ok[1], n);
        return 2;
    }
    return 1;
}
