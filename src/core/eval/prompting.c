/* prompting.c - zero-shot, few-shot and soft-prompt answers to a task's
 * held-out items (see prompting.h). */
#include "eval/prompting.h"

#include <stdlib.h>
#include <string.h>

#include "decode/generate.h"
#include "tok/chat.h"

/* generation stops at the first newline, or as soon as the verdict is
 * decided: once the reply holds, after its leading spaces and tabs, one byte
 * more than the answer (lm_task_correct looks at no more) */
typedef struct {
    const lm_tokenizer *tok;
    size_t need;        /* strlen(answer) + 1 */
    size_t lead_done;   /* 1 once a byte other than a space or tab came */
    size_t got;         /* bytes after the leading spaces */
} line_stop;

static int stop_when_decided(void *user, int32_t token, const lm_sample_result *r) {
    (void)r;
    line_stop *s = user;
    size_t len;
    const uint8_t *b = lm_tok_piece(s->tok, token, &len);
    if (!b) return 0;
    if (memchr(b, '\n', len)) return 1;
    for (size_t i = 0; i < len; i++) {
        if (!s->lead_done && (b[i] == ' ' || b[i] == '\t')) continue;
        s->lead_done = 1;
        s->got++;
    }
    return s->got >= s->need;
}

/* the ids of text after n_soft placeholder ids, leaving LM_PROMPTING_MAX_NEW of room */
static int encode(const lm_model *m, const lm_tokenizer *tok, const char *text, int n_soft, lm_ids *ids,
                  lm_err *err) {
    ids->n = 0;
    for (int i = 0; i < n_soft; i++)
        if (lm_ids_push(ids, 0)) return lm_fail(err, "out of memory");
    if (lm_tok_encode(tok, (const uint8_t *)text, strlen(text), 0, ids, err)) return -1;
    if ((int)ids->n + 1 > m->cfg.n_ctx - 1)
        return lm_fail(err, "the prompt \"%.60s...\" is %zu tokens; with its answer it does not fit the context of %d",
                       text, ids->n, m->cfg.n_ctx);
    return 0;
}

/* the greedy continuation of ids, cut at its first newline, long enough to judge answer */
static int continue_line(const lm_model *m, const lm_tokenizer *tok, const lm_ids *ids, const char *answer, char **reply,
                         lm_err *err) {
    *reply = NULL;
    int32_t stop[1];
    int n_stop = 0;
    int32_t eot = lm_tok_special_id(tok, LM_CHAT_EOT);
    if (eot >= 0) stop[n_stop++] = eot;
    line_stop ls = {tok, strlen(answer) + 1, 0, 0};
    int room = m->cfg.n_ctx - (int)ids->n;
    lm_gen_opts o = {.max_new = room < LM_PROMPTING_MAX_NEW ? room : LM_PROMPTING_MAX_NEW,
                     .sampling = lm_sampling_default(), .stop_ids = stop, .n_stop = n_stop,
                     .on_token = stop_when_decided, .user = &ls};
    o.sampling.greedy = 1;
    lm_rng rng;
    lm_rng_seed(&rng, 1);
    lm_ids out = {0};
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = lm_generate(m, NULL, ids->ids, ids->n, &o, &rng, &out, NULL, err);
    if (rc == 0 && out.n) rc = lm_tok_decode(tok, out.ids, out.n, &buf, &len, err);
    lm_ids_free(&out);
    if (rc == 0) {
        char *nl = buf ? memchr(buf, '\n', len) : NULL;
        if (nl) len = (size_t)(nl - (char *)buf);
        *reply = malloc(len + 1);
        if (!*reply) rc = lm_fail(err, "out of memory");
        else {
            if (len) memcpy(*reply, buf, len);
            (*reply)[len] = 0;
        }
    }
    free(buf);
    return rc;
}

/* one answer; the soft prompt is already attached when how is LM_TASK_SOFT */
static int answer_attached(lm_model *m, const lm_tokenizer *tok, const lm_task *t, lm_task_prompt how,
                           const lm_task_item *it, const lm_task_item *const *shots, int n_shots, int n_soft,
                           lm_ids *ids, char **text, char **reply, lm_err *err) {
    *text = lm_task_text(t, how, it, shots, n_shots);
    if (!*text) return lm_fail(err, "out of memory");
    if (encode(m, tok, *text, how == LM_TASK_SOFT ? n_soft : 0, ids, err)) return -1;
    return continue_line(m, tok, ids, it->answer, reply, err);
}

int lm_prompting_answer(lm_model *m, const lm_tokenizer *tok, const lm_task *t, lm_task_prompt how,
                        const lm_task_item *it, const lm_task_item *const *shots, int n_shots, lm_softprompt *sp,
                        char **reply, lm_err *err) {
    *reply = NULL;
    if (how == LM_TASK_SOFT) {
        if (!sp) return lm_fail(err, "a soft-prompt answer needs a soft prompt");
        if (lm_softprompt_attach(sp, m, err)) return -1;
    }
    lm_ids ids = {0};
    char *text = NULL;
    int rc = answer_attached(m, tok, t, how, it, shots, n_shots, sp ? sp->n_tokens : 0, &ids, &text, reply, err);
    if (how == LM_TASK_SOFT) lm_softprompt_detach(m);
    free(text);
    lm_ids_free(&ids);
    return rc;
}

/* every held-out item (at most max_items) with one method; right answers in *right */
static int run_method(lm_model *m, const lm_tokenizer *tok, const lm_task *t, lm_softprompt *sp, lm_task_prompt how,
                      const lm_prompting_opts *o, int n_items, int *right, lm_err *err) {
    int k = o->shots > 0 ? o->shots : 3;
    const lm_task_item **shots = malloc((size_t)k * sizeof *shots);
    if (!shots) return lm_fail(err, "out of memory");
    if (how == LM_TASK_SOFT && lm_softprompt_attach(sp, m, err)) {
        free(shots);
        return -1;
    }
    lm_ids ids = {0};
    int rc = 0;
    *right = 0;
    for (int i = 0; i < n_items && rc == 0; i++) {
        const lm_task_item *it = &t->items[t->n_train + i];
        int n_shots = how == LM_TASK_FEW_SHOT ? lm_task_shots(t, i, k, o->seed, shots) : 0;
        char *text = NULL, *reply = NULL;
        rc = answer_attached(m, tok, t, how, it, shots, n_shots, sp ? sp->n_tokens : 0, &ids, &text, &reply, err);
        if (rc == 0) {
            int ok = lm_task_correct(reply, it->answer);
            *right += ok;
            if (o->trace) o->trace(o->user, how, i, text, reply, ok);
        }
        free(text);
        free(reply);
    }
    if (how == LM_TASK_SOFT) lm_softprompt_detach(m);
    lm_ids_free(&ids);
    free(shots);
    return rc;
}

int lm_prompting_eval(lm_model *m, const lm_tokenizer *tok, const lm_task *t, lm_softprompt *sp,
                      const lm_prompting_opts *o, lm_prompting_result *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    int held = t->n - t->n_train;
    out->n = o->max_items > 0 && o->max_items < held ? o->max_items : held;
    out->majority = lm_task_majority(t, &out->majority_right);
    if (!out->majority) return lm_fail(err, "out of memory");
    if (out->n < held) {   /* the baseline over the same items */
        out->majority_right = 0;
        for (int i = 0; i < out->n; i++) out->majority_right += strcmp(t->items[t->n_train + i].answer, out->majority) == 0;
    }
    for (int how = 0; how < 3; how++) {
        if (how == LM_TASK_SOFT && (!sp || o->skip_soft)) break;
        if (run_method(m, tok, t, sp, (lm_task_prompt)how, o, out->n, &out->right[how], err)) return -1;
    }
    return 0;
}

int lm_prompting_soft_accuracy(lm_model *m, const lm_tokenizer *tok, const lm_task *t, lm_softprompt *sp,
                               double *accuracy, lm_err *err) {
    lm_prompting_opts o = {0};
    int held = t->n - t->n_train, right = 0;
    if (run_method(m, tok, t, sp, LM_TASK_SOFT, &o, held, &right, err)) return -1;
    *accuracy = held ? (double)right / held : 0;
    return 0;
}

/* ---- few-shot templates ---- */

#define MAX_TEMPLATE 2000

int lm_prompting_template_check(const char *tmpl, lm_err *err) {
    size_t len = strlen(tmpl);
    if (len > MAX_TEMPLATE) return lm_fail(err, "\"template\" is %zu bytes (at most %d)", len, MAX_TEMPLATE);
    const char *q = strstr(tmpl, "{q}"), *a = strstr(tmpl, "{a}");
    if (!q || !a) return lm_fail(err, "\"template\" needs both {q} and {a}");
    if (strstr(q + 3, "{q}") || strstr(a + 3, "{a}")) return lm_fail(err, "\"template\" holds {q} or {a} twice");
    if (a < q) return lm_fail(err, "\"template\" puts {a} before {q} (the text is cut at {a})");
    return 0;
}

/* appends tmpl rendered with q and a to out (NULL: only the size); a ==
 * NULL cuts at {a} and drops the spaces and tabs before it. Returns the
 * bytes written. */
static size_t render(char *out, const char *tmpl, const char *q, const char *a) {
    size_t n = 0;
    for (const char *p = tmpl; *p;) {
        const char *put = NULL;
        if (strncmp(p, "{q}", 3) == 0) put = q;
        else if (strncmp(p, "{a}", 3) == 0) {
            if (!a) {   /* the cut (measuring keeps the spaces: an upper bound) */
                while (out && n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t')) n--;
                return n;
            }
            put = a;
        }
        if (put) {
            size_t k = strlen(put);
            if (out) memcpy(out + n, put, k);
            n += k;
            p += 3;
        } else {
            if (out) out[n] = *p;
            n++;
            p++;
        }
    }
    return n;
}

char *lm_prompting_template_text(const char *tmpl, const char *const *shot_q, const char *const *shot_a,
                                 int n_shots, const char *question) {
    size_t cap = render(NULL, tmpl, question, NULL) + 1;
    for (int i = 0; i < n_shots; i++) cap += render(NULL, tmpl, shot_q[i], shot_a[i]);
    char *s = malloc(cap);
    if (!s) return NULL;
    size_t n = 0;
    for (int i = 0; i < n_shots; i++) n += render(s + n, tmpl, shot_q[i], shot_a[i]);
    n += render(s + n, tmpl, question, NULL);
    s[n] = 0;
    return s;
}
